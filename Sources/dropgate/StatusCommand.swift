import ArgumentParser
import Foundation
import Gateway
import Ledger

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show files per state, outbound files, and the last errors, from the ledger.")

    @OptionGroup var config: ConfigOptions

    @Option(help: "How many recent errors to list.")
    var errors: Int = 10

    @Flag(help: "List the SFTP dead letters (pulls and deliveries that exhausted their retries) with their last error.")
    var dead = false

    func run() throws {
        let cfg = try config.load()
        guard FileManager.default.fileExists(atPath: cfg.ledgerPath) else {
            print("no ledger yet at \(cfg.ledgerPath) (the gateway has not run)")
            return
        }
        let ledger = try Ledger(path: cfg.ledgerPath)
        if dead {
            for line in try SFTPStatus.deadLetterLines(ledger: ledger) { print(line) }
            return
        }
        print("files:")
        let counts = try ledger.stateCounts()
        if counts.isEmpty { print("  none") }
        for (state, n) in counts { print("  \(state.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)) \(n)") }
        print("records: \(try ledger.recordCount())")
        let outbound = try ledger.outboundCounts()
        if !outbound.isEmpty {
            print("outbound:")
            for (state, n) in outbound { print("  \(state.padding(toLength: 12, withPad: " ", startingAt: 0)) \(n)") }
        }
        for plugin in PluginRegistry.all {
            for line in plugin.statusLines(config: cfg, ledger: ledger, now: Date()) { print(line) }
        }
        let last = try ledger.lastErrors(limit: errors)
        if !last.isEmpty {
            print("last errors:")
            for f in last {
                let message = f.error.flatMap { try? JSONDecoder().decode(ErrorReport.self, from: Data($0.utf8)) }?.description ?? (f.error ?? "")
                print("  #\(f.id!) \(f.partner)/\(f.channel) \(f.state.rawValue): \(FileNames.printable(message))")
            }
        }
    }
}
