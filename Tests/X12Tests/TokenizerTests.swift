import XCTest
import FormatKit
@testable import X12

final class TokenizerTests: XCTestCase {
    private func segments(_ text: String) throws -> [X12Segment] {
        var t = X12Tokenizer(ByteReader(text: text))
        var out = [X12Segment]()
        while let s = try t.next() { out.append(s) }
        return out
    }

    func testDelimitersComeFromTheISA() throws {
        let text = "ISA|00|          |00|          |ZZ|A              |ZZ|B              |240102|1230|^|00501|000000001|0|P|:!GS|FA|A|B|20240102|1230|1|X|005010!"
        var t = X12Tokenizer(ByteReader(text: text))
        let isa = try XCTUnwrap(try t.next())
        XCTAssertEqual(isa.elements.count, 16)
        XCTAssertEqual(t.delimiters, X12Delimiters(element: UInt8(ascii: "|"), component: UInt8(ascii: ":"), repetition: UInt8(ascii: "^"), segment: [UInt8(ascii: "!")]))
        XCTAssertEqual(try t.next()?.elements, ["FA", "A", "B", "20240102", "1230", "1", "X", "005010"])
    }

    func testU4010IsNotARepetitionSeparator() throws {
        var t = X12Tokenizer(ByteReader(text: interchange4010(body: ["BEG*00*SA*1**20240102"])))
        _ = try t.next()
        XCTAssertNil(t.delimiters?.repetition)
        XCTAssertEqual(t.delimiters?.component, UInt8(ascii: ">"))
    }

    func testBOMWhitespaceAndLineWrappingAreNotData() throws {
        let plain = interchange4010(body: ["BEG*00*SA*PO-1**20240102"], terminator: "~")
        var wrapped = "\u{FEFF}  \n"
        var column = 0
        for ch in plain {  // hard-wrap at 20 columns, even inside the ISA
            wrapped.append(ch); column += 1
            if column == 20 { wrapped += "\r\n"; column = 0 }
        }
        let a = try segments(plain), b = try segments(wrapped)
        XCTAssertEqual(a.map(\.elements), b.map(\.elements))
        XCTAssertEqual(b[3].elements, ["00", "SA", "PO-1", "", "20240102"])
    }

    func testNewlineAndMultiByteTerminators() throws {
        let lf = interchange4010(body: ["REF*DP*038"], terminator: "\n").replacingOccurrences(of: "P*>\n", with: "P*>\n")
        XCTAssertEqual(try segments(lf).map(\.id), ["ISA", "GS", "ST", "REF", "SE", "GE", "IEA"])
        let ellipsis = interchange4010(body: ["REF*DP*038"], terminator: "…\n")
        let s = try segments(ellipsis)
        XCTAssertEqual(s[3].elements, ["DP", "038"])
        XCTAssertEqual(s[3].line, 4)
    }

    func testBinarySegmentReadsItsByteCount() throws {
        let text = interchange4010("000", body: ["BIN*12*ab~*\ncd:efgh", "REF*A*B"])
        let s = try segments(text)
        XCTAssertEqual(s[3].id, "BIN")
        XCTAssertEqual(s[3].elements, ["12", "ab~*\ncd:efgh"])
        XCTAssertEqual(s[4].id, "REF")
        XCTAssertThrowsError(try segments(interchange4010("000", body: ["BIN*1x*ab"]))) { error in
            XCTAssertEqual((error as? X12Finding)?.error.code, "x12.binary-length")
        }
    }

    func testNotX12IsRejectedWithItsPosition() {
        XCTAssertThrowsError(try segments("hello*world~")) { error in
            let f = error as? X12Finding
            XCTAssertEqual(f?.error.code, "x12.not-x12")
            XCTAssertEqual(f?.error.line, 1)
        }
    }

    func testDetect() {
        XCTAssertTrue(X12Format.detect(Array("\u{FEFF}\n ISA*00*".utf8)))
        XCTAssertFalse(X12Format.detect(Array("ISAAC".utf8)))
        XCTAssertFalse(X12Format.detect(Array("UNA:+.? '".utf8)))
    }
}
