import XCTest
@testable import Canonical

final class AmountTests: XCTestCase {
    func testParsesAndPrintsExactly() {
        XCTAssertEqual(Amount("-1234.5")?.description, "-1234.50")
        XCTAssertEqual(Amount("0.125")?.description, "0.125")
        XCTAssertEqual(Amount("+3")?.description, "3.00")
        XCTAssertEqual(Amount(".5")?.description, "0.50")
        XCTAssertNil(Amount("1,5"))
        XCTAssertNil(Amount("1e3"))
        XCTAssertNil(Amount(""))
        XCTAssertNil(Amount("-"))
        XCTAssertNil(Amount("1.2.3"))
    }

    func testSenderNumbers() {
        XCTAssertEqual(Amount.parse("1.234,56", decimalSeparator: UInt8(ascii: ","), groupingSeparator: UInt8(ascii: ".")), Amount("1234.56"))
        XCTAssertEqual(Amount.parse("12,00-", decimalSeparator: UInt8(ascii: ",")), Amount("-12"))
        XCTAssertNil(Amount.parse("1.234,56", decimalSeparator: UInt8(ascii: ",")), "a dot is not silently dropped")
    }

    func testArithmeticIsExact() {
        var sum = Amount.zero
        for _ in 0..<10 { sum += Amount("0.1")! }
        XCTAssertEqual(sum, Amount("1"))
        XCTAssertEqual((Amount("10.10")! - Amount("0.105")!).description, "9.995")
        XCTAssertEqual(Amount("2.5")! * Amount("1.20")!, Amount("3"))
        XCTAssertEqual(Amount("2.345")!.rounded(to: 2).description, "2.35")
        XCTAssertEqual(Amount("-2.345")!.rounded(to: 2).description, "-2.35")
        XCTAssertEqual(Amount("12.34")!.minorUnits(scale: 2), 1234)
        XCTAssertNil(Amount("12.345")!.minorUnits(scale: 2))
        XCTAssertEqual(Set([Amount("1.50")!, Amount("1.5")!]).count, 1)
    }
}

final class RecordTests: XCTestCase {
    func sampleStatement() -> Record {
        let src = RecordSource(partner: "bank", channel: "mt940", format: "mt940", file: "a.sta", sha256: String(repeating: "ab", count: 32), index: 3)
        let st = Statement(account: .init(id: "NL91ABNA0417164300"), currency: "EUR", statementNumber: "1/1", reference: "REF",
                           openingBalance: .init(date: "2024-01-01", amount: Amount("100")!),
                           closingBalance: .init(date: "2024-01-02", amount: Amount("75.50")!),
                           lines: [.init(valueDate: "2024-01-02", amount: Amount("-24.5")!, fields: ["20": .string("x"), "10": .string("y")])])
        return Record(source: src, body: .statement(st), extra: ["note": .string("kept")])
    }

    func testKeyOrderIsStableAndNilIsOmitted() throws {
        let line = try JSONLines.line(sampleStatement())
        XCTAssertTrue(line.hasPrefix(#"{"schema":"dropgate/1","type":"statement","id":"abababababababab-3","source":{"partner":"bank""#), line)
        XCTAssertTrue(line.contains(#""lines":[{"valueDate":"2024-01-02","amount":"-24.50","fields":{"20":"x","10":"y"}}]"#), line)
        XCTAssertFalse(line.contains("null"))
        XCTAssertTrue(line.hasSuffix(#""extra":{"note":"kept"}}"#))
        XCTAssertEqual(try JSONLines.line(sampleStatement()), line)
    }

    func testRoundTripAndInvariant() throws {
        let r = sampleStatement()
        let back = try JSONLines.decode(line: try JSONLines.line(r))
        XCTAssertEqual(back.type, .statement)
        XCTAssertEqual(try JSONLines.line(back).count, try JSONLines.line(r).count)
        XCTAssertEqual(r.invariantViolations(), [])
        var bad = r
        if case .statement(var s) = bad.body { s.lines[0].amount = Amount("-24")!; bad.body = .statement(s) }
        XCTAssertEqual(bad.invariantViolations().count, 1)
        XCTAssertTrue(bad.invariantViolations()[0].contains("closing balance is 75.50"))
    }

    func testDecodingErrorsNameTheField() {
        XCTAssertThrowsError(try JSONLines.decode(text: "\n{\"schema\":\"dropgate/1\",\"type\":\"payment\",\"id\":\"x\",\"amount\":1.5}")) { e in
            let text = "\(e)"
            XCTAssertTrue(text.hasPrefix("line 2:"), text)
        }
    }
}

final class JSONLinesStreamTests: XCTestCase {
    /// A file longer than one read chunk (1 MiB): every record comes out, in order, equal to the
    /// text path's, and an error past the first chunk still names its line.
    func testAFileIsStreamedAcrossChunksWithLineNumbers() throws {
        let line = #"{"schema":"dropgate/1","type":"payment","id":"p-1","direction":"outbound","method":"ach","amount":"12.50","currency":"USD","executionDate":"2025-03-17","debtor":{"name":"Acme","agent":"231380104"},"creditor":{"name":"Zoë","account":"1"},"ach":{"secCode":"PPD","transactionCode":"22","traceNumber":"","companyId":"1","companyEntryDescription":"PAY","addenda":[{"typeCode":"05","paymentRelatedInformation":"x"}]}}"#
        let count = (1 << 20) / line.utf8.count + 100
        let text = Array(repeating: line, count: count).joined(separator: "\n") + "\n  \n"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("jsonl-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var streamed = [Record]()
        try JSONLines.forEachRecord(fileAt: path) { streamed.append($0) }
        XCTAssertEqual(streamed.count, count)
        XCTAssertEqual(streamed, try JSONLines.decode(text: text))

        try (text + "{\"schema\":\"dropgate/1\"\n").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try JSONLines.forEachRecord(fileAt: path) { _ in }) { e in
            XCTAssertEqual((e as? JSONLinesError)?.line, count + 2, "\(e)")
        }
        XCTAssertThrowsError(try JSONLines.forEachRecord(fileAt: path + ".missing") { _ in }) { e in
            XCTAssertTrue("\(e)".contains("cannot open"), "\(e)")
        }
    }

    func testStringsMustBeUTF8() {
        var bytes = Array(#"{"s":"caf"#.utf8) + [0xE9] + Array(#""}"#.utf8)
        XCTAssertThrowsError(try bytes.withUnsafeBufferPointer { try JSONParser.parse(bytes: $0) }) { e in
            XCTAssertTrue("\(e)".contains("UTF-8"), "\(e)")
        }
        bytes = Array(#"{"s":"café"}"#.utf8)
        XCTAssertEqual(try bytes.withUnsafeBufferPointer { try JSONParser.parse(bytes: $0) }, .object(["s": .string("café")]))
    }
}

final class JSONParserTests: XCTestCase {
    func testParsesWhatTheWriterWritesKeepingOrder() throws {
        let v: JSONValue = .object(["z": .string("a\"b\\c\n\u{1}\u{2028}é😀"), "a": .array([.number("-12"), .bool(true), .null]), "m": .object([:])])
        XCTAssertEqual(try JSONParser.parse(v.jsonText), v)
        XCTAssertEqual(try JSONParser.parse(#"{"s":"\ud83d\ude00 \u00e9 \/"}"#), .object(["s": .string("😀 é /")]))
    }

    func testRejectsBrokenJSONWithItsPosition() {
        for bad in [#"{"a":1"#, #"{"a" 1}"#, #"["a",]"#, #""\ud800""#, "tru", #"{"a":1} x"#] {
            XCTAssertThrowsError(try JSONParser.parse(bad), bad)
        }
        XCTAssertThrowsError(try JSONLines.decode(text: "{\"schema\":\"dropgate/1\",\"type\":\"payment\",\"id\":\"x\",\"amount\":1.5}")) { e in
            XCTAssertTrue("\(e)".contains("line 1"), "\(e)")
        }
    }
}

/// Issue 11: a 38-digit amount parsed, then trapped when printed or added to one with decimals.
final class AmountBoundsTests: XCTestCase {
    func testMoreThan18IntegerDigitsIsNoAmount() {
        XCTAssertNil(Amount(String(repeating: "9", count: 38)))
        XCTAssertNil(Amount(String(repeating: "9", count: 19)))
        XCTAssertEqual(Amount(String(repeating: "9", count: 18))?.description, String(repeating: "9", count: 18) + ".00")
        XCTAssertEqual(Amount("000000000000000000000001.50")?.description, "1.50", "leading zeros do not count")
        let big = Amount(String(repeating: "9", count: 18) + "." + String(repeating: "9", count: 18))!
        XCTAssertEqual((big + Amount("1")!).scale, 18)
    }

    func testFits() {
        XCTAssertTrue(Amount("999999999999999")!.fits(integerDigits: 15, fractionDigits: 2))
        XCTAssertFalse(Amount("1000000000000000")!.fits(integerDigits: 15, fractionDigits: 2))
        XCTAssertFalse(Amount("1.123")!.fits(integerDigits: 15, fractionDigits: 2))
    }
}
