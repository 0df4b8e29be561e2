import ArgumentParser
import Foundation
import Canonical
import Posting
import Reconciliation

struct PostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "post",
        abstract: "Turn canonical records into balanced journal entries through the posting rules (mappings/gl/).",
        discussion: """
            Prints canonical journal_entry JSON Lines. A void or cancel is posted as the exact reversal of its invoice's \
            entry, found among the records given (and --journal, entries posted earlier). A record without a rule, or \
            an entry that does not balance, stops the run with the figures (exit 65).
            """)

    @OptionGroup var config: ConfigOptions

    @Option(help: "Journal entries posted earlier (JSON Lines), where voids find their originals.")
    var journal: String?

    @Argument(help: "Canonical records (JSON Lines).")
    var records: String

    func run() throws {
        let poster = try Poster(rulesDirectory: try config.mappingsDirectory() + "/gl")
        var earlier = [String: JournalEntry]()
        if let journal {
            for r in try JSONLines.decode(fileAt: journal) {
                if case .journalEntry(let j) = r.body { earlier[j.number] = j; earlier[j.sourceRecord] = j }
            }
        }
        do {
            let entries = try poster.post(records: try JSONLines.decode(fileAt: records)) { earlier[$0] }
            for e in entries { print(try JSONLines.line(e)) }
        } catch let e as PostingError {
            printErr("post failed: \(e)")
            throw Exit.dataError
        }
    }
}

struct ReconcileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Match statement lines against expected payments and open invoices; write a report per statement.",
        discussion: """
            Writes <statement>.csv (every line with its status: matched, partial, unmatched) and <statement>.json \
            (a summary with unmatched expected items) into REPORT_DIR, and prints the payment-received journal entries \
            of matched customer receipts (JSON Lines) when --post is given.
            """)

    @OptionGroup var config: ConfigOptions

    @Option(name: .shortAndLong, help: "The folder for the reports.")
    var output: String

    @Option(help: "Days a payment's value date may differ from the expected date.")
    var toleranceDays: Int = 3

    @Flag(help: "Also post matched receipts through the posting rules and print the journal entries.")
    var post = false

    @Argument(help: "Statements (canonical JSON Lines).")
    var statements: String

    @Argument(help: "Expected items: payments we emitted and open invoices (canonical JSON Lines).")
    var expected: String

    func run() throws {
        let report = Reconciler(ReconciliationOptions(toleranceDays: toleranceDays))
            .reconcile(statements: try JSONLines.decode(fileAt: statements), expected: try JSONLines.decode(fileAt: expected))
        let files = try report.writeReport(to: output)
        for s in report.statements {
            printErr("\(s.account) \(s.statementNumber): \(s.count(.matched)) matched, \(s.count(.partiallyMatched)) partial, \(s.count(.unmatched)) unmatched")
        }
        printErr("\(report.unmatchedExpected.count) expected item(s) not found; reports: \(files.joined(separator: ", "))")
        if post {
            for e in try Poster(rulesDirectory: try config.mappingsDirectory() + "/gl").post(records: report.receipts) { print(try JSONLines.line(e)) }
        }
    }
}
