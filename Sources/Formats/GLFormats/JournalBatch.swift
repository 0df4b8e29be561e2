import Foundation
import Canonical
import FormatKit

/// The journal entries of one outbound batch, checked before anything is written: every record is
/// a `journal_entry` and balances. Shared by the GL writers, with the batch name and control totals.
struct JournalBatch {
    let name: String
    let entries: [JournalEntry]

    /// All-or-nothing: the first record that is not a balanced journal entry refuses the batch.
    init(records: [Record], context: WriteContext) throws {
        var entries = [JournalEntry]()
        for (index, record) in records.enumerated() {
            guard case .journalEntry(let entry) = record.body else {
                throw FormatError("gl.not-journal-entry", "record \(index + 1) (\(record.id)) is a \(record.type.rawValue), not a journal_entry",
                                  field: "type")
            }
            if let problem = entry.invariantViolations().first {
                throw FormatError("gl.unbalanced", "record \(index + 1) (\(record.id)): \(problem)", field: "lines")
            }
            entries.append(entry)
        }
        self.entries = entries
        name = try JournalBatch.batchName(context)
    }

    /// `settings["batchId"]`, else `<yyyyMMdd>-<nnn>` from the clock and the `gl-batch` counter
    /// (batches close daily or on demand; each close takes the next number).
    private static func batchName(_ context: WriteContext) throws -> String {
        if let id = context.settings["batchId"], !id.isEmpty { return id }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = context.timeZone
        let d = calendar.dateComponents([.year, .month, .day], from: context.now)
        let n = try context.counters.next("gl-batch")
        func pad(_ v: Int, _ w: Int) -> String { String(repeating: "0", count: max(0, w - String(v).count)) + String(v) }
        return pad(d.year!, 4) + pad(d.month!, 2) + pad(d.day!, 2) + "-" + pad(Int(n), 3)
    }

    /// The control total file: one row per currency with entry count, line count, debit and credit totals.
    func controlFile(encoding: TextEncoding) throws -> OutputFile {
        var rows = [ControlTotals.header]
        for totals in ControlTotals.of(entries) { rows.append(totals.fields(batch: name)) }
        return OutputFile(name: "journal-\(name).control.csv", bytes: try CSVText.encode(rows, encoding: encoding))
    }
}

/// Totals of a batch in one currency, as the control total file states them.
public struct ControlTotals: Sendable, Hashable {
    public static let header = ["batch", "currency", "entries", "lines", "debitTotal", "creditTotal"]
    public var currency: String
    public var entries: Int
    public var lines: Int
    public var debit: Amount
    public var credit: Amount

    public init(currency: String, entries: Int = 0, lines: Int = 0, debit: Amount = .zero, credit: Amount = .zero) {
        self.currency = currency; self.entries = entries; self.lines = lines; self.debit = debit; self.credit = credit
    }

    /// Per currency, in order of first appearance.
    public static func of(_ entries: [JournalEntry]) -> [ControlTotals] {
        var out = [ControlTotals]()
        for entry in entries {
            let i = out.firstIndex { $0.currency == entry.currency } ?? { out.append(ControlTotals(currency: entry.currency)); return out.count - 1 }()
            out[i].entries += 1
            out[i].lines += entry.lines.count
            out[i].debit += entry.lines.map(\.debit).sum()
            out[i].credit += entry.lines.map(\.credit).sum()
        }
        return out
    }

    func fields(batch: String) -> [String] {
        [batch, currency, String(entries), String(lines), debit.description, credit.description]
    }
}
