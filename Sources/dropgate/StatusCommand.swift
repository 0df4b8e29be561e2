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

    @Flag(help: "List every file that came in (state, records, where it went) and every file that went out, with paths.")
    var files = false

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
        if files {
            for line in try StatusCommand.fileLines(ledger: ledger, root: cfg.root, recordsDir: cfg.recordsDir) { print(line) }
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

    /// What came in and what went out, paths relative to the configuration's folder.
    static func fileLines(ledger: Ledger, root: String, recordsDir: String) throws -> [String] {
        func rel(_ path: String?) -> String {
            guard let path, !path.isEmpty else { return "" }
            return path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
        }
        let inbound = try ledger.files(in: FileState.allCases)
        var names = [Int64: String]()
        var lines = ["in: \(inbound.count) file(s)"]
        for f in inbound {
            names[f.id!] = f.name
            var text = "  #\(f.id!) \(f.partner)/\(f.channel) \(f.name.debugDescription) → \(f.state.rawValue)"
            if f.recordCount > 0 { text += ", \(f.recordCount) record(s)" + (f.format.map { " (\($0))" } ?? "") }
            if f.state == .duplicate, let twin = f.duplicateOf { text += " of #\(twin)" }
            if let u = try ledger.upload(fileId: f.id!) { text += ", uploaded by \(u.user)" + (u.keyFingerprint.map { " (\($0))" } ?? "") }
            if let final = f.finalPath { text += ": " + rel(final) }
            if f.state == .quarantined, let report = f.error.flatMap({ try? JSONDecoder().decode(ErrorReport.self, from: Data($0.utf8)) }) {
                text += "\n      \(report.description)"
            }
            lines.append(text)
        }
        let outbound = try ledger.outboundFiles().filter { !$0.path.isEmpty || $0.state == "failed" }
        lines.append("out: \(outbound.count) file(s)")
        for o in outbound {
            let from = o.sourceFileId.map { " from #\($0) \(names[$0] ?? "")" } ?? ""
            if o.state == "failed" {
                lines.append("  FAILED \(o.partner)/\(o.channel) \(o.format) (route \(o.route.map { "\"\($0)\"" } ?? "-")\(from)): \(o.lastError ?? "")")
            } else {
                lines.append("  \(rel(o.path)) \(o.format), \(o.recordCount) record(s), route \(o.route.map { "\"\($0)\"" } ?? "-")\(from)")
            }
        }
        lines.append("canonical records of every file: \(rel(recordsDir))/<partner>/<channel>/")
        return lines
    }
}
