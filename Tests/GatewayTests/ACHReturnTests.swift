import Foundation
import XCTest
import Canonical
import Events
import Gateway
import GRDB
import Logging
import TestSupport

/// A payroll goes out as a NACHA file; the bank sends back a return file (addenda 99 with the
/// original trace numbers): the return of an entry we sent is an `outbound.rejected` event naming
/// the outbound file, the one of an entry we never sent an `ach.return.unmatched` event — at the
/// broker-less sink (a webhook) and in the outbox, once even when the file is run again.
final class ACHReturnTests: XCTestCase {
    func testReturnIsMatchedToTheEntryWeSent() throws {
        let receiver = try TestWebhookReceiver()
        defer { receiver.stop() }
        let home = try GatewayHome(partnersAndRoutes: """
            pickup: { minAge: 0ms, pollInterval: 20ms }
            partners:
              acme-payroll:
                channels:
                  - { name: payroll, mapping: csv/ach-payroll }
              first-national:
                settings: { immediateDestination: "231380104", immediateDestinationName: FIRST NATIONAL, immediateOrigin: "1234567890", immediateOriginName: ACME TRADING }
                channels:
                  - { name: returns, format: nacha }
            routes:
              - name: payroll to the bank
                from: { partner: acme-payroll, channel: payroll, type: payment }
                emit: { format: nacha, partner: first-national, channel: ach-out }
            events:
              node: test
              webhooks:
                - { url: "\(receiver.url)", secretFile: webhook.secret, types: ["outbound.rejected", "ach.*"] }
            """)
        defer { home.remove() }
        try "s3cret\n".write(toFile: home.root + "/webhook.secret", atomically: true, encoding: .utf8)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        func run() throws { try GatewayRunner(config: try home.config, logger: logger).run(once: true) { false } }

        let payroll = try String(contentsOfFile: packageRoot + "/samples/acme-payroll/payroll/payroll-2026-11-27.csv", encoding: .utf8)
        try home.drop("payroll.csv", Array(payroll.utf8), into: "acme-payroll/payroll")
        try run()
        let sent = home.files(under: "outbox/first-national/ach-out")
        XCTAssertEqual(sent.count, 1, "\(sent)")
        let nacha = try String(contentsOfFile: home.root + "/outbox/first-national/ach-out/" + XCTUnwrap(sent.first), encoding: .utf8)
        // Ravi Patel's entry as the writer numbered it.
        let entry = try XCTUnwrap(nacha.split(separator: "\n").first { $0.hasPrefix("6") && $0.contains("Ravi Patel") })
        let trace = String(entry.suffix(15)), cents = String(entry.dropFirst(29).prefix(10))
        XCTAssertEqual(cents, "0000197535")

        let returns = ACHReturnFile(entries: [
            .init(originalTrace: trace, returnCode: "R03", transactionCode: "31", rdfi: "02100002", account: "987654321", cents: 197535, name: "Ravi Patel"),
            .init(originalTrace: "099999990000042", returnCode: "R01", transactionCode: "21", rdfi: "12104288", account: "000123456789", cents: 5000, name: "Nobody Known"),
        ]).text
        try home.drop("return.ach", Array(returns.utf8), into: "first-national/returns")
        try run()
        let ledger = try home.ledger()
        XCTAssertEqual(try ledger.read { try String.fetchOne($0, sql: "SELECT state FROM files WHERE name = 'return.ach'") }, "archived",
                       "an unmatched return is no error")
        let events = try OutboxStore(ledger: ledger).events(after: 0, limit: .max)
        let rejected = events.filter { $0.type == "outbound.rejected" }, unmatched = events.filter { $0.type == "ach.return.unmatched" }
        XCTAssertEqual(rejected.count, 1)
        XCTAssertEqual(unmatched.count, 1)
        let data = try XCTUnwrap(try JSONParser.parse(XCTUnwrap(rejected.first).envelope)["data"])
        let outboundName = try ledger.read { try String.fetchOne($0, sql: "SELECT name FROM outbound WHERE format = 'nacha'") }
        let returnFileId = try ledger.read { try Int64.fetchOne($0, sql: "SELECT id FROM files WHERE name = 'return.ach'") }
        XCTAssertEqual(data["trace_number"]?.stringValue, trace)
        XCTAssertEqual(data["amount"]?.stringValue, "1975.35")
        XCTAssertEqual(data["original_amount"]?.stringValue, "1975.35")
        XCTAssertEqual(data["return_code"]?.stringValue, "R03")
        XCTAssertEqual(data["return_reason"]?.stringValue, "No account / unable to locate account")
        XCTAssertEqual(data["outbound_name"]?.stringValue, outboundName)
        XCTAssertEqual(data["inbound_file_id"], .number(String(try XCTUnwrap(returnFileId))))
        let other = try XCTUnwrap(try JSONParser.parse(XCTUnwrap(unmatched.first).envelope)["data"])
        XCTAssertEqual(other["trace_number"]?.stringValue, "099999990000042")
        XCTAssertEqual(other["return_reason"]?.stringValue, "Insufficient funds")
        XCTAssertNil(other["outbound_name"])
        // Published to the webhook (the run drains before it ends) and audited on the return file.
        XCTAssertEqual(Set(receiver.requests.compactMap { try? JSONParser.parse($0.body)["event_type"]?.stringValue }), ["outbound.rejected", "ach.return.unmatched"])
        XCTAssertEqual(try ledger.auditTrail(fileId: try XCTUnwrap(returnFileId)).filter { $0.event == "ach-return" }.count, 2)
        // The same returns again (another file, same content): a duplicate, no second event.
        try home.drop("return-again.ach", Array(returns.utf8), into: "first-national/returns")
        try run()
        XCTAssertEqual(try OutboxStore(ledger: ledger).events(after: 0, limit: .max).filter { $0.type == "outbound.rejected" }.count, 1)
    }
}

/// A NACHA return file: one PPD batch of return entries (addenda 99), controls computed.
struct ACHReturnFile {
    struct Entry { var originalTrace, returnCode, transactionCode, rdfi, account: String; var cents: Int; var name: String }
    var entries: [Entry]

    static func field(_ s: String, _ width: Int) -> String { String((s + String(repeating: " ", count: width)).prefix(width)) }
    static func number(_ n: Int, _ width: Int) -> String { String(String(repeating: "0", count: width) + String(n)).suffix(width).description }

    var text: String {
        let odfi = "23138010"
        var lines = ["101 2313801041234567890" + "2612010800A094101" + Self.field("ACME TRADING", 23) + Self.field("FIRST NATIONAL", 23) + Self.field("", 8)]
        lines.append("5200" + Self.field("Acme Trading Inc", 16) + Self.field("", 20) + "1234567890PPD" + Self.field("PAYROLL", 10) + "261127261127" + "   1" + odfi + "0000001")
        var hash = 0, debit = 0, credit = 0
        for (i, e) in entries.enumerated() {
            let check = Self.checkDigit(e.rdfi)
            let sequence = Self.number(i + 1, 7)
            lines.append("6" + e.transactionCode + e.rdfi + String(check) + Self.field(e.account, 17) + Self.number(e.cents, 10) + Self.field("", 15)
                         + Self.field(e.name, 22) + "  1" + odfi + sequence)
            lines.append("799" + e.returnCode + e.originalTrace + "      " + e.rdfi + Self.field("", 44) + odfi + sequence)
            hash += Int(e.rdfi)!
            if ["26", "27", "36", "37"].contains(e.transactionCode) { debit += e.cents } else { credit += e.cents }
        }
        let count = entries.count * 2
        lines.append("8200" + Self.number(count, 6) + Self.number(hash % 10_000_000_000, 10) + Self.number(debit, 12) + Self.number(credit, 12)
                     + "1234567890" + Self.field("", 19) + Self.field("", 6) + odfi + "0000001")
        let blocks = (lines.count + 1 + 9) / 10
        lines.append("9000001" + Self.number(blocks, 6) + Self.number(count, 8) + Self.number(hash % 10_000_000_000, 10) + Self.number(debit, 12)
                     + Self.number(credit, 12) + Self.field("", 39))
        while lines.count % 10 != 0 { lines.append(String(repeating: "9", count: 94)) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The ABA check digit of an 8-digit routing prefix.
    static func checkDigit(_ routing8: String) -> Int {
        let d = routing8.compactMap(\.wholeNumberValue), w = [3, 7, 1, 3, 7, 1, 3, 7]
        return (10 - zip(d, w).map { $0 * $1 }.reduce(0, +) % 10) % 10
    }
}
