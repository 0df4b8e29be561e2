import Foundation
import XCTest
import Events
import Gateway
import GRDB
import Logging

/// The outbox keeps events until every sink has them and `events.keep` has passed; then the relay
/// deletes them in batches — but never the event of a dead letter.
final class EventsPruneTests: XCTestCase {
    func testPublishedOldEventsGoDeadLettersAndUnsentStay() throws {
        let fast = try TestWebhookReceiver(), slow = try TestWebhookReceiver()
        defer { fast.stop(); slow.stop() }
        let home = try GatewayHome(partnersAndRoutes: """
            pickup: { minAge: 0ms, pollInterval: 20ms }
            partners:
              bank:
                channels:
                  - { name: payments, mapping: csv/bank-payment }
            events:
              node: test
              keep: 2d
              webhooks:
                - { url: "\(fast.url)", secretFile: webhook.secret, types: ["*"] }
                - { url: "\(slow.url)", secretFile: webhook.secret, types: ["file.*"] }
            """)
        defer { home.remove() }
        try "s3cret\n".write(toFile: home.root + "/webhook.secret", atomically: true, encoding: .utf8)
        let config = try home.config
        XCTAssertEqual(config.events?.keep, 2 * 86_400)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        for n in 1...4 { try home.drop("p\(n).csv", paymentCSV(n)) }
        try GatewayRunner(config: config, logger: logger).run(once: true) { false }

        let ledger = try home.ledger()
        let store = OutboxStore(ledger: ledger)
        let all = try store.events(after: 0, limit: .max)
        XCTAssertGreaterThan(all.count, 12)
        XCTAssertEqual(try store.cursor("webhook " + fast.url), all.last!.seq)
        // The first 10 events are 3 days old, the rest new; one old event is a dead letter; the slow
        // sink has only the first 6.
        let old = all.prefix(10).map(\.seq)
        try ledger.write { db in
            try db.execute(sql: "UPDATE events_outbox SET at = ? WHERE seq <= ?", arguments: [Date() - 3 * 86_400, old.last!])
            try db.execute(sql: "INSERT INTO events_dead_letters (sink, seq, state, attempts, lastError, createdAt, updatedAt) VALUES (?, ?, 'dead', 6, 'HTTP 500', ?, ?)",
                           arguments: ["webhook " + fast.url, old[2], Date(), Date()])
            try db.execute(sql: "UPDATE events_sinks SET lastSeq = ? WHERE name = ?", arguments: [old[5], "webhook " + slow.url])
        }
        let relay = EventRelay(config: config.events!, ledger: ledger, logger: logger)
        XCTAssertEqual(try relay.prune(), 5, "seq 1…6 but the dead letter's")
        let left = Set(try store.events(after: 0, limit: .max).map(\.seq))
        XCTAssertEqual(left, Set(all.map(\.seq)).subtracting(old.prefix(6)).union([old[2]]))
        // The slow sink catches up: the other old ones go too, the new ones and the dead letter's stay.
        try ledger.write { try $0.execute(sql: "UPDATE events_sinks SET lastSeq = ? WHERE name = ?", arguments: [all.last!.seq, "webhook " + slow.url]) }
        XCTAssertEqual(try relay.prune(), 4)
        XCTAssertEqual(Set(try store.events(after: 0, limit: .max).map(\.seq)), Set(all.dropFirst(10).map(\.seq)).union([old[2]]))
        XCTAssertEqual(try relay.prune(), 0)
        // `keep: forever` deletes nothing.
        var forever = config.events!
        forever.keep = nil
        try ledger.write { try $0.execute(sql: "UPDATE events_outbox SET at = ?", arguments: [Date() - 30 * 86_400]) }
        XCTAssertEqual(try EventRelay(config: forever, ledger: ledger, logger: logger).prune(), 0)
        XCTAssertEqual(try relay.prune(), all.count - 10, "all published, all old now: only the dead letter's stays")
        XCTAssertEqual(try store.events(after: 0, limit: .max).map(\.seq), [old[2]])
    }
}
