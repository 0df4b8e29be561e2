import Foundation
import XCTest
import Canonical
import Events
import Gateway
import Ledger
import TestSupport

/// Events that modules write with their own changes: a partner's 997 answering a group we sent,
/// an e-invoice deadline coming close.
final class EventsPluginTests: XCTestCase {
    func testFunctionalAcknowledgmentsAreOutboundEvents() throws {
        let home = try GatewayHome(partnersAndRoutes: """
            partners:
              acme:
                channels:
                  - { name: orders, format: x12 }
              supplier:
                settings: { isaSenderId: US, isaReceiverId: SUPPLIER }
                channels:
                  - { name: acks-in, format: x12, options: { acknowledge: out } }
            routes:
              - { name: po-to-supplier, from: { partner: acme, type: purchase_order }, emit: { format: x12, partner: supplier, channel: out } }
            events:
              webhooks: [ { url: "http://127.0.0.1:9/", secretEnv: UNUSED, types: [none] } ]
            """)
        defer { home.remove() }
        for n in 1...2 { try home.drop("po\(n).x12", interchange(isa13: "00000100\(n)", sets: [order(n)]), into: "acme/orders") }
        try home.runOnce()
        try home.drop("ack-1.x12", functionalAck(isa13: "000000501", group: "1", status: "A"), into: "supplier/acks-in")
        try home.drop("ack-2.x12", functionalAck(isa13: "000000502", group: "2", status: "R"), into: "supplier/acks-in")
        try home.runOnce()
        let events = try OutboxStore(ledger: try home.ledger()).events(after: 0, limit: .max)
        let answers = events.filter { $0.type == "outbound.acknowledged" || $0.type == "outbound.rejected" }
        XCTAssertEqual(answers.map(\.type), ["outbound.acknowledged", "outbound.rejected"])
        let rejected = try JSONParser.parse(answers[1].envelope)
        XCTAssertEqual(rejected["subject"]?["partner"]?.stringValue, "supplier")
        XCTAssertEqual(rejected["data"]?["name"]?.stringValue, "supplier-000000002.x12")
        XCTAssertEqual(rejected["data"]?["detail"]?["functional_acknowledgment"]?.stringValue, "rejected")
        XCTAssertEqual(events.filter { $0.type == "outbound.emitted" }.count, 2, "the two purchase orders")
    }
}

extension EInvoiceGatewayTests {
    func testADeadlineWarningIsOneEvent() throws {
        try start(settings: "uploadWindow: \"22:00-06:00\", b2cDeadlineDays: 2")
        Outbox.install(on: pipeline.ledger, source: "dropgate/test")
        try drop("shop", "invoices", "march.csv", invoiceCSV(1...1))   // due before 18 March 00:00, warned 24 h before
        pipeline.tick(now: taipei(16, 12))
        let store = OutboxStore(ledger: pipeline.ledger)
        XCTAssertEqual(try store.events(after: 0, limit: .max).filter { $0.type == "einvoice.deadline.warning" }.count, 0, "not yet")
        pipeline.tick(now: taipei(17, 12))
        pipeline.tick(now: taipei(17, 13))
        let warnings = try store.events(after: 0, limit: .max).filter { $0.type == "einvoice.deadline.warning" }
        XCTAssertEqual(warnings.count, 1, "once per message")
        let e = try JSONParser.parse(try XCTUnwrap(warnings.first).envelope)
        XCTAssertEqual(e["data"]?["number"]?.stringValue, number(1))
        XCTAssertEqual(e["subject"]?["partner"]?.stringValue, "shop")
        XCTAssertEqual(e["data"]?["missed"], .bool(false))
    }
}
