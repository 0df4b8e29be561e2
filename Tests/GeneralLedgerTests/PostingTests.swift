import XCTest
import Canonical
@testable import Posting

final class PostingTests: XCTestCase {
    func poster() throws -> Poster { try Poster(rulesDirectory: DayFixture.rulesDirectory) }

    func entry(_ entries: [Record], _ number: String, file: StaticString = #filePath, line: UInt = #line) throws -> JournalEntry {
        try XCTUnwrap(entries.first { $0.id == number }?.journal, "no entry \(number) among \(entries.map(\.id))", file: file, line: line)
    }

    func testPostsTheDayAsBalancedEntries() throws {
        let entries = try poster().post(records: DayFixture.day)
        // 4 sales, 1 reversal, 1 credit note, 4 vendor payments, 1 fee, 1 interest.
        XCTAssertEqual(entries.count, 12, "\(entries.map(\.id))")
        for record in entries {
            let j = try XCTUnwrap(record.journal)
            XCTAssertEqual(j.invariantViolations(), [], record.id)
            XCTAssertEqual(j.period, "2024-03")
            XCTAssertEqual(j.currency, "USD")
            XCTAssertTrue(DayFixture.day.contains { $0.id == j.sourceRecord }, "sourceRecord \(j.sourceRecord) is a posted record's id")
        }
        let sale = try entry(entries, "SAL-" + DayFixture.invoices[0].id)
        XCTAssertEqual(sale.lines.map(\.account), ["1110", "4000", "2310"], "Contoso's receivable account comes from ledger.yaml")
        XCTAssertEqual(sale.lines.map(\.debit), [Amount("1050.00")!, .zero, .zero])
        XCTAssertEqual(sale.lines.map(\.credit), [.zero, Amount("1000.00")!, Amount("50.00")!])
        XCTAssertEqual(sale.lines[1].costCentre, "CC-SALES")
        XCTAssertEqual(sale.description, "Invoice INV-1001 Contoso Ltd")
        XCTAssertEqual(sale.date, "2024-03-15")

        let credit = try entry(entries, "CRN-" + DayFixture.invoices[5].id)
        XCTAssertEqual(credit.lines.map(\.account), ["4000", "2310", "1100"])
        XCTAssertEqual(credit.lines.map(\.debit), [Amount("20")!, Amount("1")!, .zero])
        XCTAssertEqual(credit.lines.map(\.credit), [.zero, .zero, Amount("21")!])

        let vendor = try entry(entries, "PAY-" + DayFixture.payments[0].id)
        XCTAssertEqual(vendor.lines.map(\.account), ["2010", "1030"], "Dr AP (ACME's account) / Cr Bank")
        XCTAssertEqual(vendor.lines[0].debit, Amount("1500")!)

        let statementID = DayFixture.statement.id
        let fee = try entry(entries, "FEE-\(statementID)-6")
        XCTAssertEqual(fee.lines.map(\.account), ["6810", "1030"])
        XCTAssertEqual(fee.lines.map(\.debit), [Amount("12.50")!, .zero])
        XCTAssertEqual(fee.lines.map(\.credit), [.zero, Amount("12.50")!])
        XCTAssertEqual(fee.lines[0].costCentre, "CC-FINANCE")
        let interest = try entry(entries, "INT-\(statementID)-7")
        XCTAssertEqual(interest.lines.map(\.account), ["1030", "7100"])
        XCTAssertEqual(interest.lines[0].debit, Amount("3.20")!)
    }

    func testVoidIsTheExactReversalOfItsInvoice() throws {
        let entries = try poster().post(records: DayFixture.day)
        let sale = try entry(entries, "SAL-" + DayFixture.invoices[2].id)
        let reversal = try entry(entries, "REV-" + DayFixture.invoices[4].id)
        XCTAssertEqual(reversal.lines.count, sale.lines.count)
        for (r, s) in zip(reversal.lines, sale.lines) {
            XCTAssertEqual(r.account, s.account)
            XCTAssertEqual(r.costCentre, s.costCentre)
            XCTAssertEqual(r.debit, s.credit)
            XCTAssertEqual(r.credit, s.debit)
        }
        XCTAssertEqual(reversal.description, "Reversal of INV-1003 (void VOID-1003)")
        XCTAssertEqual(reversal.sourceRecord, DayFixture.invoices[4].id)
    }

    func testVoidFindsItsOriginalThroughTheLedgerLookup() throws {
        let earlier = try poster().post(records: [DayFixture.invoices[2]])[0].journal!
        var asked = [String]()
        let entries = try poster().post(records: [DayFixture.invoices[4]]) { number in
            asked.append(number)
            return number == "INV-1003" ? earlier : nil
        }
        XCTAssertEqual(asked, ["INV-1003"])
        XCTAssertEqual(entries[0].journal?.lines.map(\.credit), earlier.lines.map(\.debit))

        XCTAssertThrowsError(try poster().post(records: [DayFixture.invoices[4]])) { error in
            let e = error as! PostingError
            XCTAssertEqual(e.code, .originalNotFound)
            XCTAssertEqual(e.rule, "invoice-reversal")
            XCTAssertTrue(e.description.contains("INV-1003"), e.description)
        }
    }

    func testEntryNumbersAreDeterministic() throws {
        let first = try poster().post(records: DayFixture.day).map { try JSONLines.line($0) }
        let second = try poster().post(records: DayFixture.day).map { try JSONLines.line($0) }
        XCTAssertEqual(first, second)
        XCTAssertTrue(first[0].hasPrefix(#"{"schema":"dropgate/1","type":"journal_entry","id":"SAL-a1a1a1a1a1a1a1a1-1","#), first[0])
    }

    func testClosedPeriodMovesTheEntryWithANote() throws {
        var settings = try PostingSettings.load(directory: DayFixture.rulesDirectory)
        settings.closedPeriods = ["2024-02", "2024-03"]
        let poster = try Poster(rulesDirectory: DayFixture.rulesDirectory, settings: settings)
        let late = DayFixture.invoice(9, .invoice, "INV-0900", date: "2024-02-28", buyer: DayFixture.contoso, net: "10.00", tax: "0.50")
        let posted = try poster.post(records: [late])[0]
        XCTAssertEqual(posted.journal?.period, "2024-04")
        XCTAssertEqual(posted.journal?.date, "2024-04-01")
        XCTAssertEqual(posted.extra?["documentDate"], .string("2024-02-28"))
        XCTAssertEqual(posted.extra?["note"]?.stringValue, "period 2024-02 is closed; posted on 2024-04-01 in 2024-04")
    }

    func testUnbalancedRuleIsRefusedWithTheFigures() throws {
        let dir = DayFixture.temporaryDirectory("unbalanced")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        type: invoice
        kinds: [invoice]
        entry: { prefix: BAD, date: issueDate, description: "forgot the tax" }
        lines:
          - { account: "1100", debit: totals.total }
          - { account: "4000", credit: totals.net }
        """.write(toFile: dir + "/sale.yaml", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Poster(rulesDirectory: dir).post(records: [DayFixture.invoices[0]])) { error in
            let e = error as! PostingError
            XCTAssertEqual(e.code, .unbalanced)
            XCTAssertTrue(e.message.contains("debits 1050.00, credits 1000.00, difference 50.00"), e.message)
            XCTAssertEqual(e.record, DayFixture.invoices[0].id)
        }
    }

    func testRecordsWithoutARuleAndUnknownBankAccountsAreRefused() throws {
        let ret = Record(id: "r1", source: nil, body: .payment(Payment(direction: .return, method: "ach", amount: Amount("5")!, currency: "USD",
                                                                        executionDate: "2024-03-15", debtor: .init(name: "A"), creditor: .init(name: "B"))))
        XCTAssertThrowsError(try poster().post(records: [ret])) { XCTAssertEqual(($0 as! PostingError).code, .noRule) }

        var stranger = DayFixture.payments[0]
        if case .payment(var p) = stranger.body { p.debtor.account = "UNKNOWN"; stranger.body = .payment(p) }
        XCTAssertThrowsError(try poster().post(records: [stranger])) { error in
            let e = error as! PostingError
            XCTAssertEqual(e.code, .unknownKey)
            XCTAssertTrue(e.message.contains("\"UNKNOWN\" is not in table `bankAccounts`"), e.message)
        }
    }

    func testBadRuleFileNamesItsLine() {
        XCTAssertThrowsError(try RuleLoader.load(id: "x", yaml: "type: invoice\nentry: { prefix: X, date: issueDate, description: d }\nlines:\n  - { account: \"1\", debit: a, credit: b }\n  - { account: \"2\", credit: b }\n")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("rule x: line 4"), text)
            XCTAssertTrue(text.contains("exactly one of `debit` and `credit`"), text)
        }
    }

    func testCodePatterns() {
        XCTAssertTrue(LineMatch.code("PMNT-CCRD-CHRG", matches: "*-CHRG"))
        XCTAssertTrue(LineMatch.code("NCHG", matches: "NCHG"))
        XCTAssertFalse(LineMatch.code("NCHGX", matches: "NCHG"))
        XCTAssertTrue(LineMatch.code("NINT", matches: "NI*"))
        XCTAssertEqual(Period.next(after: "2024-12"), "2025-01")
        XCTAssertNil(Period.of(date: "2024-13-01"))
    }
}
