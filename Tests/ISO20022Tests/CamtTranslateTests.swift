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
        if Corpus.missing() { return }
        let records = try Self.translate(Corpus.iso20022! + "/samples/camt053.v2.multi.statement.xml")
        #expect(records.count == 2)
        let first = try Self.statement(records[0]), second = try Self.statement(records[1])
        #expect(records[0].source?.format == "camt053")
        #expect(first.account.id == "NL26VAYB8060476890" && first.currency == "EUR")
        #expect(first.reference == "253EURNL26VAYB8060476890")
        #expect(first.openingBalance == Statement.Balance(date: "2014-12-30", amount: Amount("18.15")!))
        #expect(first.closingBalance == Statement.Balance(date: "2014-12-31", amount: Amount("27.00")!))
        #expect(first.lines.map(\.amount) == [Amount("8.85")!])
        #expect(second.lines.map(\.amount) == [Amount("-7.00")!])   // DBIT → negative
        #expect(second.lines[0].valueDate == "2015-01-02" && second.lines[0].entryDate == "2014-12-31")
        #expect(second.lines[0].transactionCode == nil && second.lines[0].fields?["proprietaryTransactionCode"] == .string("544"))
        for r in records { #expect(r.invariantViolations().isEmpty) }
        #expect(records[0].extra?["messageId"] == .string("CAMT053RIB000000000001"))
    }

    /// genkgo's v8 sample does not add up (the Translator flags it in `extra.balanceMismatch`), so
    /// this maps the lenient reader's unit with the default mapping directly.
    @Test func version08MapsDateTimesPartiesAndDomainCodes() throws {
        if Corpus.missing() { return }
        let unit = try #require(try units(CamtReaderTests.lenient, Corpus.reader("samples/camt053.v8.xml")).first)
        let library = try MappingLibrary(directory: Corpus.packageRoot + "/mappings")
        let mapping = try #require(library.defaultMapping(format: "camt053", unit: unit))
        let source = RecordSource(partner: "", channel: "", format: "camt053", file: "camt053.v8.xml", sha256: "00", index: 0)
        let s = try Self.statement(try mapping.apply(to: unit, source: source))
        #expect(s.account == Statement.Account(id: "NL26VAYB8060476890", name: "FINPETROL"))
        #expect(s.statementNumber == "12312")
        let line = try #require(s.lines.first)
        #expect(line.entryDate == "2014-12-31" && line.valueDate == "2015-01-02")
        #expect(line.transactionCode == "PMNT/RCDT/BOOK")
        #expect(line.bankReference == "AAAASESS-FP-CN_98765/01")
        #expect(line.customerReference == "MUELL/FINP/RA12345")
        #expect(line.counterparty == Statement.Counterparty(name: "NAME NAME", account: "NL56AGDH9619008421"))
        #expect(line.remittance == "4654654654654654")
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
