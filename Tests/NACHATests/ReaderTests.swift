import Canonical
import FormatKit
import XCTest
@testable import NACHA

final class ReaderTests: XCTestCase {
    private func sampleLines() throws -> [String] {
        let file = try NACHAWriter().write([Sample.payment(1, amount: "100.00", remittance: "INV 1"),
                                            Sample.payment(2, amount: "25.50", transactionCode: "27")], context: Sample.context())[0]
        return Sample.lines(file.bytes)
    }

    func testEntryUnitCarriesHeaderBatchEntryAndMeaning() throws {
        let units = try Sample.units(Sample.bytes(try sampleLines()))
        XCTAssertEqual(units.count, 2)
        let credit = units[0], debit = units[1]
        XCTAssertEqual(credit.name, "entry")
        XCTAssertEqual(credit.line, 3)
        XCTAssertEqual(credit.child("fileHeader")?["immediateDestination"], "231380104")
        XCTAssertEqual(credit.child("batchHeader")?["standardEntryClassCode"], "PPD")
        XCTAssertEqual(credit.child("batchHeader")?["effectiveDate"], "2025-03-17")
        XCTAssertEqual(credit.child("entryDetail")?["amount"], "0000010000")
        XCTAssertEqual(credit.child("addenda")?["paymentRelatedInformation"], "INV 1")
        let c = try XCTUnwrap(credit.child("computed"))
        XCTAssertEqual(c["side"], "credit")
        XCTAssertEqual(c["direction"], "outbound")
        XCTAssertEqual(c.child("debtor")?["name"], "Acme Payroll")
        XCTAssertEqual(c.child("debtor")?["agent"], "231380104", "ODFI with its check digit")
        XCTAssertEqual(c.child("creditor")?["account"], "ACCT1")
        XCTAssertEqual(c["remittance"], "INV 1")
        XCTAssertEqual(debit.child("computed")?.child("debtor")?["name"], "Receiver 2", "a debit collects from the receiver")
        XCTAssertEqual(debit.child("computed")?.child("creditor")?["name"], "Acme Payroll")
    }

    /// validate reports every finding, each with line, record type (segment) and field.
    func testValidateListsEveryFindingWithLineRecordAndField() throws {
        var lines = try sampleLines()
        lines = Sample.patch(lines, line: 3, at: 12, "9")           // entry 1: wrong RDFI check digit
        lines = Sample.patch(lines, line: 5, at: 30, "0000002551")  // entry 2: amount no longer matches the control
        lines = Sample.patch(lines, line: 2, at: 51, "XYZ")         // unknown SEC code
        let findings = Sample.findings(Sample.bytes(lines))
        func has(_ code: String, line: Int, segment: String, field: String) -> Bool {
            findings.contains { $0.code == code && $0.line == line && $0.segment == segment && $0.field == field }
        }
        XCTAssertTrue(has("nacha.sec-code", line: 2, segment: "batchHeader", field: "standardEntryClassCode"), "\(findings)")
        XCTAssertTrue(has("nacha.routing.check-digit", line: 3, segment: "entryDetail", field: "checkDigit"), "\(findings)")
        XCTAssertTrue(has("nacha.control.totalDebitAmount", line: 6, segment: "batchControl", field: "totalDebitAmount"), "\(findings)")
        // The file control's disagreement is a warning unless strictFileControl (see TolerantReadingTests).
        let all = NACHAReader().validate(ByteReader(bytes: Sample.bytes(lines)))
        XCTAssertTrue(all.contains { $0.code == "nacha.control.totalDebitAmount" && $0.line == 7 && $0.segment == "fileControl" && $0.severity == .warning }, "\(all)")
        XCTAssertEqual(findings.first { $0.field == "checkDigit" }?.column, 12)

        // read stops at the first error.
        XCTAssertThrowsError(try Sample.units(Sample.bytes(lines))) { error in
            XCTAssertEqual((error as? FormatErrors)?.errors.count, 1)
        }
    }

    func testChannelOptionsRelaxChecks() throws {
        var lines = try sampleLines()
        lines = Sample.patch(lines, line: 3, at: 12, "9")
        XCTAssertFalse(Sample.findings(Sample.bytes(lines)).isEmpty)
        var options = NACHAOptions(FormatOptions(values: ["allowInvalidCheckDigit": "true"]))
        XCTAssertEqual(Sample.findings(Sample.bytes(lines), options: options), [])

        let noControl = try sampleLines().filter { !$0.hasPrefix("9") }
        XCTAssertEqual(Sample.findings(Sample.bytes(noControl)).map(\.code), ["nacha.structure.missing-file-control"])
        options = NACHAOptions(FormatOptions(values: ["allowMissingFileControl": "yes"]))
        XCTAssertEqual(try Sample.units(Sample.bytes(noControl), options: options).count, 2)
    }

    func testTraceNumbersMustAscendWithinABatch() throws {
        var lines = try sampleLines()
        lines = Sample.patch(lines, line: 5, at: 80, "231380100000001")
        let findings = Sample.findings(Sample.bytes(lines))
        XCTAssertTrue(findings.contains { $0.code == "nacha.trace.order" && $0.line == 5 && $0.field == "traceNumber" }, "\(findings)")
        XCTAssertFalse(Sample.findings(Sample.bytes(lines), options: NACHAOptions(FormatOptions(values: ["customTraceNumbers": "1"])))
            .contains { $0.code == "nacha.trace.order" })
    }

    func testTrimmedLinesAndOneContinuousStreamReadTheSame() throws {
        let lines = try sampleLines()
        let expected = try Sample.units(Sample.bytes(lines)).map(UnitToPayment.payment)
        let trimmed = lines.map { String($0.reversed().drop { $0 == " " }.reversed()) }
        XCTAssertEqual(try Sample.units(Sample.bytes(trimmed)).map(UnitToPayment.payment), expected)
        let stream = Array(lines.joined().utf8)
        XCTAssertEqual(try Sample.units(stream).map(UnitToPayment.payment), expected)
        let stray = Sample.findings(stream + Array("X".utf8))
        XCTAssertEqual(stray.map(\.code), ["nacha.record.length"])
        XCTAssertTrue(stray[0].message.contains("found 1"))
    }

    func testReturnAndNotificationOfChangeCarryTheirCodes() throws {
        var lines = try sampleLines()
        // Turn entry 2 (a debit, no addenda) into a return: indicator 1 and an addenda 99 after it.
        lines = Sample.patch(lines, line: 5, at: 79, "1")
        let trace = String(lines[4].suffix(15))
        let addenda99 = try String(decoding: Addenda.layouts["99"]!.write(["returnCode": "R01", "originalTrace": trace,
                                   "originalRDFI": "12104288", "addendaInformation": "Insufficient funds", "traceNumber": trace]), as: UTF8.self)
        lines.insert(addenda99, at: 5)
        lines = Sample.patch(lines, line: 7, at: 5, "000004")   // batch control entry/addenda count
        lines = Sample.patch(lines, line: 8, at: 14, "00000004") // file control entry/addenda count
        let units = try Sample.units(Sample.bytes(Array(lines.prefix(8))))
        let returned = UnitToPayment.payment(units[1])
        XCTAssertEqual(returned.direction, .return)
        XCTAssertEqual(returned.ach?.returnCode, "R01")
        XCTAssertEqual(units[1].child("addenda")?["addendaInformation"], "Insufficient funds")

        let bad = Sample.patch(Array(lines.prefix(8)), line: 6, at: 4, "R99")
        XCTAssertTrue(Sample.findings(Sample.bytes(bad)).contains { $0.code == "nacha.return-code" && $0.line == 6 && $0.field == "returnCode" })
        XCTAssertEqual(Sample.findings(Sample.bytes(bad), options: NACHAOptions(FormatOptions(values: ["customReturnCodes": "true"]))), [])
    }

    func testStructureErrors() throws {
        let lines = try sampleLines()
        var extra = lines
        extra.insert(lines[2], at: 7)  // an entry after the file control
        XCTAssertTrue(Sample.findings(Sample.bytes(extra)).contains { $0.code == "nacha.structure.after-file-control" && $0.line == 8 })
        let noHeader = Array(lines.dropFirst())
        XCTAssertTrue(Sample.findings(Sample.bytes(noHeader)).contains { $0.code == "nacha.structure.missing-file-header" })
        XCTAssertEqual(Sample.findings(Sample.bytes(noHeader), options: NACHAOptions(FormatOptions(values: ["allowMissingFileHeader": "on"]))), [])
        let orphan = [lines[0], lines[2]] + lines.suffix(from: 6)
        XCTAssertTrue(Sample.findings(Sample.bytes(orphan)).contains { $0.code == "nacha.structure.entry-outside-batch" && $0.line == 2 })
    }
}
