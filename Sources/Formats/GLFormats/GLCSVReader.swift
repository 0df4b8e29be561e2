import Canonical
import FormatKit

/// Reads `gl-csv` back, one unit per journal entry (consecutive rows with the same entry number):
///
/// ```
/// entry  number, date, period, currency, description, sourceRecord
///   line  account, costCentre?, debit?, credit?, description?      (one per row)
/// ```
/// Checks the header, the column count, the amounts (exact decimals), that a row has a debit or a
/// credit, that the rows of an entry agree on date, period, currency and source, and that each
/// entry balances. Streams: memory holds one entry at a time.
public struct GLCSVReader: DocumentReader {
    public var encoding: TextEncoding
    public var limits: ReaderLimits
    public init(encoding: TextEncoding = .utf8, limits: ReaderLimits = .default) { self.encoding = encoding; self.limits = limits }

    private static let entryColumns: [(column: Int, name: String)] = [(0, "number"), (1, "date"), (2, "period"), (3, "currency"), (9, "description"), (10, "sourceRecord")]
    private static let lineColumns: [(column: Int, name: String)] = [(4, "account"), (5, "costCentre"), (6, "debit"), (7, "credit"), (8, "description")]

    public func read(_ input: ByteReader, emit: (Node) throws -> Void) throws {
        var records = CSVRecordReader(input, encoding: encoding, limits: limits)
        guard let header = try records.next() else { throw FormatError("gl.empty", "the file is empty; expected the gl-csv header", line: 1) }
        guard header.fields == GLCSVFormat.header else {
            throw FormatError("gl.header", "header is \"\(header.fields.joined(separator: ","))\"; expected \"\(GLCSVFormat.header.joined(separator: ","))\"", line: header.line)
        }
        var current: Node?
        var balance = (debit: Amount.zero, credit: Amount.zero)
        func finish() throws {
            guard let entry = current else { return }
            guard balance.debit == balance.credit else {
                throw FormatError("gl.unbalanced", "entry \(entry["number"] ?? ""): debits \(balance.debit) ≠ credits \(balance.credit) (difference \(balance.debit - balance.credit))",
                                  line: entry.line, segment: entry["number"])
            }
            try emit(entry)
            current = nil
            balance = (.zero, .zero)
        }
        while let (fields, line) = try records.next() {
            if fields == [""] { continue }
            guard fields.count == GLCSVFormat.header.count else {
                throw FormatError("gl.columns", "\(fields.count) columns; expected \(GLCSVFormat.header.count)", line: line)
            }
            if current?["number"] != fields[0] {
                try finish()
                current = try entryNode(fields, line: line)
            } else if let entry = current {
                for (column, name) in GLCSVReader.entryColumns where entry[name] != fields[column] && name != "description" {
                    throw FormatError("gl.entry-mismatch", "\(name) \"\(fields[column])\" differs from the entry's first row (\"\(entry[name] ?? "")\")",
                                      line: line, segment: fields[0], field: GLCSVFormat.header[column])
                }
            }
            let (node, debit, credit) = try lineNode(fields, line: line)
            current!.append(node)
            balance.debit += debit
            balance.credit += credit
        }
        try finish()
    }

    private func entryNode(_ fields: [String], line: Int) throws -> Node {
        guard CanonicalDate.isValid(fields[1]) else {
            throw FormatError("gl.date", "date \"\(fields[1])\" is not YYYY-MM-DD", line: line, segment: fields[0], field: "date")
        }
        var node = Node("entry", line: line)
        for (column, name) in GLCSVReader.entryColumns where !fields[column].isEmpty {
            node.append(name, fields[column], line: line)
        }
        return node
    }

    private func lineNode(_ fields: [String], line: Int) throws -> (Node, Amount, Amount) {
        var node = Node("line", line: line)
        var amounts = [Amount.zero, Amount.zero]
        for (column, name) in GLCSVReader.lineColumns where !fields[column].isEmpty {
            if name == "debit" || name == "credit" {
                guard let amount = Amount(fields[column]) else {
                    throw FormatError("gl.amount", "\(name) \"\(fields[column])\" is not an exact decimal like 1250.00", line: line, segment: fields[0], field: name)
                }
                amounts[name == "debit" ? 0 : 1] = amount
            }
            node.append(name, fields[column], line: line)
        }
        if fields[4].isEmpty { throw FormatError("gl.account", "a journal line needs an account", line: line, segment: fields[0], field: "account") }
        if fields[6].isEmpty && fields[7].isEmpty {
            throw FormatError("gl.amount", "a journal line needs a debit or a credit", line: line, segment: fields[0], field: "debit")
        }
        return (node, amounts[0], amounts[1])
    }
}

/// `YYYY-MM-DD` as canonical records write dates.
private enum CanonicalDate {
    static func isValid(_ s: String) -> Bool {
        let p = s.split(separator: "-", omittingEmptySubsequences: false)
        return p.count == 3 && p[0].count == 4 && p[1].count == 2 && p[2].count == 2 && p.allSatisfy { $0.allSatisfy(\.isNumber) }
    }
}
