import Foundation
import XCTest
import Canonical
import Events
import Gateway
import Ledger
import Logging
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Events against a real RabbitMQ node (started for this class on 127.0.0.1, stopped at its end)
/// and local webhook receivers.
final class EventsTests: XCTestCase {
    nonisolated(unsafe) static var broker: TestRabbitMQ?

    override class func tearDown() {
        broker?.stop(removing: true)
        broker = nil
        super.tearDown()
    }

    func rabbit() throws -> TestRabbitMQ {
        if let b = Self.broker { return b }
        let b = try TestRabbitMQ()
        Self.broker = b
        return b
    }

    let secret = "s3cret-for-tests"

    /// A home whose payments are routed to a CSV for the bank; `events` is the events section's body.
    func home(events: String) throws -> GatewayHome {
        let home = try GatewayHome(partnersAndRoutes: """
            pickup: { minAge: 0ms, pollInterval: 20ms, poisonAfter: 1000 }
            partners:
              bank:
                channels:
                  - { name: payments, mapping: csv/bank-payment }
            routes:
              - name: payments to the bank
                from: { partner: bank, channel: payments, type: payment }
                emit: { format: csv, mapping: csv/bank-payment-out, partner: bank, channel: payments-out }
            events:
              node: test
            \(events)
            """)
        try (secret + "\n").write(toFile: home.root + "/webhook.secret", atomically: true, encoding: .utf8)
        return home
    }

    func runner(_ home: GatewayHome) throws -> GatewayRunner {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return try GatewayRunner(config: try home.config, logger: logger)
    }

    func outbox(_ home: GatewayHome) throws -> [StoredEvent] { try OutboxStore(ledger: try home.ledger()).events(after: 0, limit: .max) }

    let badCSV = Array("Direction,Execution date,Amount,Currency,Debtor,Creditor,End to end id\noutbound,2026-11-23,ten euros,EUR,Acme,C,E2E-x\n".utf8)

    // MARK: a normal run

    func testEveryEventOnceWithTheEnvelopeAndVerifiableSignatures() throws {
        let broker = try rabbit()
        try bindTestQueue(broker.url, "t.normal")
        let receiver = try TestWebhookReceiver()
        defer { receiver.stop() }
        let home = try home(events: """
              rabbitmq: { url: "\(broker.url)", exchange: dropgate }
              webhooks:
                - { url: "\(receiver.url)", secretFile: webhook.secret, types: ["record.*", "file.quarantined"] }
            """)
        defer { home.remove() }
        try home.drop("a.csv", paymentCSV(1))
        try home.drop("bad.csv", badCSV)
        try runner(home).run(once: true) { false }
        try home.drop("twin.csv", paymentCSV(1))
        try runner(home).run(once: true) { false }

        let stored = try outbox(home)
        let messages = try drainQueue(broker.url, "t.normal", expect: stored.count)
        XCTAssertEqual(messages.map { $0.messageId ?? "" }, stored.map(\.id), "every event once, in outbox order")
        XCTAssertEqual(Set(stored.map(\.type)), ["file.received", "file.translated", "record.payment", "outbound.emitted", "file.quarantined", "file.duplicate"])
        for m in messages {
            let e = try envelope(m)
            XCTAssertEqual(e.objectValue?.keys, ["event_type", "event_id", "timestamp", "source", "subject", "data"])
            XCTAssertEqual(e["event_id"]?.stringValue, m.messageId)
            XCTAssertEqual(e["event_type"]?.stringValue, m.routingKey, "routing key = event type")
            XCTAssertEqual(e["source"]?.stringValue, "dropgate/test")
            XCTAssertNotNil(EventEnvelope.parseTimestamp(e["timestamp"]?.stringValue ?? ""), "RFC 3339 timestamp")
            XCTAssertTrue(e["timestamp"]?.stringValue?.hasSuffix("Z") ?? false, "UTC")
            XCTAssertEqual(e["subject"]?["partner"]?.stringValue, "bank")
            XCTAssertNotNil(e["subject"]?["file_id"])
            if m.routingKey == "record.payment" {
                XCTAssertNotNil(e["subject"]?["record_id"]?.stringValue)
                XCTAssertEqual(e["data"]?["type"]?.stringValue, "payment", "data is the canonical record")
            }
        }
        let quarantined = try XCTUnwrap(messages.first { $0.routingKey == "file.quarantined" })
        XCTAssertNotNil(try envelope(quarantined)["data"]?["message"]?.stringValue, "the error report")
        XCTAssertEqual(messages.filter { $0.routingKey == "record.payment" }.count, 2)
        // Per file: received, then translated and its records, then what was emitted from it.
        let firstFile = messages.filter { (try? envelope($0)["subject"]?["file_id"]) == .number("1") }.map(\.routingKey)
        XCTAssertEqual(firstFile, ["file.received", "file.translated", "record.payment", "record.payment", "outbound.emitted"])

        let expected = stored.filter { $0.type.hasPrefix("record.") || $0.type == "file.quarantined" }
        XCTAssertTrue(GatewayProcess.waitFor(5) { receiver.requests.count >= expected.count })
        XCTAssertEqual(receiver.requests.map { $0.headers["dropgate-event-id"] ?? "" }, expected.map(\.id), "each subscribed event once")
        for r in receiver.requests {
            let ts = try XCTUnwrap(r.headers["dropgate-timestamp"]), sig = try XCTUnwrap(r.headers["dropgate-signature"])
            XCTAssertTrue(WebhookSignature.verify(secret: secret, timestamp: ts, body: r.body, header: sig), "signature verifies")
            XCTAssertFalse(WebhookSignature.verify(secret: "other", timestamp: ts, body: r.body, header: sig))
            XCTAssertEqual(try JSONParser.parse(r.body)["event_id"]?.stringValue, r.headers["dropgate-event-id"])
        }

        let status = try dropgate(["events", "status", "--config", home.root + "/gateway.yaml"])
        XCTAssertTrue(status.output.contains("rabbitmq: 0 waiting, breaker closed, last published 20"), status.output)
        // Replay: the same events again, with their own ids.
        let replay = try dropgate(["events", "replay", "--since", "2000-01-01T00:00:00Z", "--type", "record.*", "--config", home.root + "/gateway.yaml"])
        XCTAssertEqual(replay.status, 0, replay.output)
        let again = try drainQueue(broker.url, "t.normal", expect: 2)
        XCTAssertEqual(again.map { $0.messageId ?? "" }, stored.filter { $0.type == "record.payment" }.map(\.id))
        XCTAssertEqual(again.map(\.body), messages.filter { $0.routingKey == "record.payment" }.map(\.body), "the very same bytes")
    }

    func testNoEventForATranslationThatRolledBack() throws {
        let home = try home(events: "  webhooks: [ { url: \"http://127.0.0.1:9/\", secretFile: webhook.secret } ]")
        defer { home.remove() }
        let ledger = try home.ledger()
        Outbox.install(on: ledger, source: "dropgate/test")
        let f = try ledger.receive(partner: "bank", channel: "payments", name: "x.csv", workPath: home.root + "/x", size: 1)
        struct Boom: Error {}
        XCTAssertThrowsError(try ledger.commitTranslation(f.id!) { sink in
            try sink.insert(id: "r1", type: "payment", json: "{\"type\":\"payment\"}")
            throw Boom()
        })
        XCTAssertEqual(try outbox(home).map(\.type), ["file.received"], "the rolled-back translation wrote no event")
        try ledger.commitTranslation(f.id!) { sink in try sink.insert(id: "r1", type: "payment", json: "{\"type\":\"payment\"}"); return "csv" }
        XCTAssertEqual(try outbox(home).map(\.type), ["file.received", "file.translated", "record.payment"])
    }

    func testTimestampsAreRFC3339InUTCWithMilliseconds() {
        XCTAssertEqual(EventEnvelope.rfc3339(Date(timeIntervalSince1970: 1_764_689_716.123)), "2025-12-02T15:35:16.123Z")
        XCTAssertEqual(EventEnvelope.rfc3339(Date(timeIntervalSince1970: 951_782_400)), "2000-02-29T00:00:00.000Z")
        XCTAssertEqual(EventEnvelope.parseTimestamp("2025-12-02T15:35:16.123Z")?.timeIntervalSince1970 ?? 0, 1_764_689_716.123, accuracy: 0.001)
    }

    func testConfigRefusesPlainCredentialsAndSecrets() throws {
        let home = try home(events: """
              rabbitmq: { url: "amqp://dropgate:hunter2@127.0.0.1:5672/" }
              webhooks: [ { url: "http://127.0.0.1:1/", secret: "plain" } ]
            """)
        defer { home.remove() }
        XCTAssertThrowsError(try home.config) { e in
            let p = "\(e)"
            XCTAssertTrue(p.contains("events.rabbitmq.url: the URL holds a password"), p)
            XCTAssertTrue(p.contains("events.webhooks[0].secret: never written in gateway.yaml"), p)
        }
        setenv("DROPGATE_TEST_AMQP_PASSWORD", "p@ss", 1)
        defer { unsetenv("DROPGATE_TEST_AMQP_PASSWORD") }
        let url = EventsConfig.URLSource.text("amqp://dropgate:${DROPGATE_TEST_AMQP_PASSWORD}@127.0.0.1:5672/")
        XCTAssertNil(EventsConfig.plainCredentials(in: "amqp://dropgate:${DROPGATE_TEST_AMQP_PASSWORD}@127.0.0.1:5672/"))
        XCTAssertEqual(try AMQPAddress(try url.resolve()).password, "p@ss")
        XCTAssertThrowsError(try EventsConfig.URLSource.text("amqp://u:${DROPGATE_UNSET_VAR}@h/").resolve())
    }

    // MARK: the broker down

    func testBrokerDownEventsWaitBreakerOpensAndAllDrainInOrder() throws {
        let broker = try rabbit()
        try bindTestQueue(broker.url, "t.down")
        let home = try home(events: """
              rabbitmq: { url: "\(broker.url)" }
              retry: { firstDelay: 100ms, maxDelay: 300ms }
              breaker: { failures: 2, openFor: 1s }
            """)
        defer { home.remove() }
        broker.stop()
        var restarted = false
        defer { if !restarted { try? broker.start() } }
        let runner = try runner(home)
        let stop = Flag()
        let done = DispatchSemaphore(value: 0)
        Thread { runner.run(once: false) { stop.value }; done.signal() }.start()
        defer { stop.value = true; done.wait() }
        for i in 0..<3 { try home.drop("p\(i).csv", paymentCSV(i)) }
        let store = OutboxStore(ledger: try home.ledger())
        XCTAssertTrue(try GatewayProcess.waitFor(20) { (try store.sinks().first { $0.name == "rabbitmq" }?.breaker) == "open" }, "the breaker opened")
        XCTAssertTrue(try GatewayProcess.waitFor(10) { try store.count() >= 3 * 5 }, "events wait in the outbox")
        XCTAssertEqual(try store.cursor(EventRelay.rabbitSink), 0, "nothing counted as published")
        try broker.start()
        restarted = true
        XCTAssertTrue(try GatewayProcess.waitFor(30) { try store.cursor(EventRelay.rabbitSink) == store.lastSeq() && store.lastSeq() >= 15 }, "all drained")
        XCTAssertEqual(try store.sinks().first { $0.name == "rabbitmq" }?.breaker, "closed", "the breaker closed again")
        let stored = try store.events(after: 0, limit: .max)
        let messages = try drainQueue(broker.url, "t.down", expect: stored.count)
        XCTAssertEqual(messages.map { $0.messageId ?? "" }, stored.map(\.id), "every event, in order")
    }

    // MARK: webhooks

    func testWebhookRetriedUntilItAnswersAndADeadLetterSentAgainByRetry() throws {
        let flaky = try TestWebhookReceiver(statuses: [500, 500, 200])
        defer { flaky.stop() }
        let gone = try TestWebhookReceiver()
        let gonePort = gone.port
        gone.stop()   // nothing listens there: every try fails
        let home = try home(events: """
              webhooks:
                - { url: "\(flaky.url)", secretFile: webhook.secret, types: ["file.*"] }
                - { url: "http://127.0.0.1:\(gonePort)/hook", secretEnv: DROPGATE_TEST_WEBHOOK_SECRET, types: [file.received, delivery.dead_letter] }
              retry: { firstDelay: 50ms, maxDelay: 100ms, maxAttempts: 3 }
              breaker: { failures: 10, openFor: 100ms }
            """)
        defer { home.remove() }
        setenv("DROPGATE_TEST_WEBHOOK_SECRET", secret, 1)
        defer { unsetenv("DROPGATE_TEST_WEBHOOK_SECRET") }
        let runner = try runner(home)
        let stop = Flag()
        let done = DispatchSemaphore(value: 0)
        Thread { runner.run(once: false) { stop.value }; done.signal() }.start()
        defer { stop.value = true; done.wait() }
        try home.drop("a.csv", paymentCSV(7))
        let store = OutboxStore(ledger: try home.ledger())
        XCTAssertTrue(try GatewayProcess.waitFor(20) { try store.deadLetters().count == 1 }, "the endpoint that never answers: a dead letter")
        let fileEvents = try store.events(after: 0, limit: .max).filter { $0.type.hasPrefix("file.") }
        XCTAssertTrue(GatewayProcess.waitFor(10) { flaky.requests.count >= fileEvents.count + 2 })
        let ids = flaky.requests.map { $0.headers["dropgate-event-id"] ?? "" }
        XCTAssertEqual(ids, [fileEvents[0].id, fileEvents[0].id] + fileEvents.map(\.id), "500, 500, then delivered; the next in order")
        let dead = try XCTUnwrap(try store.deadLetters().first)
        XCTAssertEqual(dead.attempts, 3)
        XCTAssertEqual(try store.event(seq: dead.seq)?.type, "file.received")
        XCTAssertTrue(try store.events(after: 0, limit: .max).contains { $0.type == "delivery.dead_letter" }, "a delivery.dead_letter event")

        // The endpoint is back; a person retries the dead letter.
        let back = try TestWebhookReceiver(port: gonePort)
        defer { back.stop() }
        let retry = try dropgate(["retry", "--webhooks", "--config", home.root + "/gateway.yaml"])
        XCTAssertEqual(retry.status, 0, retry.output)
        XCTAssertTrue(GatewayProcess.waitFor(10) { back.requests.count == 1 }, "sent again after dropgate retry")
        XCTAssertEqual(back.requests.first?.headers["dropgate-event-id"], try store.event(seq: dead.seq)?.id)
        XCTAssertTrue(try GatewayProcess.waitFor(5) { try store.deadLetters(states: ["delivered"]).count == 1 })
        usleep(500_000)
        XCTAssertEqual(back.requests.count, 1, "not sent the dead-letter event of its own delivery")
        XCTAssertEqual(try store.deadLetters().count, 0)
        let status = try dropgate(["events", "status", "--config", home.root + "/gateway.yaml"])
        XCTAssertTrue(status.output.contains("webhook \(flaky.url): 0 waiting, breaker closed"), status.output)
    }

    // MARK: a queue channel

    func testQueueMessagesBecomeRecordsOnceAndABadOneIsQuarantinedAndAcknowledged() throws {
        let broker = try rabbit()
        let c = try connectWithRetries(broker.url)
        try c.declareQueue("erp.payments", deadLetterExchange: "dropgate.dead-letter")
        // m1 twice: the broker's redelivery of a message the gateway took before it crashed.
        for (id, body) in [("m1", paymentCSV(1)), ("m2", paymentCSV(2)), ("m1", paymentCSV(1)), ("m3", badCSV)] {
            try c.publish(exchange: "", routingKey: "erp.payments", messageId: id, body: String(decoding: body, as: UTF8.self), timestamp: Date())
        }
        c.close()
        let home = try GatewayHome(partnersAndRoutes: """
            pickup: { minAge: 0ms, pollInterval: 20ms }
            partners:
              erp:
                channels:
                  - { name: payments, mapping: csv/bank-payment, source: { rabbitmq: { queue: erp.payments } } }
            routes:
              - { name: to the bank, from: { partner: erp, type: payment }, emit: { format: csv, mapping: csv/bank-payment-out, partner: erp, channel: bank-out } }
            events:
              rabbitmq: { url: "\(broker.url)" }
            """)
        defer { home.remove() }
        let runner = try runner(home)
        let stop = Flag()
        let done = DispatchSemaphore(value: 0)
        Thread { runner.run(once: false) { stop.value }; done.signal() }.start()
        let ledger = try home.ledger()
        let finished = try GatewayProcess.waitFor(20) { try ledger.files(in: [.archived, .quarantined, .duplicate]).count >= 3 }
        usleep(300_000)   // the redelivered m1 is taken (and acknowledged) too
        stop.value = true
        done.wait()
        XCTAssertTrue(finished)
        let files = try ledger.files(in: FileState.allCases)
        XCTAssertEqual(files.map { "\($0.name) \($0.state.rawValue)" }, ["m1 archived", "m2 archived", "m3 quarantined"], "one file per message id")
        XCTAssertEqual(try ledger.recordCount(), 4, "no second record for the redelivered message")
        XCTAssertEqual(try ledger.outboundFiles().count, 2, "routed like any channel")
        XCTAssertNotNil(files[2].error, "the bad message has its error report")
        XCTAssertEqual(home.files(under: "var/archive").count, 2, "messages archived like files")
        XCTAssertEqual(try drainQueue(broker.url, "erp.payments", quiet: 1).count, 0, "every message acknowledged, the bad one too")

        // Config: a queue channel needs the broker.
        let bad = try GatewayHome(partnersAndRoutes: """
            partners:
              erp:
                channels:
                  - { name: payments, mapping: csv/bank-payment, source: { rabbitmq: { queue: "" } } }
            """)
        defer { bad.remove() }
        XCTAssertThrowsError(try bad.config) { e in XCTAssertTrue("\(e)".contains("partners.erp.channels[0].source.rabbitmq.queue: missing"), "\(e)") }
    }
}

/// A flag another thread reads. `@unchecked Sendable`: the value is read and written under `lock`.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var v = false
    var value: Bool { get { lock.withLock { v } } set { lock.withLock { v = newValue } } }
}

/// Runs the dropgate executable to its end: exit status and what it printed.
func dropgate(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: dropgateExecutable)
    p.arguments = arguments
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}
