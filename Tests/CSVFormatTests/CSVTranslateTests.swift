import XCTest
import TestSupport
import Canonical
import FormatKit
import Mapping
import Gateway

let packageRoot = ProjectPaths.packageRoot

final class CSVTranslateTests: XCTestCase {
    var translator: Translator!
    var tmp: URL!

    override func setUpWithError() throws {
        translator = Translator(mappings: try MappingLibrary(directory: packageRoot + "/mappings"))
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("csvtests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: tmp) }

    func translate(_ path: String, mapping: String, encoding: String = "utf-8", options: [String: String] = [:]) throws -> [Record] {
        var out = [Record]()
        let job = Translator.Job(path: path, sha256: try sha256Hex(ofFileAt: path), partner: "p", channel: "c", mapping: mapping,
                                 options: FormatOptions(encoding: TextEncoding(encoding)!, values: options))
        try translator.translate(job) { out.append($0) }
        return out
    }

    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let path = tmp.appendingPathComponent(name).path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    func testBankStatementSampleGroupsRowsIntoStatements() throws {
        let records = try translate(packageRoot + "/samples/acme-bank/statements/statement-2026-11-20.csv", mapping: "csv/bank-statement")
        XCTAssertEqual(records.count, 2)
        guard case .statement(let s) = records[0].body else { return XCTFail("not a statement") }
        XCTAssertEqual(s.account.id, "NL91ABNA0417164300")
        XCTAssertEqual(s.openingBalance?.amount, Amount("1000"))
        XCTAssertEqual(s.closingBalance?.amount, Amount("2225.25"))
        XCTAssertEqual(s.lines.map(\.amount), [Amount("1250")!, Amount("-24.75")!])
        XCTAssertEqual(s.lines[0].transactionCode, "NTRF")
        XCTAssertEqual(s.lines[1].transactionCode, "NCHG")
        XCTAssertEqual(s.lines[0].remittance, "Invoice INV-2026-0042; thank you")
        XCTAssertEqual(s.lines[0].valueDate, "2026-11-20")
        XCTAssertNil(s.lines[1].counterparty, "empty columns leave the key out")
        guard case .statement(let s2) = records[1].body else { return XCTFail() }
        XCTAssertEqual(s2.lines[0].remittance, "Zero line\nwith a two-line note")
        XCTAssertEqual(records[1].source?.index, 1)
        XCTAssertEqual(records[0].id, String(records[0].source!.sha256.prefix(16)) + "-0")
    }

    func testInvoiceSampleInWindows1252() throws {
        let records = try translate(packageRoot + "/samples/northwind/invoices/invoices-2026-11.csv", mapping: "csv/invoice", encoding: "windows-1252")
        XCTAssertEqual(records.count, 2)
        guard case .invoice(let inv) = records[0].body, case .invoice(let cn) = records[1].body else { return XCTFail() }
        XCTAssertEqual(inv.lines.count, 2)
        XCTAssertEqual(inv.lines[0].description, "Café crème machine")
        XCTAssertEqual(inv.lines[1].description, "Installation, on site")
        XCTAssertEqual(inv.totals.total, Amount("1250"))
        XCTAssertEqual(cn.kind, .creditNote)
        XCTAssertEqual(cn.originalNumber, "INV-2026-0042")
        XCTAssertNil(cn.dueDate)
    }

    func testInvalidUTF8IsRejectedWithLineAndByte() throws {
        let path = packageRoot + "/samples/northwind/invoices/invoices-2026-11.csv"   // Windows-1252 bytes
        XCTAssertThrowsError(try translate(path, mapping: "csv/invoice")) { error in
            let r = error as! ErrorReport
            XCTAssertEqual(r.code, "input.encoding")
            XCTAssertEqual(r.line, 2)
            XCTAssertEqual(r.column, 152, "the byte of é")
            XCTAssertEqual(r.stage, .read)
        }
    }

    func testRaggedRowNamesRowAndColumn() throws {
        let path = write("ragged.csv", Array("Direction,Execution date,Amount,Currency,Debtor,Creditor\noutbound,2026-01-02,1.00,EUR,A,B\noutbound,2026-01-02,1.00\n".utf8))
        XCTAssertThrowsError(try translate(path, mapping: "csv/bank-payment")) { error in
            let r = error as! ErrorReport
            XCTAssertEqual(r.code, "csv.ragged-row")
            XCTAssertEqual(r.line, 3)
            XCTAssertEqual(r.column, 4)
            XCTAssertTrue(r.message.contains("3 fields"), r.message)
        }
    }

    func testEmptyAndBinaryFiles() throws {
        XCTAssertThrowsError(try translate(write("empty.csv", []), mapping: "csv/bank-payment")) { XCTAssertEqual(($0 as! ErrorReport).code, "input.empty") }
        XCTAssertThrowsError(try translate(write("bin.csv", [0x50, 0x4B, 0x03, 0x04, 0x00, 0x00, 0x0A]), mapping: "csv/bank-payment")) {
            XCTAssertEqual(($0 as! ErrorReport).code, "input.binary")
        }
    }

    func testUnterminatedQuoteAndMappingErrorsAreLocated() throws {
        let quote = write("q.csv", Array("Direction,Amount\noutbound,\"12.00\n".utf8))
        XCTAssertThrowsError(try translate(quote, mapping: "csv/bank-payment")) { error in
            let r = error as! ErrorReport
            XCTAssertEqual(r.code, "csv.unterminated-quote"); XCTAssertEqual(r.line, 2); XCTAssertEqual(r.column, 2)
        }
        let badDate = write("d.csv", Array("Direction,Execution date,Amount,Currency,Debtor,Creditor\noutbound,2026-02-30,1.00,EUR,A,B\n".utf8))
        XCTAssertThrowsError(try translate(badDate, mapping: "csv/bank-payment")) { error in
            let r = error as! ErrorReport
            XCTAssertEqual(r.stage, .map); XCTAssertEqual(r.line, 2); XCTAssertEqual(r.column, 2)
            XCTAssertEqual(r.field, "executionDate")
            XCTAssertTrue(r.message.contains("2026-02-30"), r.message)
        }
        let missing = write("m.csv", Array("Direction,Execution date,Amount,Currency,Debtor\noutbound,2026-02-03,1.00,EUR,A\n".utf8))
        XCTAssertThrowsError(try translate(missing, mapping: "csv/bank-payment")) { error in
            XCTAssertTrue((error as! ErrorReport).message.contains("missing field creditor"), "\(error)")
        }
    }

    func testBig5AndDelimiters() throws {
        // 台北 in Big5 is A5 78 A5 5F; 0x5F/0x78 are ASCII-range trail bytes the splitter must not see.
        var bytes = Array("Direction|Execution date|Amount|Currency|Debtor|Creditor\noutbound|2026-01-05|10|TWD|".utf8)
        bytes += [0xA5, 0x78, 0xA5, 0x5F] + Array("|B\n".utf8)
        let records = try translate(write("big5.csv", bytes), mapping: "csv/bank-payment", encoding: "big5", options: ["delimiter": "|"])
        guard case .payment(let p) = records.first?.body else { return XCTFail() }
        XCTAssertEqual(p.debtor.name, "台北")
        XCTAssertEqual(p.amount.description, "10.00")

        let tab = write("tab.csv", Array("Direction\tExecution date\tAmount\tCurrency\tDebtor\tCreditor\r\noutbound\t2026-01-05\t\"1,5\"\tEUR\t\"A \"\"quoted\"\" name\"\tB\r\n".utf8))
        XCTAssertThrowsError(try translate(tab, mapping: "csv/bank-payment", options: ["delimiter": "auto"]), "1,5 is not a decimal with separator .")
        let ok = write("tab2.csv", Array("\u{FEFF}Direction\tExecution date\tAmount\tCurrency\tDebtor\tCreditor\r\noutbound\t2026-01-05\t1.5\tEUR\t\"A \"\"quoted\"\" name\"\tB\r\n".utf8))
        guard case .payment(let p2) = try translate(ok, mapping: "csv/bank-payment", options: ["delimiter": "auto"]).first?.body else { return XCTFail() }
        XCTAssertEqual(p2.debtor.name, "A \"quoted\" name")
    }

    func testOutboundMappingWritesRowsThatReadBack() throws {
        let lib = try MappingLibrary(directory: packageRoot + "/mappings")
        let records = try translate(packageRoot + "/samples/acme-bank/payments/payments-2026-11-21.csv", mapping: "csv/bank-payment")
        let out = try lib.mapping(named: "csv/bank-payment-out")
        let rows = try records.flatMap { try out.rows(for: $0) }
        let file = try CSVFormatWriterHarness.write(header: out.columns, rows: rows)
        let again = try translate(write("again.csv", file), mapping: "csv/bank-payment")
        XCTAssertEqual(again.map(\.body), records.map(\.body))
        XCTAssertEqual(rows[0][7], "Contoso GmbH")
    }
}

import CSVFormat
enum CSVFormatWriterHarness {
    static func write(header: [String], rows: [[String]]) throws -> [UInt8] {
        try CSVFormat.tabularWriter(options: FormatOptions()).write(header: header, rows: rows, context: WriteContext()).bytes
    }
}

/// Issue 11: a quote in a long unquoted field rescanned the field each time (quadratic); an open
/// quoted field grew without bound.
final class CSVHostileInputTests: XCTestCase {
    private func readError(_ text: String, _ values: [String: String] = [:]) -> FormatError? {
        guard let reader = CSVFormat.reader(options: FormatOptions(values: values)) else { XCTFail("no csv reader"); return nil }
        do { try reader.read(ByteReader(text: text)) { _ in }; return nil } catch { return error as? FormatError }
    }

    func testQuotesInsideAnUnquotedFieldAreLinear() {
        XCTAssertNil(readError("a,b\n1," + String(repeating: "a\"", count: 200_000) + "\n"))
    }

    func testOpenQuotedFieldIsRefusedPastTheLimit() {
        let e = readError("a,b\n1,\"" + String(repeating: "abcdefghi\n", count: 200), ["maxFieldBytes": "1000"])
        XCTAssertEqual(e?.code, "csv.field-too-long")
        XCTAssertEqual(e?.line, 2)
    }
}
