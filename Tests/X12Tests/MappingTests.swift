import XCTest
import TestSupport
import Canonical
import FormatKit
import Mapping
@testable import X12

/// File → X12 reader → default mapping (mappings/x12/*.yaml) → canonical records.
final class X12MappingTests: XCTestCase {
    private func library() throws -> MappingLibrary { try MappingLibrary(directory: ProjectPaths.mappings) }

    private func translate(_ input: ByteReader, options: FormatOptions = FormatOptions()) throws -> [Record] {
        let lib = try library()
        var records = [Record]()
        try X12Reader(options: options).read(input) { unit in
            let mapping = try XCTUnwrap(lib.defaultMapping(format: "x12", unit: unit), "no default mapping for ST01 \(unit.child("ST")?["01"] ?? "?")")
            records.append(try mapping.apply(to: unit, source: RecordSource(partner: "p", channel: "c", format: "x12", file: "f", sha256: "00", index: records.count)))
        }
        return records
    }

    func testWriterOutputTranslatesBackToTheSameRecords() throws {
        let bodies: [RecordBody] = [.purchaseOrder(Samples.purchaseOrder), .invoice(Samples.invoice), .shipNotice(Samples.shipNotice)]
        for version in ["004010", "005010"] {
            var settings = Samples.settings
            settings["version"] = version
            let file = try X12Writer().write(bodies.enumerated().map { Samples.record($1, $0) },
                                             context: WriteContext(settings: settings, partner: "acme")).first!
            let back = try translate(ByteReader(bytes: file.bytes))
            XCTAssertEqual(back.map(\.body), bodies, "round trip in \(version)")
            XCTAssertEqual(back.map { $0.invariantViolations() }, [[], [], []])
        }
    }

    func testCorpusPurchaseOrderInvoiceAndShipNotice() throws {
        guard let dir = corpusDirectory() else { throw XCTSkip(ProjectPaths.corpusSkipReason("x12")) }
        let po = try translate(ByteReader(path: dir + "/node-x12/850.edi"))
        guard case .purchaseOrder(let order) = try XCTUnwrap(po.first).body else { return XCTFail("not a purchase order") }
        XCTAssertEqual(order.number, "08292233294")
        XCTAssertEqual(order.date, "2010-11-27")
        XCTAssertEqual(order.shipTo.name, "XYZ RETAIL")
        XCTAssertEqual(order.lines.first?.quantity, Amount("120"))
        XCTAssertEqual(order.lines.first?.unitPrice, Amount("9.25"))
        XCTAssertEqual(order.lines.first?.description, "SMALL WIDGET")

        let invoices = try translate(ByteReader(path: dir + "/staedi/x12/simple810.edi"))
        XCTAssertEqual(invoices.count, 2)
        guard case .invoice(let inv) = invoices[0].body else { return XCTFail("not an invoice") }
        XCTAssertEqual(inv.number, "00001")
        XCTAssertEqual(inv.purchaseOrderNumber, "A99999-01")
        XCTAssertEqual(inv.lines.first?.amount, Amount("197.44"))

        let notices = try translate(ByteReader(path: dir + "/node-x12/856.edi"))
        guard case .shipNotice(let asn) = try XCTUnwrap(notices.first).body else { return XCTFail("not a ship notice") }
        XCTAssertFalse(asn.orders.isEmpty)
    }

    func testAcknowledgmentsTranslate() throws {
        guard let dir = corpusDirectory() else { throw XCTSkip(ProjectPaths.corpusSkipReason("x12")) }
        for file in ["staedi/x12/simple997.edi", "staedi/x12/simple999.edi", "pyx12/historical/trailer_errors.997.base"] {
            let records = try translate(ByteReader(path: dir + "/" + file))
            XCTAssertFalse(records.isEmpty, file)
            for r in records { XCTAssertEqual(r.type, .acknowledgment, file) }
        }
        let ack = try translate(ByteReader(path: dir + "/pyx12/historical/trailer_errors.997.base"))
        guard case .acknowledgment(let a) = ack[0].body else { return XCTFail() }
        XCTAssertEqual(a.status, .rejected)
        XCTAssertEqual(a.items.map(\.status), [.rejected, .accepted])
        XCTAssertEqual(a.items.map(\.controlNumber), ["300207436", "300207437"])
    }
}
