import XCTest
import TestSupport
import Canonical
import FormatKit
import Mapping
import Gateway

let packageRoot = ProjectPaths.packageRoot

/// File → MT940 reader → mapping → canonical records, through the gateway's Translator.
final class TranslateTests: XCTestCase {
    var tmp: URL!

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("mt940tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: tmp) }

    func translate(_ text: String, format: String? = nil, mapping: String? = nil, options: [String: String] = [:],
                   extras: ((JSONObject?) -> Void)? = nil) throws -> [Statement] {
        let path = tmp.appendingPathComponent("statement.sta").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        let translator = Translator(mappings: try MappingLibrary(directory: packageRoot + "/mappings"))
        var out: [Statement] = []
        let job = Translator.Job(path: path, sha256: try sha256Hex(ofFileAt: path), format: format, mapping: mapping,
                                 options: FormatOptions(values: options))
        try translator.translate(job) { record in
            extras?(record.extra)
            guard case .statement(let s) = record.body else { return XCTFail("not a statement") }
            out.append(s)
        }
        return out
    }

    func testDefaultMappingDetectedFormatGermanGVC() throws {
        let statements = try translate(ReaderTests.plain)
        XCTAssertEqual(statements.count, 1)
        let s = statements[0]
        XCTAssertEqual(s.account.id, "NL91ABNA0417164300")
        XCTAssertEqual(s.currency, "EUR")
        XCTAssertEqual(s.statementNumber, "42")
        XCTAssertEqual(s.reference, "STMT-1")
        XCTAssertEqual(s.openingBalance, Statement.Balance(date: "2023-12-29", amount: Amount("1000.00")!))
        XCTAssertEqual(s.closingBalance, Statement.Balance(date: "2023-12-30", amount: Amount("849.50")!))
        XCTAssertEqual(s.lines.map(\.amount), [Amount("-250.50")!, Amount("100")!])
        XCTAssertEqual(s.lines[0].entryDate, "2024-01-02")
        XCTAssertEqual(s.lines[0].transactionCode, "NTRF")
        XCTAssertEqual(s.lines[0].bankReference, "BANK123")
        XCTAssertEqual(s.lines[0].counterparty, Statement.Counterparty(name: "ACME BV", account: "NL20INGB0001234567", bic: "INGBNL2A"))
        XCTAssertEqual(s.lines[0].remittance, "INVOICE 7")
        XCTAssertEqual(s.lines[1].counterparty, Statement.Counterparty(name: "Max Mustermann", account: "DE44500105175407324931", bic: "COBADEFF"))
        XCTAssertEqual(s.lines[1].remittance, "Rechnung 12345")
        XCTAssertTrue(s.lines[1].details?.hasPrefix("166?00GUTSCHRIFT") == true)
    }

    func testDebitBalanceAndReversalsAreSigned() throws {
        let text = """
            :20:R
            :25:A
            :28C:1
            :60F:D240101EUR10,00
            :61:240101RC5,00NTRFNONREF
            :61:240101RD7,25NCHGNONREF
            :62F:D240101EUR7,75
            -
            """
        let s = try XCTUnwrap(translate(text, format: "mt940").first)
        XCTAssertEqual(s.openingBalance?.amount, Amount("-10.00"))
        XCTAssertEqual(s.lines.map(\.amount), [Amount("-5.00")!, Amount("7.25")!], "RC is a debit, RD a credit")
        XCTAssertEqual(s.closingBalance?.amount, Amount("-7.75"))
    }

    func testINGDialectTakesCounterpartyFromCNTP() throws {
        let text = """
            :20:ING
            :25:NL69INGB0123456789EUR
            :28C:1
            :60F:C240102EUR0,00
            :61:240102C12,50NTRFNONREF//ING-1
            :86:/EREF/E-9//CNTP/NL08ABNA0123456789/ABNANL2A/J. JANSEN/AMSTERDAM/REMI/USTD//Huur januari/
            :62F:C240102EUR12,50
            -
            """
        let line = try XCTUnwrap(translate(text, mapping: "mt940/ing").first?.lines.first)
        XCTAssertEqual(line.counterparty, Statement.Counterparty(name: "J. JANSEN", account: "NL08ABNA0123456789", bic: "ABNANL2A"))
        XCTAssertEqual(line.remittance, "Huur januari")
        XCTAssertEqual(line.amount, Amount("12.50"))
    }

    func testRabobankDialectTakesAccountFromSupplementaryLine() throws {
        let text = """
            :20:940S130101
            :25:NL71RABO0123456789
            :28C:0
            :60F:C130101EUR1000,00
            :61:130101D25,00N102EREF
            NL70ABNA0987654321
            :86:/EREF/01-01-2013 12:00 0030000987654321/BENM//NAME/CONTRA ACCOUNT HOLDER/REMI/Invoice 7/ISDT/2013-07-11
            :62F:C130101EUR975,00
            """
        let line = try XCTUnwrap(translate(text, mapping: "mt940/rabobank").first?.lines.first)
        XCTAssertEqual(line.counterparty, Statement.Counterparty(name: "CONTRA ACCOUNT HOLDER", account: "NL70ABNA0987654321"))
        XCTAssertEqual(line.remittance, "Invoice 7")
    }

    func testUnbalancedStatementIsFlaggedOrWithStrictBalancesRejected() throws {
        let broken = ReaderTests.plain.replacingOccurrences(of: "EUR849,50", with: "EUR849,51")
        var flag: JSONValue?
        XCTAssertEqual(try translate(broken, extras: { flag = $0?["balanceMismatch"] }).count, 1)
        XCTAssertTrue(flag?.stringValue?.contains("closing balance is 849.51") == true, "\(String(describing: flag))")
        XCTAssertThrowsError(try translate(broken, options: ["strictBalances": "true"])) { error in
            let report = error as? ErrorReport
            XCTAssertEqual(report?.code, "mt940.balance-mismatch", "\(error)")
            XCTAssertEqual(report?.line, 11)
        }
    }
}
