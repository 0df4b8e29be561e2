import XCTest
import TestSupport
import Canonical
import FormatKit
import Mapping
@testable import X12

/// Rule "ISA padded text by delimiters" (X12HeaderRules.tolerantWidth): the ISA is read by the
/// separators it declares; ISA02/ISA04/ISA06/ISA08 of another width read with a warning,
/// `strictEnvelope: true` refuses them, the rest of the ISA stays exact.
final class TolerantEnvelopeTests: XCTestCase {
    private func fixture(_ name: String) throws -> ByteReader {
        try ByteReader(path: ProjectPaths.packageRoot + "/Tests/X12Tests/Fixtures/" + name)
    }

    private func records(_ name: String, options: FormatOptions = FormatOptions()) throws -> [Record] {
        let lib = try MappingLibrary(directory: ProjectPaths.mappings)
        var out = [Record]()
        try X12Reader(options: options).read(try fixture(name)) { unit in
            let mapping = try XCTUnwrap(lib.defaultMapping(format: "x12", unit: unit))
            out.append(try mapping.apply(to: unit, source: RecordSource(partner: "p", channel: "c", format: "x12", file: name, sha256: "00", index: out.count)))
        }
        return out
    }

    private func warnings(_ record: Record) -> [String] {
        guard case .array(let items)? = record.extra?["warnings"] else { return [] }
        return items.compactMap { if case .string(let s) = $0 { s } else { nil } }
    }

    func testOneSpaceAuthorizationAndUnpaddedIDsReadWithWarnings() throws {
        let read = try records("isa-unpadded.edi")
        XCTAssertEqual(read.count, 1)
        let w = warnings(read[0])
        XCTAssertEqual(w.count, 4, "\(w)")
        XCTAssertTrue(w[0].hasPrefix("ISA02 \" \" is 1 characters"), w[0])
        let findings = X12Reader().validate(try fixture("isa-unpadded.edi"))
        XCTAssertEqual(findings.map(\.field), ["ISA02", "ISA04", "ISA06", "ISA08"])
        XCTAssertTrue(findings.allSatisfy { $0.severity == .warning })
        let report = try X12Reader().reports(try fixture("isa-unpadded.edi"))[0]
        XCTAssertEqual(report.key, X12InterchangeKey(sender: "ZZ:ACMEBUYER", receiver: "ZZ:WIDGETSELLER", controlNumber: "000000511"))
    }

    func testIDsOneCharacterShortOrLongRead() throws {
        let read = try records("isa-id-short-and-long.edi")
        XCTAssertEqual(warnings(read[0]).count, 2)
        XCTAssertEqual(X12Reader().validate(try fixture("isa-id-short-and-long.edi")).map(\.field), ["ISA06", "ISA08"])
    }

    func testStrictEnvelopeRefusesEveryWidthDeviation() throws {
        let strict = FormatOptions(values: ["strictEnvelope": "true"])
        for name in ["isa-unpadded.edi", "isa-id-short-and-long.edi"] {
            XCTAssertThrowsError(try X12Reader(options: strict).read(try fixture(name)) { _ in }, name) {
                XCTAssertEqual(($0 as? FormatError)?.field.map { ["ISA02", "ISA06"].contains($0) }, true, "\($0)")
            }
        }
    }

    func testTA1AcceptsWhatTheRuleReads() throws {
        // isa-unpadded.edi asks for a TA1 (ISA14 = 1): it is an acceptance, and the 997 accepts the set.
        let ack = String(decoding: try X12Acknowledger().acknowledge(try fixture("isa-unpadded.edi")), as: UTF8.self)
        XCTAssertTrue(ack.contains("TA1*000000511*240102*1230*A*000~"), ack)
        XCTAssertTrue(ack.contains("AK5*A~"), ack)
        XCTAssertTrue(ack.contains("AK9*A*1*1*1~"), ack)
        let strict = String(decoding: try X12Acknowledger().acknowledge(X12Reader(options: FormatOptions(values: ["strictEnvelope": "true"]))
            .reports(try fixture("isa-unpadded.edi"))), as: UTF8.self)
        XCTAssertTrue(strict.contains("TA1*000000511*240102*1230*R*011~"), strict)
    }

    func testWhatIsReallyBrokenStaysRefused() throws {
        // ISA13 eight digits: the control number's width is not padding.
        XCTAssertThrowsError(try X12Reader().read(try fixture("isa-control-number-short.edi")) { _ in }) {
            XCTAssertEqual(($0 as? FormatError)?.field, "ISA13")
        }
        // An id two characters over its width, and an empty id.
        let base = String(decoding: try fixture("isa-id-short-and-long.edi").readAll(), as: UTF8.self)
        for bad in [base.replacingOccurrences(of: "*ACMEBUYER12345*", with: "*ACMEBUYER12345678*"),
                    base.replacingOccurrences(of: "*ACMEBUYER12345*", with: "**")] {
            XCTAssertThrowsError(try X12Reader().read(ByteReader(text: bad)) { _ in }) {
                XCTAssertEqual(($0 as? FormatError)?.field, "ISA06")
            }
        }
        // ISA02 empty only when ISA01 says no authorization information (00).
        let unpadded = String(decoding: try fixture("isa-unpadded.edi").readAll(), as: UTF8.self)
        XCTAssertNoThrow(try X12Reader().read(ByteReader(text: unpadded.replacingOccurrences(of: "ISA*00* *", with: "ISA*00**"))) { _ in })
        XCTAssertThrowsError(try X12Reader().read(ByteReader(text: unpadded.replacingOccurrences(of: "ISA*00* *", with: "ISA*03**"))) { _ in })
    }
}
