import XCTest
import Canonical
import FormatKit
@testable import X12

final class WriterTests: XCTestCase {
    private let noon = Date(timeIntervalSince1970: 1_704_196_800)  // 2024-01-02 12:00 UTC

    private func context(_ counters: CounterSource = MemoryCounters(), settings: [String: String] = Samples.settings) -> WriteContext {
        WriteContext(settings: settings, partner: "acme", counters: counters, now: noon, timeZone: TimeZone(identifier: "UTC")!)
    }

    private func writeAll(_ counters: CounterSource = MemoryCounters(), settings: [String: String] = Samples.settings) throws -> OutputFile {
        let records = [Samples.record(.purchaseOrder(Samples.purchaseOrder), 0), Samples.record(.invoice(Samples.invoice), 1),
                       Samples.record(.shipNotice(Samples.shipNotice), 2), Samples.record(.purchaseOrder(Samples.purchaseOrder), 3)]
        return try XCTUnwrap(try X12Writer().write(records, context: context(counters, settings: settings)).first)
    }

    func testEnvelopeFromSettingsAndCounters() throws {
        let file = try writeAll()
        let text = String(decoding: file.bytes, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("ISA*00*          *00*          *ZZ*OURID          *ZZ*THEIRID        *240102*1200*U*00401*000000001*0*P*>~\n"), text)
        let r = try X12Reader().reports(ByteReader(bytes: file.bytes))
        XCTAssertEqual(r.flatMap(X12Reader.findings), [], "what we write passes our own envelope check")
        XCTAssertEqual(r[0].groups.map(\.functionalID), ["PO", "IN", "SH"])
        XCTAssertEqual(r[0].groups.map(\.controlNumber), ["1", "2", "3"])
        XCTAssertEqual(r[0].groups[0].sets.map(\.controlNumber), ["0001", "0002"])
        XCTAssertEqual(r[0].groups[0].header[2], "OURGS")
        XCTAssertEqual(file.name, "acme-000000001.x12")
    }

    func testControlNumbersAreGapFreeAndNeverReused() throws {
        let counters = MemoryCounters()
        _ = try writeAll(counters)
        let bad = Samples.record(.purchaseOrder(PurchaseOrder(number: "PO*1", date: "2024-01-02", purpose: .original, buyer: Party(),
                                                              seller: Party(), shipTo: Party(), currency: "USD", lines: [])), 0)
        XCTAssertThrowsError(try X12Writer().write([bad], context: context(counters))) {
            XCTAssertEqual(($0 as? FormatError)?.field, "BEG03")
        }
        let second = try writeAll(counters)
        let r = try X12Reader().reports(ByteReader(bytes: second.bytes))
        XCTAssertEqual(r[0].header[13], "000000002", "the failed write used no number")
        XCTAssertEqual(r[0].groups.map(\.controlNumber), ["4", "5", "6"])
    }

    func testVersion5010AndDelimiters() throws {
        var settings = Samples.settings
        settings["version"] = "005010"
        settings["segmentTerminator"] = "\n"
        let file = try writeAll(settings: settings)
        let r = try X12Reader().reports(ByteReader(bytes: file.bytes))
        XCTAssertEqual(r[0].header[12], "00501")
        XCTAssertEqual(r[0].header[11], "^")
        XCTAssertEqual(r[0].delimiters, X12Delimiters(component: UInt8(ascii: ":"), repetition: UInt8(ascii: "^"), segment: [10]))
        XCTAssertEqual(r[0].groups[0].version, "005010")
        XCTAssertThrowsError(try X12Writer().write([], context: context(settings: [:]))) {
            XCTAssertEqual(($0 as? FormatError)?.code, "x12.write.setting")
        }
    }

    func testWrittenSetsReadBackAsTrees() throws {
        var trees = [Node]()
        try X12Reader().read(ByteReader(bytes: try writeAll().bytes)) { trees.append($0) }
        XCTAssertEqual(trees.map { $0.child("ST")?["01"] }, ["850", "850", "810", "856"])
        let po = trees[0]
        XCTAssertEqual(po.child("BEG")?["03"], "PO-4711")
        XCTAssertEqual(po.children(named: "PO1")[0].child("ids")?["UP"], "012345678905")
        XCTAssertEqual(po.children(named: "PO1")[0]["extended"], "25")
        let invoice = trees[2]
        XCTAssertEqual(invoice.child("TDS")?["01"], "3345")
        XCTAssertEqual(invoice.child("TXI")?["02"], "2.48")
        XCTAssertEqual(invoice.children(named: "IT1")[1]["extended"], "5.97")
        let asn = trees[3]
        let order = try XCTUnwrap(asn.child("HL")?.child("HL"))
        XCTAssertEqual(order.child("PRF")?["01"], "PO-4711")
        XCTAssertEqual(order.child("HL")?.child("MAN")?["02"], "00012345678901234567")
        XCTAssertEqual(order.child("HL")?.child("HL")?.child("SN1")?["02"], "10")
        XCTAssertEqual(asn.child("CTT")?["01"], "5")
    }
}
