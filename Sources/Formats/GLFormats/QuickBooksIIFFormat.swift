import Canonical
import FormatKit

/// `quickbooks-iif`: journal entries as a QuickBooks Desktop IIF import file (Intuit Interchange
/// Format), transaction type GENERAL JOURNAL. Chosen because it is the most widely accepted plain
/// journal import (QuickBooks Desktop and many tools that read IIF), it carries a whole balanced
/// multi-line entry as one block, and it has a column for cost centres (CLASS).
///
/// Tab-separated; three header rows name the columns, then per entry a `TRNS` row (the first
/// journal line), one `SPL` row per further line and `ENDTRNS`:
///
/// ```
/// !TRNS  TRNSID  TRNSTYPE  DATE  ACCNT  CLASS  AMOUNT  DOCNUM  MEMO
/// !SPL   SPLID   TRNSTYPE  DATE  ACCNT  CLASS  AMOUNT  DOCNUM  MEMO
/// !ENDTRNS
/// TRNS   1  GENERAL JOURNAL  01/15/2024  1100  CC-SALES  1050.00  SAL-…  Invoice INV-1001
/// ```
/// AMOUNT is positive for a debit and negative for a credit; the amounts of a block sum to zero.
/// DATE is MM/DD/YYYY. DOCNUM is the entry number. ACCNT is the account as the rules name it, so
/// the rules must use the QuickBooks account names (or numbers, when account numbers are on).
/// IIF has no currency column: a batch with more than one currency is refused. Tabs and line
/// breaks cannot appear in a field: in MEMO they become spaces; in an account or class they are refused.
public enum QuickBooksIIFFormat: Format {
    public static let id = "quickbooks-iif"
    public static let summary = "QuickBooks Desktop IIF general journal import (TRNS/SPL blocks), with a control total file"
    public static func writer(options: FormatOptions) -> RecordWriter? { QuickBooksIIFWriter() }
}

/// Writes `journal-<batch>.iif` and the batch's control total file.
public struct QuickBooksIIFWriter: RecordWriter {
    public init() {}

    static let columns = ["TRNSTYPE", "DATE", "ACCNT", "CLASS", "AMOUNT", "DOCNUM", "MEMO"]

    public func write(_ records: [Record], context: WriteContext) throws -> [OutputFile] {
        let batch = try JournalBatch(records: records, context: context)
        let currencies = Set(batch.entries.map(\.currency))
        guard currencies.count <= 1 else {
            throw FormatError("iif.currencies", "IIF has no currency column; the batch mixes \(currencies.sorted().joined(separator: ", ")). Route each currency to its own batch.", field: "currency")
        }
        var rows = [["!TRNS", "TRNSID"] + Self.columns, ["!SPL", "SPLID"] + Self.columns, ["!ENDTRNS"]]
        var id = 0
        for entry in batch.entries {
            for (index, line) in entry.lines.enumerated() {
                id += 1
                rows.append([index == 0 ? "TRNS" : "SPL", String(id), "GENERAL JOURNAL", try Self.usDate(entry.date, entry: entry.number),
                             try Self.identifier(line.account, "ACCNT", entry: entry.number),
                             try Self.identifier(line.costCentre ?? "", "CLASS", entry: entry.number),
                             (line.debit - line.credit).description, entry.number,
                             Self.memo(line.description ?? entry.description)])
            }
            rows.append(["ENDTRNS"])
        }
        let text = rows.map { $0.joined(separator: "\t") + "\r\n" }.joined()
        let bytes: [UInt8]
        do { bytes = try context.encoding.encode(text) } catch {
            throw FormatError("iif.encoding", "cannot write the journal in \(context.encoding): \(error.message)")
        }
        return [OutputFile(name: "journal-\(batch.name).iif", bytes: bytes), try batch.controlFile(encoding: context.encoding)]
    }

    /// `2024-01-15` → `01/15/2024`.
    static func usDate(_ date: String, entry: String) throws -> String {
        let p = date.split(separator: "-")
        guard p.count == 3 else { throw FormatError("iif.date", "entry \(entry): date \"\(date)\" is not YYYY-MM-DD", segment: entry, field: "date") }
        return "\(p[1])/\(p[2])/\(p[0])"
    }

    static func identifier(_ value: String, _ column: String, entry: String) throws -> String {
        guard !value.contains(where: { $0 == "\t" || $0 == "\n" || $0 == "\r" }) else {
            throw FormatError("iif.field", "entry \(entry): \(column) \"\(value)\" contains a tab or line break, which IIF cannot carry", segment: entry, field: column)
        }
        return value
    }

    static func memo(_ text: String) -> String {
        String(text.map { $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
    }
}
