import XCTest
import FormatKit
@testable import TWEInvoice

/// Issue 11: hostile inbound e-invoice XML. A DOCTYPE used to have its entity references dropped
/// silently (an invoice without a number, exit 0); a 50 MB <Description> was accepted; thousands
/// of attributes made libxml2 quadratic. And an inbound message is checked against its XSD.
final class HostileInputTests: XCTestCase {
    private func readError(_ bytes: [UInt8]) -> FormatError? {
        do { try EInvoiceReader().read(ByteReader(bytes: bytes)) { _ in }; XCTFail("expected an error"); return nil } catch {
            return error as? FormatError
        }
    }

    private func written() throws -> String {
        let file = try XCTUnwrap(try EInvoiceWriter().write([Fixtures.record(Fixtures.consumerInvoice(1))], context: WriteContext()).first)
        return String(decoding: file.bytes, as: UTF8.self)
    }

    func testWrittenMessageReadsAndPassesItsSchema() throws {
        var units = 0
        try EInvoiceReader().read(ByteReader(text: try written())) { _ in units += 1 }
        XCTAssertEqual(units, 1)
    }

    func testMessageNotValidAgainstItsSchemaIsRefused() throws {
        let text = try written()
        let range = try XCTUnwrap(text.range(of: "<InvoiceNumber>"))
        let broken = text.replacingCharacters(in: range, with: "<Unexpected>x</Unexpected><InvoiceNumber>")
        XCTAssertEqual(readError(Array(broken.utf8))?.code, "xsd.invalid")
    }

    func testDoctypeEntityAttributesAndHugeTextAreRefused() throws {
        let text = try written()
        let withDoctype = text.replacingOccurrences(of: "?>", with: "?>\n<!DOCTYPE Invoice [<!ENTITY no \"AB12345678\">]>")
        XCTAssertEqual(readError(Array(withDoctype.utf8))?.code, "xml.doctype")
        let root = try XCTUnwrap(text.range(of: "<Invoice "))
        let attributes = (0..<20_000).map { "a\($0)=\"1\" " }.joined()
        let many = text.replacingCharacters(in: root, with: "<Invoice " + attributes)
        XCTAssertEqual(readError(Array(many.utf8))?.code, "xml.attributes")
        let huge = text.replacingOccurrences(of: "鮮奶茶", with: String(repeating: "x", count: 2 << 20))
        let e = try XCTUnwrap(readError(Array(huge.utf8)))
        XCTAssertEqual(e.code, "xml.text-too-long")
        XCTAssertNotNil(e.line)
    }
}
