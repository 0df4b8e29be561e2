import Foundation
import Testing
import Canonical
import FormatKit
import Gateway
import Mapping

/// File → detection → camt053 reader → default mapping → statement records.
@Suite struct CamtTranslateTests {
    static func translate(_ path: String, options: FormatOptions = FormatOptions()) throws -> [Record] {
        let translator = Translator(mappings: try MappingLibrary(directory: Corpus.packageRoot + "/mappings"))
        var records = [Record]()
        try translator.translate(Translator.Job(path: path, sha256: String(repeating: "ab", count: 32), options: options)) { records.append($0) }
        return records
    }

    static func statement(_ record: Record) throws -> Statement {
        guard case .statement(let s) = record.body else { throw FormatError("test", "not a statement: \(record.type)") }
        return s
    }

    @Test func multiStatementFileTranslatesAndBalances() throws {
        let records = try Self.translate(Fixtures.path("camt053.v2.two-statements.xml"), options: FormatOptions(values: ["strictBalances": "true"]))
        #expect(records.count == 2)
        let first = try Self.statement(records[0]), second = try Self.statement(records[1])
        #expect(records[0].source?.format == "camt053")
        #expect(first.account.id == "NL91ABNA0417164300" && first.currency == "EUR")
        #expect(first.reference == "STMT-20261201-NL91" && first.statementNumber == "335")
        #expect(first.openingBalance == Statement.Balance(date: "2026-11-30", amount: Amount("100.00")!))
        #expect(first.closingBalance == Statement.Balance(date: "2026-12-01", amount: Amount("108.85")!))
        #expect(first.lines.map(\.amount) == [Amount("8.85")!])
        #expect(first.lines[0].remittance == "RF18539007547034" && first.lines[0].bankReference == "BANK-REF-0001")
        #expect(second.lines.map(\.amount) == [Amount("-7.00")!])   // DBIT → negative
        #expect(second.lines[0].valueDate == "2026-12-03" && second.lines[0].entryDate == "2026-12-02")
        #expect(second.lines[0].transactionCode == nil && second.lines[0].fields?["proprietaryTransactionCode"] == .string("544"))
        #expect(second.lines[0].counterparty == Statement.Counterparty(name: "Acme Office Supplies", account: "FR1420041010050500013M02606"))
        for r in records { #expect(r.invariantViolations().isEmpty) }
        #expect(records[0].extra?["messageId"] == .string("DG-CAMT-2026-0001"))
    }

    /// The v8 statement's unit, mapped with the default mapping.
    @Test func version08MapsDateTimesPartiesAndDomainCodes() throws {
        let unit = try #require(try units(CamtReaderTests.strict, Fixtures.reader("camt053.v8.xml")).first)
        let library = try MappingLibrary(directory: Corpus.packageRoot + "/mappings")
        let mapping = try #require(library.defaultMapping(format: "camt053", unit: unit))
        let source = RecordSource(partner: "", channel: "", format: "camt053", file: "camt053.v8.xml", sha256: "00", index: 0)
        let s = try Self.statement(try mapping.apply(to: unit, source: source))
        #expect(s.account == Statement.Account(id: "0417164300", name: "DROPGATE DEMO BV"))
        #expect(s.statementNumber == "4021")
        #expect(s.openingBalance == Statement.Balance(date: "2026-11-30", amount: Amount("250.00")!))
        let line = try #require(s.lines.first)
        #expect(line.entryDate == "2026-12-01" && line.valueDate == "2026-12-02")
        #expect(line.transactionCode == "PMNT/RCDT/ESCT")
        #expect(line.bankReference == "V8-BANK-REF-77")
        #expect(line.customerReference == "NW-INV-2026-118")
        #expect(line.counterparty == Statement.Counterparty(name: "Northwind Traders", account: "DE89370400440532013000"))
        #expect(line.remittance == "RF71NW2026118")
    }

    @Test func splitEntryBecomesSignedLines() throws {
        let xml = CamtSplitTests.statement(entry: CamtSplitTests.entry("90.00", details: [CamtSplitTests.detail("100.00", "Anna"), CamtSplitTests.detail("10.00", "Ben", indicator: "DBIT")]))
        let path = NSTemporaryDirectory() + "camt-split-\(UUID().uuidString).xml"
        try xml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let s = try Self.statement(try #require(try Self.translate(path).first))
        #expect(s.lines.map(\.amount) == [Amount("100.00")!, Amount("-10.00")!])
        #expect(s.lines.map(\.customerReference) == ["E-Anna", "E-Ben"])
        #expect(s.openingBalance?.amount == Amount("10.00") && s.closingBalance?.amount == Amount("100.00"))
    }
}
