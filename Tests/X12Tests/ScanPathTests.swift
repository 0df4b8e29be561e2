import XCTest
import Foundation
import FormatKit
import TestSupport
@testable import X12

/// The scan path (memchr over the buffer, envelope-only reports) must read every input exactly as
/// the byte-at-a-time path does: the same segments at the same places, the same findings.
final class ScanPathTests: XCTestCase {
    private func tokens(_ bytes: [UInt8], scan: Bool) -> ([X12Segment], String?) {
        var t = X12Tokenizer(ByteReader(bytes: bytes))
        t.scanPath = scan
        var out = [X12Segment]()
        do { while let s = try t.next() { out.append(s) } } catch { return (out, "\(error)") }
        return (out, nil)
    }

    private func reports(_ bytes: [UInt8], envelopeOnly: Bool, scan: Bool) -> String {
        var options = X12EnvelopeChecker.Options()
        options.envelopeOnly = envelopeOnly
        options.scanPath = scan
        do {
            let r = try X12EnvelopeChecker(options: options).scan(ByteReader(bytes: bytes), onFinding: { _ in }, onSet: { _ in })
            return "\(r)"
        } catch { return "error: \(error)" }
    }

    private func inputs() throws -> [[UInt8]] {
        let po = [
            "BEG*00*SA*PO-1**20240102", "N1*BY*Buyer Inc*92*B-1", "PO1*1*10*EA*2.5**BP*B-77", "PID*F****Widget ünïcode", "CTT*1",
        ]
        var all: [[UInt8]] = [
            Array(interchange4010(body: po).utf8),
            Array(interchange4010(body: po, terminator: "~").utf8),
            Array(interchange4010(body: po, terminator: "~\r\n").utf8),
            Array(interchange4010(body: po, terminator: "\n").utf8),
            Array(interchange4010(body: ["BEG*00*SA*PO-1**20240102", "BIN*3*a~b", "CTT*1"]).utf8),
            Array(interchange4010(body: ["BEG*00*SA*PO-1**20240102", "bad*1", "CTT*1"]).utf8),
            Array(interchange4010(body: ["BEG*00*SA*PO-1**20240102", "TOOLONG*1", "CTT*1"]).utf8),
            Array(interchange4010(body: ["BEG*00*SA*PO-1**20240102", "CTT"]).utf8),
            Array(interchange4010(body: ["BEG*00*SA*PO\n-1**20240102", "CTT*1"], terminator: "~").utf8),
            Array(interchange4010(body: ["BEG*00*SA*PO-1**20240102", "CTT*1"]).utf8) + [0xFF, 0x2A, 0x7E],
            Array(interchange4010(body: ["BEG*00*SA*PO-\u{FF}1**20240102", "CTT*1"]).utf8.map { $0 == 0xC3 ? 0xFF : $0 }),
        ]
        all.append(Array(try XCTUnwrap(FileManager.default.contents(atPath: ProjectPaths.packageRoot + "/samples/globex/edi/po-88231.x12"))))
        // Every input cut short at many places, and with bytes changed, reads the same both ways too.
        for base in all.prefix(2) {
            for cut in stride(from: 1, to: base.count, by: 7) { all.append(Array(base.prefix(cut))) }
            for i in stride(from: 0, to: base.count, by: 5) {
                for b: UInt8 in [0x7E, 0x2A, 0x0A, 0x3E, 0x80] { var m = base; m[i] = b; all.append(m) }
            }
        }
        return all
    }

    func testTokensAreTheSameOnBothPaths() throws {
        for (n, input) in try inputs().enumerated() {
            let a = tokens(input, scan: true), b = tokens(input, scan: false)
            XCTAssertEqual(a.0, b.0, "input \(n)")
            XCTAssertEqual(a.1, b.1, "input \(n)")
        }
    }

    func testEnvelopeOnlyReportsEqualFullReports() throws {
        for (n, input) in try inputs().enumerated() {
            let full = reports(input, envelopeOnly: false, scan: false)
            XCTAssertEqual(reports(input, envelopeOnly: true, scan: true), full, "input \(n)")
            XCTAssertEqual(reports(input, envelopeOnly: false, scan: true), full, "input \(n)")
        }
    }

    func testEnvelopeOnlyKeepsEnvelopeElementsAndDropsBodies() throws {
        var t = X12Tokenizer(ByteReader(text: interchange4010(body: ["BEG*00*SA*PO-1**20240102", "CTT*1"])))
        t.envelopeOnly = true
        var seen = [String: [String]]()
        while let s = try t.next() { seen[s.id] = s.elements }
        XCTAssertEqual(seen["GS"]?.count, 8)
        XCTAssertEqual(seen["SE"], ["4", "0001"])
        XCTAssertEqual(seen["BEG"], [])
        XCTAssertEqual(seen["CTT"], [])
    }
}
