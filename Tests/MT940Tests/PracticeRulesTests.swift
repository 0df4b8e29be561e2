import XCTest
import TestSupport
import Canonical
import FormatKit
import Mapping
import Gateway
@testable import MT940

/// MT940 as banks write it (each test names its rule; fixtures in Tests/MT940Tests/Fixtures).
final class PracticeRulesTests: XCTestCase {
    private func text(_ name: String) throws -> String {
        try String(contentsOfFile: ProjectPaths.packageRoot + "/Tests/MT940Tests/Fixtures/" + name, encoding: .utf8)
    }

    private func records(_ name: String) throws -> [Record] {
        let path = ProjectPaths.packageRoot + "/Tests/MT940Tests/Fixtures/" + name
        let translator = Translator(mappings: try MappingLibrary(directory: ProjectPaths.mappings))
        var out: [Record] = []
        try translator.translate(Translator.Job(path: path, sha256: try sha256Hex(ofFileAt: path), format: "mt940")) { out.append($0) }
        return out
    }

    private func warnings(_ unit: Node) -> [String] { unit.children(named: "warning").compactMap(\.value) }

    /// A lone `-` inside :86: text is text; `-` before the next :20: or at the end ends the message.
    func testDashLineInsideDetailsDoesNotEndTheMessage() throws {
        let units = try statements(text("dash-line-inside-86.sta"), options: FormatOptions(values: ["strictBalances": "true"]))
        XCTAssertEqual(units.count, 2)
        let details = try XCTUnwrap(units[0].children(named: "line").first?.child("details")?.value)
        XCTAssertTrue(details.hasSuffix("INVOICE 77\n-\nSETTLED IN FULL"), details)
        XCTAssertEqual(units[0].child("closingBalance")?["amount"], "749,50")
        XCTAssertEqual(units[1]["reference"], "940S231231")
        // Before a new message's blocks the dash still ends the message.
        let blocks = try text("dash-line-inside-86.sta").replacingOccurrences(of: "-\n:20:940S231231", with: "-\n{1:F01RABONL2UAXXX0000000000}{4:\n:20:940S231231")
        XCTAssertEqual(try statements(blocks).count, 2)
        // … and before a bank's banner lines and the next :20:, and before trailer lines at the end.
        let file = try text("dash-line-inside-86.sta")
        let read = try statements(file + "RABONL2U\n940\n" + file + "END OF FILE\n")
        XCTAssertEqual(read.count, 4)
        XCTAssertEqual(read[1].child("information")?.value, "/REMI/CLOSING INFORMATION")
        XCTAssertEqual(read[3].child("information")?.value, "/REMI/CLOSING INFORMATION")
    }

    /// Record contract: a statement line's `fields` carry the structured :86: subfields.
    func testLineFieldsCarryTheStructuredDetails() throws {
        guard case .statement(let s) = try XCTUnwrap(records("dash-line-inside-86.sta").first).body else { return XCTFail("no statement") }
        XCTAssertEqual(s.lines[0].fields?["EREF"], .string("E2E-77"))
        XCTAssertEqual(s.lines[0].fields?["NAME"], .string("ACME BV"))
        XCTAssertNil(s.lines[0].fields?["?20"])
    }

    /// Amounts with a decimal point, where no balance uses a comma: read, with a warning.
    func testDecimalPointAmountsReadWithAWarning() throws {
        let units = try statements(text("decimal-point-amounts.sta"), options: FormatOptions(values: ["strictBalances": "true"]))
        XCTAssertEqual(units[0].child("openingBalance")?["amount"], "1000,00")
        XCTAssertEqual(units[0].children(named: "line").map { $0["amount"] }, ["250,50", "100,25"])
        XCTAssertEqual(warnings(units[0]).count, 1)
        guard case .statement(let s) = try XCTUnwrap(records("decimal-point-amounts.sta").first).body else { return XCTFail("no statement") }
        XCTAssertEqual(s.closingBalance?.amount, Amount("849.75"))
        XCTAssertEqual(s.lines.map(\.amount), [Amount("-250.50")!, Amount("100.25")!])
        XCTAssertEqual(MT940Reader().validate(ByteReader(text: try text("decimal-point-amounts.sta"))).map(\.severity), [.warning])
        // A message that mixes both marks keeps the comma rule: the point is an error where it is.
        let mixed = try text("decimal-point-amounts.sta").replacingOccurrences(of: ":62F:C231229PLN849.75", with: ":62F:C231229PLN849,75")
        XCTAssertEqual(readError(mixed)?.segment, "60F")
    }

    /// An empty :28C: reads with a warning; the record's statement number is "".
    func testEmptyStatementNumber() throws {
        let unit = try XCTUnwrap(statements(text("empty-statement-number.sta")).first)
        XCTAssertEqual(warnings(unit), [":28C: the statement number is empty"])
        let record = try XCTUnwrap(records("empty-statement-number.sta").first)
        guard case .statement(let s) = record.body else { return XCTFail("no statement") }
        XCTAssertEqual(s.statementNumber, "")
        XCTAssertEqual(record.extra?["warnings"], .array([.string(":28C: the statement number is empty")]))
    }

    /// A second :25: after the first account's closing balance starts a second statement.
    func testSecondAccountInOneMessageIsASecondStatement() throws {
        let units = try statements(text("two-accounts-one-message.sta"), options: FormatOptions(values: ["strictBalances": "true"]))
        XCTAssertEqual(units.map { $0["account"] }, ["PL61109010140000071219812874", "PL27114020040000300201355387"])
        XCTAssertEqual(units.map { $0["reference"] }, ["MULTI-1", "MULTI-1"])
        XCTAssertEqual(units.map { $0.child("statementNumber")?["number"] }, ["12", "3"])
        XCTAssertEqual(warnings(units[0]), [])
        XCTAssertEqual(warnings(units[1]).count, 1)
        // Before any closing balance a repeated :25: is still refused.
        let mixed = try text("two-accounts-one-message.sta").replacingOccurrences(of: ":62F:C231229PLN800,00\n", with: "")
        XCTAssertEqual(readError(mixed)?.code, "mt940.unexpected-tag")
    }
}
