import XCTest
import Canonical
import FormatKit
@testable import Mapping

final class MappingTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("maps-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("x"), withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func put(_ name: String, _ yaml: String) throws {
        try yaml.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    /// An X12-like unit: qualifiers decide which N1 is the buyer.
    let unit = Node("transaction", children: [
        Node("BEG", children: [Node("01", value: "00"), Node("03", value: "PO-1"), Node("05", value: "20261121")]),
        Node("N1", children: [Node("01", value: "ST"), Node("02", value: "Warehouse 9")]),
        Node("N1", children: [Node("01", value: "BY"), Node("02", value: " Buyer Inc ")]),
        Node("PO1", children: [Node("01", value: "1"), Node("02", value: "5"), Node("03", value: "EA"), Node("04", value: "2.5"), Node("07", value: "SKU-1")], line: 7),
        Node("PO1", children: [Node("01", value: "2"), Node("02", value: "1"), Node("03", value: "CS"), Node("07", value: "SKU-2")], line: 8),
        Node("NTE", value: "Ref: /EREF/ABC123/ rest"),
    ], line: 3)

    static let po = """
        format: x12
        type: purchase_order
        default: true
        match: { BEG/01: ["00", "05"] }
        record:
          number: BEG/03
          date: { path: BEG/05, date: yyyyMMdd }
          purpose: { path: BEG/01, lookup: { "00": original, "01": cancel, "04": change } }
          buyer.name: N1[01=BY]/02
          seller.name: { path: "N1[01=SE]/02", default: unknown }
          shipTo.name: N1[01=ST|SO]/02
          currency: { path: CUR/02, default: USD }
          lines:
            each: PO1
            record:
              sequence: { path: "01", as: int }
              quantity: { path: "02", decimal: {} }
              unit: "03"
              unitPrice: { path: "04", decimal: {} }
              productIds.vendor: "07"
              description: { path: /NTE, regex: "/EREF/([^/]+)/", when: { path: "01", equals: "1" } }
        extra:
          secondUnit: PO1[2]/03
        """

    func testMapsQualifiersLoopsTransformsAndExtra() throws {
        try put("x/po.yaml", Self.po)
        let lib = try MappingLibrary(directory: dir.path)
        let m = try lib.mapping(named: "x/po")
        XCTAssertTrue(m.matches(unit))
        let src = RecordSource(partner: "p", channel: "c", format: "x12", file: "f", sha256: "00112233445566778899", index: 4)
        let r = try m.apply(to: unit, source: src)
        guard case .purchaseOrder(let po) = r.body else { return XCTFail() }
        XCTAssertEqual(po.number, "PO-1"); XCTAssertEqual(po.date, "2026-11-21"); XCTAssertEqual(po.purpose, .original)
        XCTAssertEqual(po.buyer.name, "Buyer Inc"); XCTAssertEqual(po.seller.name, "unknown"); XCTAssertEqual(po.shipTo.name, "Warehouse 9")
        XCTAssertEqual(po.lines.count, 2)
        XCTAssertEqual(po.lines[0].unitPrice, Amount("2.5")); XCTAssertNil(po.lines[1].unitPrice)
        XCTAssertEqual(po.lines[0].description, "ABC123"); XCTAssertNil(po.lines[1].description)
        XCTAssertEqual(r.extra?["secondUnit"], .string("CS"))
        XCTAssertEqual(r.id, "0011223344556677-4")
        XCTAssertEqual(lib.defaultMapping(format: "x12", unit: unit)?.id, "x/po")
    }

    func testExtendsOverridesOnlyWhatItNames() throws {
        try put("x/po.yaml", Self.po)
        try put("x/acme.yaml", """
            extends: x/po
            record:
              buyer.name: { const: ACME }
            """)
        let lib = try MappingLibrary(directory: dir.path)
        let r = try lib.mapping(named: "x/acme").apply(to: unit, source: RecordSource(partner: "", channel: "", format: "x12", file: "", sha256: "aa", index: 0))
        guard case .purchaseOrder(let po) = r.body else { return XCTFail() }
        XCTAssertEqual(po.buyer.name, "ACME")
        XCTAssertEqual(po.lines.count, 2, "inherited rules still apply")
        XCTAssertFalse(try lib.mapping(named: "x/acme").isDefault, "a variant is not a default unless it says so")
    }

    func testErrorsNameRuleAndLine() throws {
        try put("x/po.yaml", Self.po.replacingOccurrences(of: "\"02\", decimal: {}", with: "\"03\", decimal: {}"))
        let m = try MappingLibrary(directory: dir.path).mapping(named: "x/po")
        XCTAssertThrowsError(try m.apply(to: unit, source: RecordSource(partner: "", channel: "", format: "x12", file: "", sha256: "aa", index: 0))) { e in
            let err = e as! MappingError
            XCTAssertEqual(err.field, "lines[0].quantity")
            XCTAssertEqual(err.line, 7)
            XCTAssertTrue(err.message.contains("\"EA\" is not a decimal"), err.message)
        }
    }

    func testDefinitionMistakesAreAllReportedWithFileAndLine() throws {
        try put("x/a.yaml", "format: csv\ntype: invoice\nrecord:\n  number: { pth: A }\n")
        try put("x/b.yaml", "format: csv\ntype: nonsense\nrecord:\n  number: A\n")
        XCTAssertThrowsError(try MappingLibrary(directory: dir.path)) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("a.yaml:4"), text)
            XCTAssertTrue(text.contains("unknown rule key \"pth\""), text)
            XCTAssertTrue(text.contains("b.yaml"), text)
            XCTAssertTrue(text.contains("unknown `type`"), text)
        }
    }

    func testDatesTimesDecimalsAndSigns() {
        XCTAssertEqual(DatePattern(pattern: "yyMMdd").isoDate("240229"), "2024-02-29")
        XCTAssertNil(DatePattern(pattern: "yyMMdd").isoDate("230229"))
        XCTAssertEqual(DatePattern(pattern: "MM/dd/yyyy").isoDate("12/31/2025"), "2025-12-31")
        XCTAssertNil(DatePattern(pattern: "MM/dd/yyyy").isoDate("12/31/25"))
        XCTAssertEqual(TimePattern(pattern: "HHmm").isoTime("0745"), "07:45:00")
        XCTAssertNil(TimePattern(pattern: "HHmmss").isoTime("246000"))
        let eval = Evaluation(mapping: "t", root: Node("r", children: [Node("mark", value: "D"), Node("amt", value: "12345")]))
        var rule = Rule()
        rule.source = .path(try! SourcePath("amt"))
        rule.decimal = .init(scale: 2)
        rule.negate = Condition(path: try! SourcePath("mark"), test: .equals(["D", "RC"]))
        XCTAssertEqual(try eval.evaluate(rule, at: eval.root, field: FieldName(prefix: "", name: "f")), .string("-123.45"))
    }
}
