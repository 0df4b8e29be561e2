import XCTest
import TestSupport
import FormatKit
@testable import ISO20022

/// Issue 11: hostile XML for the camt.053 and pain.001 readers. libxml2 is quadratic in the
/// attributes of one element (655 KB: 62 s), so they are counted before libxml2 sees the element;
/// a DOCTYPE or an entity reference is refused, not silently dropped.
final class HostileInputTests: XCTestCase {
    private func camtError(_ bytes: [UInt8]) -> FormatError? {
        do { try CamtStatementReader().read(ByteReader(bytes: bytes)) { _ in }; XCTFail("expected an error"); return nil } catch {
            return error as? FormatError
        }
    }

    private func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: ProjectPaths.packageRoot + "/Tests/Fixtures/hostile/" + name)))
    }

    func testDoctypeAndEntitiesAreRefusedWithTheirPlace() throws {
        let doctype = try XCTUnwrap(camtError(try fixture("camt053-doctype.xml")))
        XCTAssertEqual(doctype.code, "xml.doctype")
        XCTAssertEqual(doctype.line, 2)
        let entity = try XCTUnwrap(camtError(try fixture("camt053-entity.xml")))
        XCTAssertEqual(entity.code, "xml.entity")
        XCTAssertEqual(entity.line, 2)
    }

    static func manyAttributes(_ root: String, _ count: Int) -> [UInt8] {
        let attributes = (0..<count).map { " a\($0)=\"x\"" }.joined()
        return Array("<?xml version=\"1.0\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:\(root)\"><X\(attributes)/></Document>\n".utf8)
    }

    func testThousandsOfAttributesAreRefusedBeforeLibxml2() throws {
        let e = try XCTUnwrap(camtError(Self.manyAttributes("camt.053.001.02", 40_000)))
        XCTAssertEqual(e.code, "xml.attributes")
        XCTAssertEqual(e.line, 2)
        XCTAssertThrowsError(try Pain001Reader().read(ByteReader(bytes: Self.manyAttributes("pain.001.001.03", 40_000))) { _ in }) {
            XCTAssertEqual(($0 as? FormatError)?.code, "xml.attributes")
        }
    }

    func testDeepNestingAndHugeTextAreRefused() throws {
        let deep = "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">" + String(repeating: "<a>", count: 5_000)
        XCTAssertEqual(camtError(Array(deep.utf8))?.code, "xml.depth")
        let big = "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt><GrpHdr><MsgId>"
            + String(repeating: "x", count: 2 << 20) + "</MsgId></GrpHdr></BkToCstmrStmt></Document>"
        XCTAssertEqual(camtError(Array(big.utf8))?.code, "xml.text-too-long")
        let options = FormatOptions(values: ["maxXMLAttributes": "2"])
        XCTAssertThrowsError(try CamtStatementReader(options: options).read(ByteReader(bytes: Self.manyAttributes("camt.053.001.02", 3))) { _ in }) {
            XCTAssertEqual(($0 as? FormatError)?.code, "xml.attributes", "the limit is a channel option")
        }
    }
}
