import XCTest
import Canonical
import Posting
@testable import Reconciliation

final class ReconciliationTests: XCTestCase {
    func reconcile() -> ReconciliationReport {
        Reconciler(ReconciliationOptions(toleranceDays: 3, directCodes: ["NCHG", "NINT"]))
            .reconcile(statements: [DayFixture.statement], expected: DayFixture.expected)
    }

    func testMatchesAndExceptionsOfTheDay() throws {
        let report = reconcile()
        let lines = try XCTUnwrap(report.statements.first).lines
        XCTAssertEqual(lines.map(\.status), [.matched, .partiallyMatched, .matched, .matched, .matched, .direct, .direct, .unmatched, .matched])
        XCTAssertEqual(lines.map(\.method), [.invoiceNumber, .invoiceNumber, .amountAndCustomer, .endToEndId, .traceNumber, nil, nil, nil, .amountAndDate])
        XCTAssertEqual(lines[0].expected.map(\.reference), ["INV-1001"])
        XCTAssertEqual(lines[1].difference, Amount("-20.00"), "400.00 received against 420.00")
        XCTAssertEqual(lines[2].expected.map(\.reference), ["INV-0999"])
        XCTAssertEqual(lines[3].expected.map(\.recordID), [DayFixture.payments[0].id])
        XCTAssertEqual(lines[4].expected.map(\.recordID), [DayFixture.payments[1].id])
        XCTAssertEqual(lines[8].expected.map(\.recordID), [DayFixture.payments[2].id], "executed two days before, within tolerance")
        // Not paid today: INV-1002 and the Paper Co payment. INV-1003 was voided, so not expected.
        XCTAssertEqual(report.unmatchedExpected.map(\.reference), ["INV-1002", ""])
        XCTAssertEqual(report.unmatchedExpected.map(\.recordID), [DayFixture.invoices[1].id, DayFixture.payments[3].id])
    }

    func testToleranceAndOneUseOfEachExpectedItem() {
        let strict = Reconciler(ReconciliationOptions(toleranceDays: 1)).reconcile(statements: [DayFixture.statement], expected: DayFixture.expected)
        XCTAssertEqual(strict.statements[0].lines[8].status, .unmatched, "two days apart with a one-day tolerance")
        XCTAssertEqual(strict.statements[0].lines[5].status, .unmatched, "without directCodes a fee is an exception")
        // The same statement twice: the second copy finds nothing left to match.
        let twice = Reconciler().reconcile(statements: [DayFixture.statement, DayFixture.statement], expected: DayFixture.expected)
        XCTAssertEqual(twice.statements[1].lines.filter { $0.status == .matched || $0.status == .partiallyMatched }.count, 0)
    }

    func testMatchedReceiptsBecomePaymentReceivedEntries() throws {
        let report = reconcile()
        XCTAssertEqual(report.receipts.count, 3)
        let entries = try Poster(rulesDirectory: DayFixture.rulesDirectory).post(records: report.receipts)
        XCTAssertEqual(entries.count, 3)
        let contoso = try XCTUnwrap(entries[0].journal)
        XCTAssertEqual(contoso.number, "RCP-\(DayFixture.statement.id)-line1")
        XCTAssertEqual(contoso.lines.map(\.account), ["1030", "1110"], "Dr Bank / Cr Contoso's receivable account")
        XCTAssertEqual(contoso.lines.map(\.debit), [Amount("1050")!, .zero])
        XCTAssertEqual(contoso.lines.map(\.credit), [.zero, Amount("1050")!])
        XCTAssertEqual(entries[1].journal?.lines[0].debit, Amount("400.00")!, "the amount actually received")
        XCTAssertEqual(entries.compactMap(\.journal).flatMap { $0.invariantViolations() }, [])
    }

    func testWritesCSVAndJSONSummaryPerStatement() throws {
        let dir = DayFixture.temporaryDirectory("recon")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let written = try reconcile().writeReport(to: dir)
        let base = dir + "/reconciliation-" + DayFixture.statement.id
        XCTAssertEqual(written, [base + ".csv", base + ".json", dir + "/unmatched-expected.csv"])

        let csv = try String(contentsOfFile: base + ".csv", encoding: .utf8).components(separatedBy: "\r\n")
        XCTAssertEqual(csv[0], "line,valueDate,amount,currency,transactionCode,status,method,expectedType,expectedRecords,expectedReferences,expectedAmount,difference,counterparty,text")
        XCTAssertEqual(csv[2], "2,2024-03-15,400.00,USD,NTRF,partially_matched,invoice-number,invoice,\(DayFixture.invoices[3].id),INV-1004,420.00,-20.00,Globex Corp,Payment for INV-1004")
        XCTAssertEqual(csv[8], "8,2024-03-15,77.00,USD,NTRF,unmatched,,,,,,,Unknown Person,MISC DEPOSIT")

        let summary = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: URL(fileURLWithPath: base + ".json")))
        XCTAssertEqual(summary["lines"], .number("9"))
        XCTAssertEqual(summary["matched"], .number("5"))
        XCTAssertEqual(summary["partiallyMatched"], .number("1"))
        XCTAssertEqual(summary["unmatched"], .number("1"))
        XCTAssertEqual(summary["direct"], .number("2"))
        XCTAssertEqual(summary["unmatchedAmount"], .string("77.00"))
        XCTAssertEqual(summary["differenceTotal"], .string("-20.00"))
        XCTAssertEqual(summary["unmatchedExpected"], .number("2"))

        let expected = try String(contentsOfFile: dir + "/unmatched-expected.csv", encoding: .utf8)
        XCTAssertTrue(expected.contains("invoice,\(DayFixture.invoices[1].id),INV-1002,2024-03-15,210.00,USD,Fabrikam Inc"), expected)
    }

    func testTokensAndDays() {
        XCTAssertTrue(TextMatching.tokens(in: "EREF+inv-1001/PAID").isSuperset(of: ["INV-1001", "EREF+INV-1001/PAID", "1001"]))
        XCTAssertFalse(TextMatching.tokens(in: "INV-10012 X").contains("INV-1001"))
        XCTAssertTrue(TextMatching.tokens(in: "ACH CCD TRACE 091000010000001").contains("091000010000001"))
        XCTAssertTrue(TextMatching.sameParty("INITECH GMBH", "Initech GmbH"))
        XCTAssertFalse(TextMatching.sameParty("AB", "ABC Corp"))
        XCTAssertEqual(DayNumber.distance("2024-02-28", "2024-03-01"), 2)
        XCTAssertEqual(DayNumber.of("1970-01-01"), 0)
    }
}
