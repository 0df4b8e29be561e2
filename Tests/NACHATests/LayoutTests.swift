import FormatKit
import XCTest
@testable import NACHA

final class LayoutTests: XCTestCase {
    /// Every layout's fields follow each other without gap or overlap and end at position 94.
    func testEveryLayoutCoversAll94Positions() {
        var layouts = [FileHeader.layout, FileControl.layout, FileControl.advLayout, BatchHeader.layout, BatchHeader.iatLayout,
                       BatchControl.layout, BatchControl.advLayout, EntryDetail.layout, EntryDetail.ctxLayout,
                       EntryDetail.iatLayout, EntryDetail.advLayout]
        layouts += Addenda.layouts.values
        for layout in layouts {
            var next = 1
            for field in layout.fields {
                XCTAssertEqual(field.start, next, "\(layout.recordName) \(field.name)")
                next = field.start + field.length
            }
            XCTAssertEqual(next, 95, layout.recordName)
        }
    }

    func testRoutingCheckDigit() {
        XCTAssertTrue(RoutingNumber.isValid("231380104"))
        XCTAssertTrue(RoutingNumber.isValid("121042882"))
        XCTAssertFalse(RoutingNumber.isValid("231380105"))
        XCTAssertFalse(RoutingNumber.isValid("100067554"))
        XCTAssertEqual(RoutingNumber.full("23138010"), "231380104")
    }

    func testDates() {
        XCTAssertEqual(ACHDate.iso("250317"), "2025-03-17")
        XCTAssertNil(ACHDate.iso("250230"), "30 February")
        XCTAssertEqual(ACHDate.iso("240229"), "2024-02-29")
        XCTAssertEqual(ACHDate.yymmdd("2025-03-17"), "250317")
        XCTAssertNil(ACHDate.yymmdd("1999-03-17"))
    }

    func testWriteJustifiesAndRefusesWhatDoesNotFit() throws {
        let line = try BatchControl.layout.write(["serviceClassCode": "220", "entryAddendaCount": "3", "companyIdentification": "ACME"])
        let text = String(decoding: line, as: UTF8.self)
        XCTAssertEqual(text.count, 94)
        XCTAssertTrue(text.hasPrefix("8220000003"))
        XCTAssertEqual(Array(text)[44..<54].map(String.init).joined(), "ACME      ")
        XCTAssertThrowsError(try BatchControl.layout.write(["companyIdentification": "ELEVEN CHAR"])) { error in
            XCTAssertEqual((error as? FormatError)?.field, "companyIdentification")
        }
        XCTAssertThrowsError(try BatchControl.layout.write(["entryHash": "12AB"]))
    }

    func testDetection() {
        XCTAssertTrue(NACHAFormat.detect(Array("101 231380104 1210428821812060000A094101Federal Reserve Bank".utf8)))
        XCTAssertTrue(NACHAFormat.detect(Array("\u{FEFF}101 23138010401210428821906240000A094101".utf8)))
        XCTAssertFalse(NACHAFormat.detect(Array(":20:STATEMENT\r\n:25:123".utf8)))
        XCTAssertFalse(NACHAFormat.detect(Array("101,Smith,John".utf8)))
    }
}
