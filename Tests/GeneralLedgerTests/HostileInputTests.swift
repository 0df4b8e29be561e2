import XCTest
import FormatKit
import GLFormats

/// Issue 11: one stray `"` in a 1.8 MB GL CSV took over 120 s (every line recounted the quotes of
/// the whole record so far); now it is a located error as soon as the open field passes
/// `maxFieldBytes`, in linear time.
final class GLHostileInputTests: XCTestCase {
    func testStrayQuoteIsRefusedInLinearTime() throws {
        let header = GLCSVFormat.header.joined(separator: ",")
        let rows = String(repeating: "1,2024-01-01,2024-01,EUR,4000,,10.00,,x,y,z\n", count: 40_000)
        let errors = GLCSVReader().validate(ByteReader(text: header + "\n\"" + rows))
        XCTAssertEqual(errors.map(\.code), ["gl.unclosed-quote"])
        XCTAssertEqual(errors.first?.line, 2)
        let small = GLCSVReader().validate(ByteReader(text: header + "\n\"" + String(rows.prefix(4_400))))
        XCTAssertEqual(small.map(\.code), ["gl.unclosed-quote"], "short: refused at the end of the file")
    }
}
