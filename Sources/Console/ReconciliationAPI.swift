import Foundation
import Canonical
import Hummingbird
import Reconciliation

/// `GET /api/v1/reconciliation?from=&to=[&toleranceDays=]`: the statements the ledger received in
/// the period (UTC days, at most 31) reconciled — as `dropgate reconcile` does — against the
/// outbound payments and open invoices it received from 45 days before the period to its end.
/// Computed when asked (nothing is stored); the same summary per statement as the command's
/// JSON report (`lines` is their count), with every line's result (`results`) and the expected
/// items no line paid.
struct ReconciliationAPI {
    let api: API
    static let maxDays = 31
    static let expectedDaysBefore = 45

    struct Period { var from: String; var to: String; var expectedFrom: String; var toleranceDays: Int }

    func period(_ request: Request, now: Date = Date()) throws -> Period {
        let to = api.q(request, "to") ?? FileFilter.dayString(now)
        guard FileFilter.isDay(to), let toDate = Self.date(to) else { throw BadRequest("to: a day as yyyy-mm-dd") }
        let from = api.q(request, "from") ?? FileFilter.dayString(toDate - 6 * 86_400)
        guard FileFilter.isDay(from), let fromDate = Self.date(from) else { throw BadRequest("from: a day as yyyy-mm-dd") }
        guard fromDate <= toDate, toDate.timeIntervalSince(fromDate) < Double(Self.maxDays) * 86_400 else {
            throw BadRequest("from…to: at most \(Self.maxDays) days, from not after to")
        }
        let tolerance = try api.q(request, "toleranceDays").map { guard let n = Int($0), (0...30).contains(n) else { throw BadRequest("toleranceDays: 0 to 30") }; return n } ?? 3
        return Period(from: from, to: to, expectedFrom: FileFilter.dayString(fromDate - Double(Self.expectedDaysBefore) * 86_400), toleranceDays: tolerance)
    }

    static func date(_ day: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withFullDate]
        return f.date(from: day)
    }

    /// The period's reconciliation, and the file each statement came in (in the report's order).
    func run(_ request: Request) throws -> (period: Period, report: ReconciliationReport, fileIds: [Int64]) {
        let p = try period(request)
        let statements = try api.queries.records(types: ["statement"], receivedFrom: p.from, to: p.to)
        let expected = try api.queries.records(types: ["payment", "invoice"], receivedFrom: p.expectedFrom, to: p.to)
        let report = Reconciler(ReconciliationOptions(toleranceDays: p.toleranceDays)).reconcile(statements: statements.map(\.record), expected: expected.map(\.record))
        // Statements come back in input order, one per statement record.
        return (p, report, statements.filter { if case .statement = $0.record.body { true } else { false } }.map(\.fileId))
    }

    /// The report as JSON text.
    func report(_ request: Request) throws -> String {
        let (p, report, fileIds) = try run(request)
        let items: [JSONValue] = zip(report.statements, fileIds).map { statement, fileId in
            guard case .object(var o) = report.summary(statement) else { return .null }
            o["fileId"] = .number(String(fileId))
            o["results"] = .array(statement.lines.map(Self.line))
            return .object(o)
        }
        return JSONValue.object([
            "from": .string(p.from), "to": .string(p.to), "expectedFrom": .string(p.expectedFrom), "toleranceDays": .number(String(p.toleranceDays)),
            "statements": .array(items), "unmatchedExpected": .array(report.unmatchedExpected.map(Self.expected)),
        ]).jsonText
    }

    static func line(_ l: LineResult) -> JSONValue {
        .object([
            "line": .number(String(l.line)), "valueDate": .string(l.valueDate), "amount": .string(l.amount.description), "status": .string(l.status.rawValue),
            "method": l.method.map { .string($0.rawValue) } ?? .null, "expected": .array(l.expected.map(expected)),
            "difference": l.difference.map { .string($0.description) } ?? .null, "counterparty": l.counterparty.map(JSONValue.string) ?? .null,
            "text": l.text.map(JSONValue.string) ?? .null, "transactionCode": l.transactionCode.map(JSONValue.string) ?? .null,
        ])
    }

    static func expected(_ e: ExpectedItem) -> JSONValue {
        .object(["kind": .string(e.kind.rawValue), "record": .string(e.recordID), "reference": .string(e.reference), "date": .string(e.date),
                 "amount": .string(e.amount.description), "currency": .string(e.currency), "party": .string(e.party)])
    }
}
