import ArgumentParser
import Events
import Foundation
import Gateway
import Ledger
import Transport

struct SFTPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sftp",
        abstract: "SFTP tools for setting up a partner.",
        subcommands: [SFTPCheckCommand.self])
}

struct SFTPCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Connect with a channel's SFTP settings, verify the host key, list the remote folder and say what would be taken or delivered.",
        discussion: """
            CHANNEL is PARTNER/CHANNEL: an inbound channel with `remote:` (what a pull would take) or a partner's \
            `outbound:` channel with `deliver:` (the remote folder and the files waiting). Nothing is downloaded, \
            uploaded, deleted or moved. Exit 0 when the check passed, 1 when it failed.
            """)

    @OptionGroup var options: ConfigOptions

    @Argument(help: "PARTNER/CHANNEL")
    var channel: String?

    @Option(help: "The partner (with --channel, instead of PARTNER/CHANNEL).")
    var partner: String?

    @Option(name: .customLong("channel"), help: "The channel (with --partner).")
    var channelName: String?

    func run() throws {
        let config = try options.load()
        let (p, c) = try target()
        let lines: [String]
        if let remote = config.channel(partner: p, name: c)?.remote {
            lines = SFTPCheck.run(remote.connection, pull: remote.pull)
        } else if let outbound = config.partner(named: p)?.outbound.first(where: { $0.name == c }), let deliver = outbound.deliver {
            let waiting = ((try? FileManager.default.contentsOfDirectory(atPath: outbound.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
            lines = SFTPCheck.run(deliver.connection, push: deliver.push, waiting: waiting)
        } else {
            printErr("\(p)/\(c) has no SFTP settings: neither an inbound channel with remote: nor an outbound channel with deliver:")
            throw Exit.configError
        }
        for line in lines { print(line) }
        if lines.contains(where: { $0.hasPrefix("FAILED:") }) { throw ExitCode.failure }
    }

    private func target() throws -> (String, String) {
        if let partner, let channelName { return (partner, channelName) }
        guard let channel, let slash = channel.firstIndex(of: "/") else { throw ValidationError("give PARTNER/CHANNEL, or --partner and --channel") }
        return (String(channel[..<slash]), String(channel[channel.index(after: slash)...]))
    }
}

struct RetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Put a dead-lettered SFTP pull or delivery (or, with --webhooks, a webhook event) back: a fresh round of retries, due at once.",
        discussion: "`dropgate status --dead` lists dead letters with their ids. The running gateway picks the item up within seconds.")

    @OptionGroup var options: ConfigOptions

    @Argument(help: "The dead letter's id.")
    var id: Int64?

    @Flag(help: "Webhook dead letters (`dropgate events status` lists them): the one with ID, or all.")
    var webhooks = false

    func validate() throws { if !webhooks && id == nil { throw ValidationError("give the dead letter's id (or --webhooks)") } }

    func run() throws {
        let config = try options.load()
        let ledger = try Ledger(path: config.ledgerPath)
        if webhooks {
            let n = try OutboxStore(ledger: ledger).retryDeadLetters(id: id)
            print("\(n) webhook dead letter(s) queued again; the running gateway sends them within seconds")
            if n == 0 { throw ExitCode.failure }
            return
        }
        guard let id else { return }
        do {
            let item = try SFTPPlugin.retry(id: id, ledger: ledger)
            print("#\(id) \(item.partner)/\(item.channel) \(item.kind == .pull ? "pull" : item.name): retrying now")
        } catch let e as SFTPRetryError {
            printErr("\(e)")
            throw ExitCode.failure
        }
    }
}
