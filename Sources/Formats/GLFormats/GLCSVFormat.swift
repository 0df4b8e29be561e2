import Canonical
import FormatKit

/// `gl-csv`: the generic journal CSV. One row per journal line, consecutive rows of an entry
/// share its number:
///
/// `entry,date,period,currency,account,costCentre,debit,credit,description,entryDescription,sourceRecord`
///
/// Amounts are exact decimals with a `.` (`1250.00`); the side without an amount is empty.
/// `description` is the line's own text, else the entry's. Each batch also gets a control total
/// file (`journal-<batch>.control.csv`: entries, lines, debit and credit totals per currency).
public enum GLCSVFormat: Format {
    public static let id = "gl-csv"
    public static let summary = "General-ledger journal CSV (one row per journal line) with a control total file"
    public static let header = ["entry", "date", "period", "currency", "account", "costCentre", "debit", "credit",
                                "description", "entryDescription", "sourceRecord"]

    public static func detect(_ prefix: [UInt8]) -> Bool {
        significantPrefix(prefix).starts(with: Array(header.joined(separator: ",").utf8))
    }
    public static func reader(options: FormatOptions) -> DocumentReader? { GLCSVReader(encoding: options.encoding, limits: options.limits) }
    public static func writer(options: FormatOptions) -> RecordWriter? { GLCSVWriter() }
}

/// Writes `journal-<batch>.csv` and its control total file.
public struct GLCSVWriter: RecordWriter {
    public init() {}

    public func write(_ records: [Record], context: WriteContext) throws -> [OutputFile] {
        let batch = try JournalBatch(records: records, context: context)
        var rows = [GLCSVFormat.header]
        for entry in batch.entries {
            for line in entry.lines {
                rows.append([entry.number, entry.date, entry.period, entry.currency, line.account, line.costCentre ?? "",
                             line.debit.isZero ? "" : line.debit.description, line.credit.isZero ? "" : line.credit.description,
                             line.description ?? entry.description, entry.description, entry.sourceRecord])
            }
        }
        return [OutputFile(name: "journal-\(batch.name).csv", bytes: try CSVText.encode(rows, encoding: context.encoding)),
                try batch.controlFile(encoding: context.encoding)]
    }
}
