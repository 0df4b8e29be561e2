import XCTest
import TestSupport
import FormatKit
@testable import MT940

/// Issue 11: inputs that trapped, hung or went quadratic in the MT940 reader, and truncations that
/// were accepted with a warning. Bytes in Tests/Fixtures/hostile; large inputs generated here.
final class HostileInputTests: XCTestCase {
    private func fixture(_ name: String) throws -> String {
        try String(contentsOfFile: ProjectPaths.packageRoot + "/Tests/Fixtures/hostile/" + name, encoding: .utf8)
    }

    private func error(_ text: String, options: FormatOptions = FormatOptions()) -> FormatError? {
        do { _ = try statements(text, options: options); XCTFail("expected an error"); return nil } catch { return error as? FormatError }
    }

    private static let tail = ":60F:C231230EUR1,00\n:62F:C231230EUR1,00\n-\n"
    private static let close = ":62F:C231230EUR1,00\n-\n"

    /// `{1:F01}{x}{4:` trapped (a range whose end came before its start): now a located error.
    func testBraceWithoutBlockIdIsAnErrorNotATrap() throws {
        let e = try XCTUnwrap(error(try fixture("mt940-block-id.sta")))
        XCTAssertEqual(e.code, "mt940.block")
        XCTAssertEqual(e.line, 1)
        XCTAssertEqual(e.column, 8)
        XCTAssertEqual(error("{1:F01}{:x}\n:20:X\n")?.code, "mt940.block")
        // Found by fuzz-mt940: a brace with no colon after it recursed take ↔ takeBlocks until the stack overflowed.
        let noColon = try XCTUnwrap(error(try fixture("mt940-brace-no-colon.sta")))
        XCTAssertEqual(noColon.code, "mt940.block")
        XCTAssertEqual(noColon.column, 12)
        XCTAssertEqual(error("{\n")?.code, "mt940.block")
    }

    /// A 38-digit balance trapped (Int128 overflow rescaling it against a line's 2 decimals).
    func testHugeAmountIsAnErrorNotATrap() throws {
        let e = try XCTUnwrap(error(try fixture("mt940-huge-amount.sta")))
        XCTAssertEqual(e.code, "mt940.field")
        XCTAssertEqual(e.segment, "60F")
        XCTAssertEqual(e.field, "amount")
        XCTAssertEqual(e.line, 4)
        let padded = ":20:X\n:25:A\n:28C:1\n:60F:C231230EUR0000000000000001,00\n:62F:C231230EUR000000000000001,00\n-\n"
        XCTAssertEqual(try statements(padded).count, 1, "leading zeros (as banks pad) do not count")
    }

    func testTextBlockNeverClosedIsRefused() throws {
        XCTAssertEqual(error(try fixture("mt940-unclosed-block.sta"))?.code, "mt940.unclosed-block")
        let cut = try XCTUnwrap(error(try fixture("mt940-cut-then-next.sta")))
        XCTAssertEqual(cut.code, "mt940.unclosed-block", "a message cut off and followed at once by the next {1:")
        XCTAssertEqual(cut.line, 1)
    }

    /// 100 KB of spaces after :28C: took 58 s (the generic dropLast counted the text each time).
    func testTrailingSpacesAfterStatementNumberAreLinear() throws {
        let text = ":20:X\n:25:A\n:28C:1" + String(repeating: " ", count: 200_000) + "\n" + Self.tail
        XCTAssertEqual(try statements(text).first?.child("statementNumber")?["number"], "1")
    }

    /// A :86: whose ?xx subfields run over 60,000 lines, and 100,000 GVC subfields on one line.
    func testManyGVCSubfieldsAreLinear() throws {
        let lines = (0..<60_000).map { "?2\($0 % 10) abc" }.joined(separator: "\n")
        let many = ":20:X\n:25:A\n:28C:1\n:60F:C231230EUR1,00\n:61:231230C1,00NMSCNONREF\n:86:166?00X\n" + lines + "\n:62F:C231230EUR2,00\n-\n"
        XCTAssertEqual(try statements(many).first?.children(named: "line").first?.child("details")?.children.count, 60_000 + 4)
        let oneLine = ":20:X\n:25:A\n:28C:1\n:60F:C231230EUR1,00\n:61:231230C1,00NMSCNONREF\n:86:166" + String(repeating: "?20a", count: 100_000) + "\n:62F:C231230EUR2,00\n-\n"
        XCTAssertEqual(try statements(oneLine).count, 1)
    }

    func testLimitsAreLocatedAndConfigurable() throws {
        let long = ":20:X\n:25:A\n:28C:1\n:60F:C231230EUR1,00\n:86:" + String(repeating: "a", count: 300) + "\n" + Self.close
        let line = try XCTUnwrap(error(long, options: FormatOptions(values: ["maxLineBytes": "100"])))
        XCTAssertEqual(line.code, "input.line-too-long")
        XCTAssertEqual(line.line, 5)
        let wrapped = ":20:X\n:25:A\n:28C:1\n:60F:C231230EUR1,00\n:86:" + String(repeating: "abcdefghij\n", count: 30) + Self.close
        let field = try XCTUnwrap(error(wrapped, options: FormatOptions(values: ["maxFieldBytes": "100"])))
        XCTAssertEqual(field.code, "mt940.field-too-long")
        XCTAssertEqual(field.segment, "86")
        XCTAssertEqual(try statements(wrapped).count, 1, "the defaults accept it")
    }

    /// A bad value is quoted in a report as a short excerpt, never whole.
    func testReportsQuoteAnExcerptOnly() throws {
        let text = ":20:X\n:25:A\n:28C:1\n:60F:C231230EUR1,00" + String(repeating: "X", count: 100_000) + "\n" + Self.tail
        let e = try XCTUnwrap(error(text))
        XCTAssertEqual(e.code, "mt940.field")
        XCTAssertLessThan(e.message.utf8.count, 200, e.message)
        XCTAssertTrue(e.message.contains("XXXX…"), e.message)
    }
}
