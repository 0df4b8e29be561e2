import ArgumentParser
import Foundation
import Gateway
import Ledger

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check and export the ledger's audit trail (a SHA-256 hash chain).",
        subcommands: [AuditVerifyCommand.self, AuditExportCommand.self])
}

/// The ledger of `--ledger`, else the configuration's.
struct LedgerOptions: ParsableArguments {
    @OptionGroup var config: ConfigOptions

    @Option(help: "The ledger file (default: var/ledger.sqlite of the configuration).")
    var ledger: String?

    func open() throws -> Ledger {
        let path = try ledger ?? config.load().ledgerPath
        guard FileManager.default.fileExists(atPath: path) else {
            printErr("no ledger at \(path)")
            throw Exit.dataError
        }
        return try Ledger(path: path)
    }
}

struct AuditVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute the audit hash chain; name the first row that was changed or removed.",
        discussion: """
            Every audit row carries the SHA-256 of the row before it and of its own content; the ledger keeps the last \
            row's hash as the chain's head. Prints the number of rows and the head hash (keep it: a later verify with \
            --head HASH proves that the rows up to it are still the same). Exit 0 when intact, 65 when not.
            """)

    @OptionGroup var options: LedgerOptions

    @Option(help: "A head hash printed by an earlier verify or export: it must still be in the chain.")
    var head: String?

    func run() throws {
        let ledger = try options.open()
        let v = try ledger.verifyAudit()
        if let problem = v.firstProblem {
            printErr("audit chain broken: \(problem)")
            throw Exit.dataError
        }
        if let head {
            var found = false
            try ledger.forEachAuditRow(since: nil) { if $0.hash == head.lowercased() { found = true } }
            if !found {
                printErr("audit chain broken: the earlier head \(head) is no longer in the chain (rows were rewritten)")
                throw Exit.dataError
            }
        }
        print("audit chain intact: \(v.rows) rows, head \(v.headHash)")
    }
}

struct AuditExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the audit rows as JSON Lines for an auditor.",
        discussion: """
            One object per row: seq, at (UTC), fileId, event, detail, prevHash, hash. A row's hash is the SHA-256 (hex) \
            of prevHash, a newline, and the compact JSON array [seq, at, fileId, event, detail] of its values (UTF-8; in \
            strings only " \\ and control characters are escaped: \\n \\r \\t, others and U+2028/U+2029 as \\uXXXX); \
            the first row's prevHash is 64 zeros. The chain is verified first: a broken chain is not exported (exit 65).
            """)

    @OptionGroup var options: LedgerOptions

    @Option(help: "Only rows at or after this UTC date or time (2026-12-01 or 2026-12-01T08:00:00Z).")
    var since: String?

    @Option(name: .shortAndLong, help: "The output file (default: standard output).")
    var output: String?

    func run() throws {
        let from = try since.map { s -> Date in
            guard let d = AuditExportCommand.parseDate(s) else { throw ValidationError("--since: expected YYYY-MM-DD or an ISO 8601 time, got \"\(s)\"") }
            return d
        }
        let ledger = try options.open()
        let v = try ledger.verifyAudit()
        if let problem = v.firstProblem {
            printErr("audit chain broken, not exported: \(problem)")
            throw Exit.dataError
        }
        let handle: FileHandle
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil), let h = FileHandle(forWritingAtPath: output) else {
                printErr("cannot write \(output)")
                throw Exit.dataError
            }
            handle = h
        } else {
            handle = FileHandle.standardOutput
        }
        var buffer = [UInt8]()
        var n = 0
        try ledger.forEachAuditRow(since: from) { row in
            buffer += Array(row.jsonLine.utf8); buffer.append(10); n += 1
            if buffer.count >= 1 << 16 { try handle.write(contentsOf: buffer); buffer.removeAll(keepingCapacity: true) }
        }
        try handle.write(contentsOf: buffer)
        if let output {
            try handle.close()
            printErr("\(n) audit rows written to \(output); chain head \(v.headHash)")
        }
    }

    static func parseDate(_ s: String) -> Date? {
        let full = ISO8601DateFormatter()
        if let d = full.date(from: s) { return d }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        return day.date(from: s)
    }
}
