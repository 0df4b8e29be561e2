import XCTest
import FormatKit
@testable import X12

final class EnvelopeTests: XCTestCase {
    func testValidInterchangeHasNoFindings() throws {
        let r = try reports(interchange4010(body: ["BEG*00*SA*1**20240102"]))
        XCTAssertEqual(r.count, 1)
        XCTAssertEqual(X12Reader.findings(r[0]), [])
        XCTAssertEqual(r[0].groups.first?.sets.first?.identifier, "850")
        XCTAssertEqual(r[0].key, X12InterchangeKey(sender: "ZZ:SENDER", receiver: "ZZ:RECEIVER", controlNumber: "000000905"))
    }

    func testWrongSegmentCountNamesSE01WithAK5Code4() throws {
        let text = interchange4010(body: ["BEG*00*SA*1**20240102"]).replacingOccurrences(of: "SE*3*0001", with: "SE*9*0001")
        let f = try XCTUnwrap(reports(text)[0].groups[0].sets[0].findings.first)
        XCTAssertEqual(f.level, .transactionSet)
        XCTAssertEqual(f.ackCode, "4")
        XCTAssertEqual(f.segmentPosition, 3)
        XCTAssertEqual(f.error.field, "SE01")
        XCTAssertEqual(f.error.line, 5)
        XCTAssertThrowsError(try units(text)) { XCTAssertEqual(($0 as? FormatError)?.code, "x12.se01") }
    }

    func testControlNumberMismatchesAtEveryLevel() throws {
        let text = interchange4010(body: ["BEG*00*SA*1**20240102"])
            .replacingOccurrences(of: "SE*3*0001", with: "SE*3*0002")
            .replacingOccurrences(of: "GE*1*77", with: "GE*1*78")
            .replacingOccurrences(of: "IEA*1*000000905", with: "IEA*1*906")
        let r = try reports(text)[0]
        XCTAssertEqual(r.groups[0].sets[0].findings.map(\.ackCode), ["3"])
        XCTAssertEqual(r.groups[0].findings.map(\.ackCode), ["4"])
        XCTAssertEqual(r.findings.map(\.ackCode), ["001"])
        XCTAssertEqual(X12Reader().validate(ByteReader(text: text)).map(\.field), ["SE02", "GE02", "IEA02"])
    }

    /// ISB/ISE (interchange services) belong between ISA and the first GS; inside a group they are
    /// misplaced like any other segment outside a transaction set (they were once let through).
    func testInterchangeServiceSegmentsOnlyBeforeTheFirstGroup() throws {
        let before = interchange4010(body: ["BEG*00*SA*1**20240102"]).replacingOccurrences(of: "~\nGS*", with: "~\nISB*1~\nGS*")
        XCTAssertEqual(X12Reader.findings(try reports(before)[0]), [])
        for id in ["ISB*1", "ISE*1", "TA3*X"] {
            let inside = interchange4010(body: ["BEG*00*SA*1**20240102"]).replacingOccurrences(of: "~\nST*", with: "~\n\(id)~\nST*")
            let f = try XCTUnwrap(X12Reader.findings(try reports(inside)[0]).first, id)
            XCTAssertEqual(f.ackCode, "024", id)
            XCTAssertEqual(f.error.code, "x12.segment-outside", id)
            XCTAssertEqual(f.error.line, 3, id)
        }
    }

    func testControlNumbersCompareAsNumbers() throws {
        let text = interchange4010(body: []).replacingOccurrences(of: "IEA*1*000000905", with: "IEA*1*905")
        XCTAssertEqual(try units(text).count, 1)
    }

    func testCountsInGEAndIEA() throws {
        let text = interchange4010(body: []).replacingOccurrences(of: "GE*1*77", with: "GE*2*77")
            .replacingOccurrences(of: "IEA*1*", with: "IEA*3*")
        let r = try reports(text)[0]
        XCTAssertEqual(r.groups[0].findings.map(\.ackCode), ["5"])
        XCTAssertEqual(r.findings.map(\.ackCode), ["021"])
    }

    func testISAWidthsDatesAndTimes() throws {
        let text = interchange4010(body: []).replacingOccurrences(of: "*SENDER         *", with: "*SENDER*")
            .replacingOccurrences(of: "*240102*1230*", with: "*240231*2460*")
            .replacingOccurrences(of: "*20240102*1230*77*", with: "*20240230*1230*77*")
        let r = try reports(text)[0]
        XCTAssertEqual(r.findings.map(\.error.field), ["ISA06", "ISA09", "ISA10", "GS04"])
        XCTAssertEqual(r.findings.map(\.ackCode), ["006", "014", "015", "024"])
    }

    func testMissingTrailers() throws {
        let full = interchange4010(body: ["BEG*00*SA*1**20240102"])
        let truncated = String(full[..<full.range(of: "GE*1*77")!.lowerBound])
        let r = try reports(truncated)[0]
        XCTAssertEqual(r.groups[0].findings.map(\.ackCode), ["3"])
        XCTAssertEqual(r.findings.map(\.ackCode), ["023"])
        XCTAssertThrowsError(try units(truncated))
        // A channel may accept truncated trailers at the end of the file (warnings only).
        XCTAssertEqual(try units(truncated, options: FormatOptions(values: ["allowMissingTrailers": "true"])).count, 1)
        // A set without SE is never accepted.
        let noSE = String(full[..<full.range(of: "SE*")!.lowerBound])
        XCTAssertEqual(try reports(noSE)[0].groups[0].sets[0].findings.map(\.ackCode), ["2"])
        XCTAssertThrowsError(try units(noSE, options: FormatOptions(values: ["allowMissingTrailers": "true"])))
    }

    func testSeveralInterchangesAndGroups() throws {
        let one = interchange4010(body: ["BEG*00*SA*1**20240102"])
        let twoGroups = one.replacingOccurrences(of: "GE*1*77~\n", with: "GE*1*77~\nGS*PO*S*R*20240102*1230*78*X*004010~\nST*850*0001~\nSE*2*0001~\nGE*1*78~\n")
            .replacingOccurrences(of: "IEA*1*", with: "IEA*2*")
        let text = twoGroups + one.replacingOccurrences(of: "000000905", with: "000000906")
        let r = try reports(text)
        XCTAssertEqual(r.map { $0.groups.count }, [2, 1])
        XCTAssertEqual(r.flatMap(X12Reader.findings), [])
        XCTAssertEqual(try units(text).count, 3)
        XCTAssertEqual(try X12Reader().interchangeKeys(ByteReader(text: text)).map(\.controlNumber), ["000000905", "000000906"])
    }
}
