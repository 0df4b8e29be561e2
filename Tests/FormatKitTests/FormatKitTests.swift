import XCTest
import FormatKit
import XMLSupport

final class LineReaderTests: XCTestCase {
    func lines(_ bytes: [UInt8]) throws -> [String] {
        var r = LineReader(ByteReader(bytes: bytes))
        var out = [String]()
        while let l = try r.next() { out.append(String(decoding: l, as: UTF8.self)) }
        return out
    }

    func testSplitsLFCRLFAndCR() throws {
        XCTAssertEqual(try lines(Array("a\nb\r\nc\rd".utf8)), ["a", "b", "c", "d"])
        XCTAssertEqual(try lines(Array("a\r\n\r\nb\n".utf8)), ["a", "", "b"])
        XCTAssertEqual(try lines([]), [])
    }

    func testLinesAcrossChunkBoundaries() throws {
        // A CRLF split across the 64 KiB chunk boundary must count as one line end.
        let first = [UInt8](repeating: 65, count: ByteReader.chunkSize - 1) + [13]
        let bytes = first + [10] + Array("next\n".utf8)
        let got = try lines(bytes)
        XCTAssertEqual(got.count, 2)
        XCTAssertEqual(got[0].count, ByteReader.chunkSize - 1)
        XCTAssertEqual(got[1], "next")
    }

    func testReadsRealFilesInChunks() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lr-\(UUID()).txt").path
        let text = (0..<50_000).map { "line \($0)" }.joined(separator: "\n")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let input = try ByteReader(path: path)
        XCTAssertEqual(try input.peek(6), Array("line 0".utf8))
        var r = LineReader(input)
        var n = 0, last = ""
        while let l = try r.next() { n += 1; last = String(decoding: l, as: UTF8.self) }
        XCTAssertEqual(n, 50_000)
        XCTAssertEqual(last, "line 49999")
        XCTAssertTrue(r.lastLineUnterminated)
    }
}

final class TextEncodingTests: XCTestCase {
    func testDecodesLegacyEncodings() throws {
        XCTAssertEqual(try TextEncoding("cp1252")!.decode([0x80, 0x20, 0xE9]), "€ é")
        XCTAssertEqual(try TextEncoding("iso-8859-2")!.decode([0xB1, 0xE6]), "ąć")
        XCTAssertEqual(try TextEncoding("cp852")!.decode([0xA5]), "ą")
        XCTAssertEqual(try TextEncoding("big5")!.decode([0xA4, 0xA4, 0xA4, 0xE5]), "中文")
        XCTAssertEqual(try TextEncoding.utf8.decode([0xEF, 0xBB, 0xBF, 0x41], dropBOM: true), "A")
        XCTAssertNil(TextEncoding("klingon"))
    }

    func testInvalidInputIsAnErrorWithItsOffset() {
        XCTAssertThrowsError(try TextEncoding.utf8.decode([0x41, 0x42, 0xC3, 0x28])) { XCTAssertEqual(($0 as! TextEncodingError).offset, 2) }
        XCTAssertThrowsError(try TextEncoding.utf8.decode([0xED, 0xA0, 0x80]), "UTF-16 surrogates are not UTF-8")
        XCTAssertThrowsError(try TextEncoding("big5")!.decode([0x41, 0xA4]), "a truncated double-byte character")
    }

    func testUnmappableCharacterIsNamedNeverReplaced() throws {
        XCTAssertEqual(try TextEncoding("big5")!.encode("台灣"), [0xA5, 0x78, 0xC6, 0x57])
        XCTAssertThrowsError(try TextEncoding("big5")!.encode("ab😀c")) { e in
            let err = e as! TextEncodingError
            XCTAssertEqual(err.character, "😀")
            XCTAssertEqual(err.offset, 2)
            XCTAssertTrue(err.message.contains("U+1F600"), err.message)
        }
    }
}

final class XMLSupportTests: XCTestCase {
    func testDoctypeWithExternalEntitiesIsRefusedAndNothingIsFetched() throws {
        let secret = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID()).txt").path
        try "TOP SECRET".write(toFile: secret, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: secret) }
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE d [ <!ENTITY xxe SYSTEM "file://\(secret)"> <!ENTITY net SYSTEM "http://127.0.0.1:9/x"> ]>
            <d><a>&xxe;</a><b>&net;</b></d>
            """
        // Refused before libxml2 sees it (issue 11: inbound XML never declares a DTD).
        XCTAssertThrowsError(try XMLDocument(bytes: Array(xml.utf8))) { e in
            XCTAssertEqual((e as? FormatError)?.code, "xml.doctype")
            XCTAssertEqual((e as? FormatError)?.line, 2)
            XCTAssertFalse("\(e)".contains("TOP SECRET"))
        }
    }

    func testMalformedXMLNamesTheLine() {
        XCTAssertThrowsError(try XMLDocument(bytes: Array("<a>\n<b></a>".utf8))) { e in
            XCTAssertEqual((e as! FormatError).line, 2)
        }
    }

    func testXSDValidationListsViolationsWithLines() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xsd-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let xsd = """
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
              <xs:element name="Pmt"><xs:complexType><xs:sequence>
                <xs:element name="Amt" type="xs:decimal"/><xs:element name="Ccy" type="xs:string"/>
              </xs:sequence></xs:complexType></xs:element>
            </xs:schema>
            """
        try xsd.write(to: dir.appendingPathComponent("p.xsd"), atomically: true, encoding: .utf8)
        let schema = try XMLSchema(path: dir.appendingPathComponent("p.xsd").path)
        XCTAssertEqual(schema.validate(try XMLDocument(bytes: Array("<Pmt><Amt>1.50</Amt><Ccy>EUR</Ccy></Pmt>".utf8))), [])
        let errors = schema.validate(try XMLDocument(bytes: Array("<Pmt>\n<Amt>abc</Amt>\n</Pmt>".utf8)))
        XCTAssertEqual(errors.count, 2)
        XCTAssertEqual(errors.first?.line, 2)
        XCTAssertEqual(errors.first?.code, "xsd.invalid")
    }
}

/// Issue 11: the limits every reader shares, and the cap on what a report quotes.
final class ReaderLimitTests: XCTestCase {
    func testLongLineIsRefusedWithoutRescanning() throws {
        var lines = LineReader(ByteReader(bytes: Array(repeating: UInt8(ascii: "a"), count: 3 << 20)))
        XCTAssertThrowsError(try lines.next()) { XCTAssertEqual(($0 as? FormatError)?.code, "input.line-too-long") }
        var short = LineReader(ByteReader(text: "ab\ncd"), maxLineBytes: 2)
        XCTAssertEqual(try short.next().map { Array($0) }, Array("ab".utf8))
        XCTAssertEqual(try short.next().map { Array($0) }, Array("cd".utf8))
    }

    func testReportsQuoteExcerptsOnly() {
        let e = FormatError("x", "value \"\(String(repeating: "é", count: 5_000_000))\" is bad")
        XCTAssertLessThanOrEqual(e.message.utf8.count, 100)
        XCTAssertTrue(e.message.hasSuffix("…\" is bad"), e.message)
        XCTAssertEqual(FormatError("x", "short \"v\"").message, "short \"v\"")
        XCTAssertLessThanOrEqual(FormatError("x", String(repeating: "z", count: 100_000)).message.utf8.count, FormatError.messageBytes + 3)
    }

    func testLimitsFromOptions() {
        let limits = FormatOptions(values: ["maxXMLDepth": "7", "maxLineBytes": "x", "maxSegments": "-1"]).limits
        XCTAssertEqual(limits.maxXMLDepth, 7)
        XCTAssertEqual(limits.maxLineBytes, ReaderLimits.default.maxLineBytes)
        XCTAssertEqual(limits.maxSegments, ReaderLimits.default.maxSegments)
    }

    func testXMLGuard() throws {
        func check(_ text: String, _ limits: ReaderLimits = .default) -> String? {
            var g = XMLGuard(limits: limits)
            do { try g.feed(Array(text.utf8)); return nil } catch { return (error as? FormatError)?.code }
        }
        XCTAssertNil(check("<?xml version=\"1.0\"?><!-- c <!DOCTYPE --><a b=\"&lt;&#65;&amp;\"><![CDATA[&x;]]>&gt;<c/></a>"))
        XCTAssertEqual(check("<!DOCTYPE a><a/>"), "xml.doctype")
        XCTAssertEqual(check("<a>&ent;</a>"), "xml.entity")
        XCTAssertEqual(check("<a b=\"&ent;\"/>"), "xml.entity")
        var two = ReaderLimits(); two.maxXMLAttributes = 2; two.maxXMLDepth = 2
        XCTAssertNil(check("<a x=\"1\" y='2'><b/></a>", two))
        XCTAssertEqual(check("<a x=\"1\" y='2' z=\"=\"/>", two), "xml.attributes")
        XCTAssertEqual(check("<a><b><c/></b></a>", two), "xml.depth")
        XCTAssertThrowsError(try XMLDocument(bytes: Array("<!DOCTYPE a [<!ENTITY e \"v\">]><a>&e;</a>".utf8))) {
            XCTAssertEqual(($0 as? FormatError)?.code, "xml.doctype")
        }
    }
}
