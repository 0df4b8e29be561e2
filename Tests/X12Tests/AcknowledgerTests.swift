import XCTest
import FormatKit
@testable import X12

final class AcknowledgerTests: XCTestCase {
    private let acknowledger = X12Acknowledger(partner: "acme", now: Date(timeIntervalSince1970: 1_704_196_800), timeZone: TimeZone(identifier: "UTC")!)

    private func ack(_ text: String) throws -> [Node] {
        let bytes = try acknowledger.acknowledge(ByteReader(text: text))
        return try units(String(decoding: bytes, as: UTF8.self))
    }

    func test997ForAccepted4010GroupSwapsSenderAndReceiver() throws {
        let bytes = try acknowledger.acknowledge(ByteReader(text: interchange4010(body: ["BEG*00*SA*1**20240102"])))
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("ISA*00*          *00*          *ZZ*RECEIVER       *ZZ*SENDER         *240102*1200*U*00401*000000001*0*P*>~\n"), text)
        XCTAssertTrue(text.contains("TA1*000000905*240102*1230*A*000~"), "ISA14 = 1 asks for a TA1")
        let unit = try XCTUnwrap(try units(text).first)
        XCTAssertEqual(unit.child("GS")?["02"], "RECEIVER")
        XCTAssertEqual(unit.child("GS")?["08"], "004010")
        XCTAssertEqual(unit.child("ST")?["01"], "997")
        XCTAssertEqual(unit.child("AK1")?["02"], "77")
        XCTAssertEqual(unit.child("AK2")?["02"], "0001")
        XCTAssertEqual(unit.child("AK2")?.child("AK5")?["01"], "A")
        XCTAssertEqual(unit.child("AK9")?.children.compactMap(\.value), ["A", "1", "1", "1"])
    }

    func test999ForA5010GroupWithARejectedSet() throws {
        let text = interchange4010(body: ["BEG*00*SA*1**20240102"])
            .replacingOccurrences(of: "*U*00401*", with: "*^*00501*").replacingOccurrences(of: "*X*004010", with: "*X*005010")
            .replacingOccurrences(of: "SE*3*0001", with: "SE*4*0001")
        let unit = try XCTUnwrap(try ack(text).first)
        XCTAssertEqual(unit.child("ST")?["01"], "999")
        XCTAssertEqual(unit.child("AK1")?["03"], "005010")
        XCTAssertEqual(unit.child("AK2")?.child("IK5")?.children.compactMap(\.value), ["R", "4"])
        XCTAssertEqual(unit.child("AK9")?.children.compactMap(\.value), ["R", "1", "1", "0"])
    }

    func testBrokenInterchangeGetsARejectingTA1AndCountersAdvance() throws {
        let text = interchange4010(body: []).replacingOccurrences(of: "IEA*1*000000905", with: "IEA*1*000000999")
        let bytes = try acknowledger.acknowledge(ByteReader(text: text))
        XCTAssertTrue(String(decoding: bytes, as: UTF8.self).contains("TA1*000000905*240102*1230*R*001~"))
        let again = try acknowledger.acknowledge(ByteReader(text: text))
        let r = try X12Reader().reports(ByteReader(bytes: again))
        XCTAssertEqual(r[0].header[13], "000000002")
        XCTAssertEqual(r[0].groups[0].controlNumber, "2")
        XCTAssertThrowsError(try acknowledger.acknowledge(ByteReader(text: "not edi")))
    }
}
