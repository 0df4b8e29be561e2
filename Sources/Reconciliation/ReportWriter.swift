import Foundation
import Canonical

extension ReconciliationReport {
    /// Writes, per statement, `reconciliation-<statement id>.csv` (one row per statement line) and
    /// `reconciliation-<statement id>.json` (counts and totals), plus `unmatched-expected.csv`
    /// (expected items no line paid). Returns the paths written.
    @discardableResult
    public func writeReport(to directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var written = [String]()
        func write(_ name: String, _ text: String) throws {
            let path = directory + "/" + name
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            written.append(path)
        }
        for statement in statements {
            let base = "reconciliation-" + ReportText.fileSafe(statement.statementID)
            try write(base + ".csv", ReportText.linesCSV(statement))
            try write(base + ".json", summary(statement).jsonText + "\n")
        }
        try write("unmatched-expected.csv", ReportText.expectedCSV(unmatchedExpected))
        return written
    }

    /// The JSON summary of one statement: counts per status, amounts, and the run's unmatched expected items.
    public func summary(_ statement: StatementReconciliation) -> JSONValue {
        func total(_ status: LineResult.Status) -> JSONValue {
            .string(statement.lines.filter { $0.status == status }.map(\.amount).sum().description)
        }
        let differences = statement.lines.compactMap(\.difference).sum()
        return .object([
            "statement": .string(statement.statementID),
            "account": .string(statement.account),
            "statementNumber": .string(statement.statementNumber),
            "currency": .string(statement.currency),
            "lines": .number(String(statement.lines.count)),
            "matched": .number(String(statement.count(.matched))),
            "partiallyMatched": .number(String(statement.count(.partiallyMatched))),
            "unmatched": .number(String(statement.count(.unmatched))),
            "direct": .number(String(statement.count(.direct))),
            "matchedAmount": total(.matched),
            "partiallyMatchedAmount": total(.partiallyMatched),
            "unmatchedAmount": total(.unmatched),
            "directAmount": total(.direct),
            "differenceTotal": .string(differences.description),
            "unmatchedExpected": .number(String(unmatchedExpected.count)),
        ])
    }
}

/// The CSV layouts of the reconciliation report (RFC 4180 quoting).
enum ReportText {
    static let lineHeader = ["line", "valueDate", "amount", "currency", "transactionCode", "status", "method",
                             "expectedType", "expectedRecords", "expectedReferences", "expectedAmount", "difference",
                             "counterparty", "text"]
    static let expectedHeader = ["type", "record", "reference", "date", "amount", "currency", "party"]

    static func linesCSV(_ s: StatementReconciliation) -> String {
        var rows = [lineHeader]
        for l in s.lines {
            rows.append([String(l.line), l.valueDate, l.amount.description, s.currency, l.transactionCode ?? "", l.status.rawValue,
                         l.method?.rawValue ?? "", l.expected.first?.kind.rawValue ?? "",
                         l.expected.map(\.recordID).joined(separator: " "), l.expected.map(\.reference).joined(separator: " "),
                         l.expected.isEmpty ? "" : l.expected.map(\.amount).sum().description,
                         l.difference?.description ?? "", l.counterparty ?? "", l.text ?? ""])
        }
        return csv(rows)
    }

    static func expectedCSV(_ items: [ExpectedItem]) -> String {
        csv([expectedHeader] + items.map {
            [$0.kind.rawValue, $0.recordID, $0.reference, $0.date, $0.amount.description, $0.currency, $0.party]
        })
    }

    static func csv(_ rows: [[String]]) -> String {
        rows.map { $0.map(quoted).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// An id usable as a file name: letters, digits, `-` and `_`; anything else becomes `_`.
    static func fileSafe(_ id: String) -> String {
        String(id.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }
}
