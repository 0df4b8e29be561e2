import Foundation
import Testing
import TestSupport
import Canonical
import FormatKit
import Gateway
import Mapping
@testable import ISO20022

/// camt.052 (intraday report) and camt.054 (debit/credit notification) read like camt.053:
/// detected by namespace, streamed one Rpt/Ntfctn at a time, the same statement lines.
@Suite struct CamtReportAndNotificationTests {
    static func fixture(_ name: String) -> String { ProjectPaths.packageRoot + "/Tests/ISO20022Tests/Fixtures/" + name }

    @Test func camt052ReportTranslatesToAStatement() throws {
        let records = try CamtTranslateTests.translate(Self.fixture("camt052.v8.intraday.xml"))
        #expect(records.count == 1)
        #expect(records[0].source?.format == "camt052")
        let s = try CamtTranslateTests.statement(records[0])
        #expect(s.account.id == "DE44500105175407324931" && s.currency == "EUR" && s.statementNumber == "17")
        #expect(s.openingBalance == Statement.Balance(date: "2026-12-02", amount: Amount("1000.00")!))
        #expect(s.closingBalance == nil, "an intraday ITBD balance is not a closing balance")
        #expect(s.lines.map(\.amount) == [Amount("150.00")!])
        #expect(s.lines[0].transactionCode == "PMNT/RCDT/ESCT" && s.lines[0].customerReference == "E2E-52-1")
        #expect(s.lines[0].counterparty?.name == "Muster GmbH" && s.lines[0].remittance == "INVOICE 2026-118")
    }

    @Test func camt054NotificationTranslatesToAStatementWithoutBalances() throws {
        let records = try CamtTranslateTests.translate(Self.fixture("camt054.v8.notification.xml"))
        #expect(records.count == 1)
        #expect(records[0].source?.format == "camt054")
        let s = try CamtTranslateTests.statement(records[0])
        #expect(s.statementNumber == "NTF-1" && s.reference == "NTF-1")
        #expect(s.openingBalance == nil && s.closingBalance == nil)
        #expect(s.lines.map(\.amount) == [Amount("-42.50")!, Amount("7.50")!])
        #expect(s.lines[0].remittance == "RF18539007547034" && s.lines[1].remittance == "REFUND FEE")
        // The line's `fields` carry the structured remittance and references.
        #expect(s.lines[0].fields?["creditorReference"] == .string("RF18539007547034"))
        #expect(s.lines[0].fields?["endToEndId"] == .string("E2E-54-1"))
        #expect(s.lines[1].fields == nil)
    }

    @Test func eachReaderRefusesTheOtherMessages() throws {
        let report = try ByteReader(path: Self.fixture("camt052.v8.intraday.xml"))
        #expect(throws: FormatError.self) { try CamtStatementReader(message: .notification).read(report) { _ in } }
        let notification = try ByteReader(path: Self.fixture("camt054.v8.notification.xml"))
        #expect(throws: FormatError.self) { try CamtStatementReader().read(notification) { _ in } }
        #expect(Camt052Format.detect(Array(try String(contentsOfFile: Self.fixture("camt052.v8.intraday.xml"), encoding: .utf8).utf8.prefix(200))))
        #expect(!Camt053Format.detect(Array(try String(contentsOfFile: Self.fixture("camt054.v8.notification.xml"), encoding: .utf8).utf8.prefix(200))))
    }
}
