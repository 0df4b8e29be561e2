import Canonical
import FormatKit
import Foundation
import Gateway
import Mapping
import XCTest
import TestSupport
@testable import NACHA

/// The NACHA rules read as practised (each test names its rule; fixtures in Tests/NACHATests/Fixtures).
final class TolerantReadingTests: XCTestCase {
    private func path(_ name: String) -> String { ProjectPaths.packageRoot + "/Tests/NACHATests/Fixtures/" + name }
    private func bytes(_ name: String) throws -> [UInt8] { try ByteReader(path: path(name)).readAll() }

    private func translate(_ name: String, options: [String: String] = [:]) throws -> [Record] {
        var out = [Record]()
        let job = Translator.Job(path: path(name), sha256: try sha256Hex(ofFileAt: path(name)), partner: "bank", channel: "ach",
                                 format: "nacha", options: FormatOptions(values: options))
        try Translator(mappings: try MappingLibrary(directory: ProjectPaths.mappings)).translate(job) { out.append($0) }
        return out
    }

    private func payment(_ record: Record) throws -> Payment {
        guard case .payment(let p) = record.body else { throw NotA("payment") }
        return p
    }

    /// ADV entries carry no trace number: they map, without `ach.traceNumber`, with their advice fields in extra.
    func testADVEntriesMapWithoutATraceNumber() throws {
        let records = try translate("adv-two-advices.ach")
        XCTAssertEqual(records.count, 2)
        let first = try payment(records[0])
        XCTAssertEqual(first.amount, Amount("123.45"))
        XCTAssertEqual(first.ach?.secCode, "ADV")
        XCTAssertNil(first.ach?.traceNumber)
        XCTAssertEqual(records[0].extra?["achOperatorRoutingNumber"], .string("01100001"))
        XCTAssertEqual(records[1].extra?["adviceSequenceNumber"], .string("0002"))
    }

    /// Record contract: an outbound ACH payment needs no `ach.traceNumber`; the writer assigns it.
    func testOutboundPaymentWithoutTraceNumberIsWritten() throws {
        let json = #"{"secCode":"PPD","transactionCode":"22","companyId":"1234567890","companyEntryDescription":"PAYROLL"}"#
        let ach = try JSONDecoder().decode(Payment.ACH.self, from: Data(json.utf8))
        XCTAssertNil(ach.traceNumber)
        guard case .payment(var body) = Sample.payment(1, amount: "10.00").body else { return XCTFail("no payment") }
        body.ach = ach
        let file = try NACHAWriter().write([Record(id: "r1", source: nil, body: .payment(body))], context: Sample.context())[0]
        let entry = try XCTUnwrap(Sample.lines(file.bytes).first { $0.hasPrefix("6") })
        XCTAssertEqual(String(entry.suffix(15)), "231380100000001", "the writer assigned the trace number")
    }

    /// ATX and CTX entries carry up to 9,999 addenda, counted in positions 55–58.
    func testATXAndCTXWithSeveralAddenda() throws {
        let atx = try Sample.units(bytes("atx-three-addenda.ach"))
        XCTAssertEqual(atx.count, 1)
        XCTAssertEqual(atx[0].children.filter { $0.name == "addenda" }.count, 3)
        XCTAssertEqual(try translate("ctx-four-addenda.ach").first.map { try payment($0).ach?.addenda.count }, 4)
        // The count written in the entry must still match.
        var lines = Sample.lines(try bytes("atx-three-addenda.ach"))
        lines = Sample.patch(lines, line: 3, at: 55, "0002")
        XCTAssertEqual(Sample.findings(Sample.bytes(lines)).map(\.code), ["nacha.ctx.addenda-count"])
    }

    /// Zero-dollar CCD/CTX entries are allowed when they carry remittance addenda (05); without, refused.
    func testZeroDollarCCDWithRemittance() throws {
        XCTAssertEqual(try Sample.units(bytes("ccd-zero-dollar-remittance.ach")).count, 1)
        var lines = Sample.lines(try bytes("ccd-zero-dollar-remittance.ach"))
        lines.remove(at: 3)                                   // the addenda 05
        lines = Sample.patch(lines, line: 3, at: 79, "0")     // addenda indicator
        lines = Sample.patch(lines, line: 4, at: 5, "000001") // batch control entry/addenda count
        lines = Sample.patch(lines, line: 5, at: 14, "00000001")
        lines.append(String(repeating: "9", count: 94))
        XCTAssertEqual(Sample.findings(Sample.bytes(lines)).map(\.code), ["nacha.amount.zero"])
    }

    /// Dishonored (R68) and contested dishonored (R72) returns read in their own addenda 99 layouts.
    func testDishonoredAndContestedReturns() throws {
        let records = try translate("dishonored-and-contested-returns.ach")
        XCTAssertEqual(records.count, 2)
        let dishonored = try XCTUnwrap(try payment(records[0]).ach)
        XCTAssertEqual(dishonored.returnCode, "R68")
        XCTAssertEqual(dishonored.addenda.first?["returnTraceNumber"], .string("231380100000011"))
        XCTAssertEqual(dishonored.addenda.first?["returnReasonCode"], .string("01"))
        XCTAssertEqual(dishonored.addenda.first?["addendaInformation"], .string("Untimely Return"))
        let contested = try XCTUnwrap(try payment(records[1]).ach)
        XCTAssertEqual(contested.returnCode, "R72")
        XCTAssertEqual(contested.addenda.first?["dishonoredReturnTraceNumber"], .string("121042880000099"))
        XCTAssertEqual(contested.addenda.first?["dishonoredReturnReasonCode"], .string("68"))
        XCTAssertEqual(contested.addenda.first?["dateOriginalEntryReturned"], .string("261020"))
        // The embedded return reason must be one NACHA defines.
        var lines = Sample.lines(try bytes("dishonored-and-contested-returns.ach"))
        lines = Sample.patch(lines, line: 4, at: 57, "9Z")
        XCTAssertEqual(Sample.findings(Sample.bytes(lines)).map(\.field), ["returnReasonCode"])
    }

    /// A file control that disagrees with its batches reads with warnings; `strictFileControl` refuses it.
    func testFileControlDisagreementIsAWarningUnlessStrict() throws {
        let file = try bytes("file-control-batch-count-off.ach")
        XCTAssertEqual(try Sample.units(file).count, 1)
        let all = NACHAReader().validate(ByteReader(bytes: file))
        XCTAssertEqual(all.map(\.code), ["nacha.control.batchCount"])
        XCTAssertEqual(all.map(\.severity), [.warning])
        let strict = NACHAOptions(FormatOptions(values: ["strictFileControl": "true"]))
        XCTAssertThrowsError(try Sample.units(file, options: strict))
        // A batch control that disagrees with its entries is still an error.
        let lines = Sample.patch(Sample.lines(file), line: 4, at: 5, "000009")
        XCTAssertTrue(Sample.findings(Sample.bytes(lines)).contains { $0.code == "nacha.control.entryAddendaCount" && $0.segment == "batchControl" })
    }
}
