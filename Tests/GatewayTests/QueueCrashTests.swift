import Foundation
import XCTest
import Events
import Gateway
import Ledger
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// kill -9 of the real `dropgate run` while it consumes a RabbitMQ queue channel: the broker
/// redelivers what was not acknowledged, and every message still becomes exactly one ledger file
/// (none lost, none twice) with its records once.
final class QueueCrashTests: XCTestCase {
    func testKillNineMidMessageLosesNoneAndDoublesNone() throws {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: dropgateExecutable), "build dropgate first: \(dropgateExecutable)")
        let broker = try TestRabbitMQ()
        defer { broker.stop(removing: true) }
        let count = 400
        let c = try connectWithRetries(broker.url)
        try c.declareQueue("erp.payments", deadLetterExchange: "dropgate.dead-letter")
        for n in 0..<count {
            try c.publish(exchange: "", routingKey: "erp.payments", messageId: "m\(n)", body: String(decoding: paymentCSV(n), as: UTF8.self), timestamp: Date())
        }
        c.close()
        let home = try GatewayHome(partnersAndRoutes: """
            pickup: { minAge: 0ms, pollInterval: 20ms, poisonAfter: 1000 }
            partners:
              erp:
                channels:
                  - { name: payments, mapping: csv/bank-payment, source: { rabbitmq: { queue: erp.payments } } }
            events:
              rabbitmq: { url: "\(broker.url)" }
            """)
        defer { home.remove() }
        let ledger = try home.ledger()
        func taken() throws -> Int { try ledger.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM files") ?? 0 } }
        var generator = SystemRandomNumberGenerator()
        var kills = 0, killedMidway = 0
        // Kill it at random moments until the queue is taken (every kill while messages are still coming).
        while try taken() < count && kills < 40 {
            let before = try taken()
            let p = try GatewayProcess(home).process
            // Wait until it takes messages, then kill it a few milliseconds later.
            _ = try GatewayProcess.waitFor(10) { try taken() > before }
            usleep(UInt32.random(in: 1_000...150_000, using: &generator))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            if p.terminationReason == .uncaughtSignal { kills += 1 }
            if try taken() < count { killedMidway += 1 }
        }
        XCTAssertGreaterThanOrEqual(killedMidway, 5, "killed while the queue was being consumed")
        // A last run finishes what was left in hand and takes the redeliveries.
        let last = try GatewayProcess(home).process
        let settled = try GatewayProcess.waitFor(60) { try ledger.files(in: [.archived]).count == count }
        usleep(500_000)
        last.terminate()
        last.waitUntilExit()
        XCTAssertTrue(settled, "every message archived")
        let files = try ledger.files(in: FileState.allCases)
        XCTAssertEqual(files.count, count, "one ledger file per message, none twice")
        XCTAssertEqual(Set(files.map(\.name)), Set((0..<count).map { "m\($0)" }), "none lost")
        XCTAssertTrue(files.allSatisfy { $0.state == .archived }, "\(files.filter { $0.state != .archived }.map { "\($0.name) \($0.state)" })")
        XCTAssertEqual(try ledger.recordCount(), 2 * count, "each message's two records once")
        XCTAssertEqual(try drainQueue(broker.url, "erp.payments", quiet: 1).count, 0, "every message acknowledged")
        print("queue crash test: \(kills) kills (\(killedMidway) mid-queue), \(count) messages")
    }
}
