import Foundation
import XCTest
import Canonical
import Events
import Gateway
import Ledger
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// kill -9 of the real `dropgate run` at random moments while files arrive and events flow to a
/// real RabbitMQ: afterwards every committed change has its event at the broker at least once,
/// a duplicate delivery carries an event_id already seen, and no event exists that the ledger
/// does not hold (nothing for a change that did not commit).
final class EventsCrashTests: XCTestCase {
    func testKillNineWhileEventsFlowLosesNoEventAndInventsNone() throws {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: dropgateExecutable), "build dropgate first: \(dropgateExecutable)")
        let broker = try TestRabbitMQ()
        defer { broker.stop(removing: true) }
        try bindTestQueue(broker.url, "t.crash")
        let home = try GatewayHome(partnersAndRoutes: """
            pickup: { minAge: 0ms, pollInterval: 20ms, poisonAfter: 1000 }
            partners:
              bank:
                channels:
                  - { name: payments, mapping: csv/bank-payment }
            events:
              rabbitmq: { url: "\(broker.url)" }
            """)
        defer { home.remove() }
        var generator = SystemRandomNumberGenerator()
        var kills = 0, next = 0
        // A consumer reads while the gateway is killed, as a real one would.
        let consumer = try connectWithRetries(broker.url)
        defer { consumer.close() }
        try consumer.consume("t.crash", prefetch: 1000)
        var seen = [String](), types = [String: String]()
        func consume(quiet: TimeInterval) throws {
            while let m = try consumer.next(timeout: quiet) {
                let e = try envelope(m)
                XCTAssertEqual(e["event_id"]?.stringValue, m.messageId)
                seen.append(m.messageId ?? "")
                types[m.messageId ?? ""] = m.routingKey
                try consumer.ack(m.deliveryTag)
            }
        }
        for round in 0..<32 {
            for _ in 0..<4 {
                let content = (next % 7 == 6) ? Int.random(in: 0..<max(next, 1), using: &generator) : next
                try home.drop("r\(round)-f\(next).csv", paymentCSV(content))
                next += 1
            }
            if round % 8 == 3 { try home.drop("r\(round)-bad.csv", Array("Direction,Amount\noutbound,ten\n".utf8)) }
            let p = try GatewayProcess(home).process
            usleep(UInt32.random(in: 20_000...600_000, using: &generator))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            if p.terminationReason == .uncaughtSignal { kills += 1 }
            try consume(quiet: 0.01)
        }
        let last = try GatewayProcess(home, once: true).process
        last.waitUntilExit()
        XCTAssertEqual(last.terminationStatus, 0)
        XCTAssertGreaterThanOrEqual(kills, 30, "at least 30 kills")

        let ledger = try home.ledger()
        let stored = try OutboxStore(ledger: ledger).events(after: 0, limit: .max)
        let storedIds = Set(stored.map(\.id))
        XCTAssertEqual(storedIds.count, stored.count)
        let deadline = Date() + 30
        while Set(seen).count < storedIds.count && Date() < deadline { try consume(quiet: 0.5) }
        try consume(quiet: 0.5)
        XCTAssertEqual(Set(seen).subtracting(storedIds), [], "no event the ledger does not hold (none for an uncommitted change)")
        XCTAssertEqual(storedIds.subtracting(seen), [], "every committed change's event reached the broker")
        var once = Set<String>()
        let repeats = seen.filter { !once.insert($0).inserted }
        XCTAssertTrue(repeats.allSatisfy(storedIds.contains), "a duplicate delivery carries an id already seen")
        print("events crash test: \(kills) kills, \(stored.count) events, \(seen.count) deliveries (\(repeats.count) repeated)")

        // Each committed state has its event, exactly once in the outbox.
        let files = try ledger.files(in: FileState.allCases)
        XCTAssertEqual(files.count, next + 4)
        for f in files {
            let mine = stored.filter { e in (try? JSONParser.parse(e.envelope)["subject"]?["file_id"]) == .number(String(f.id!)) }.map(\.type)
            XCTAssertEqual(mine.filter { $0 == "file.received" }.count, 1, "\(f.name): received once")
            switch f.state {
            case .archived:
                XCTAssertEqual(mine.filter { $0 == "file.translated" }.count, 1, "\(f.name): translated once")
                XCTAssertEqual(mine.filter { $0 == "record.payment" }.count, f.recordCount, "\(f.name): its records once")
            case .duplicate: XCTAssertEqual(mine.filter { $0 == "file.duplicate" }, ["file.duplicate"], f.name)
            case .quarantined: XCTAssertEqual(mine.filter { $0 == "file.quarantined" }, ["file.quarantined"], f.name)
            default: XCTFail("\(f.name) left \(f.state)")
            }
        }
    }
}
