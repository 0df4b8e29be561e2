import Foundation
import Canonical
import Ledger
import Logging
import Transport

/// The publisher loop: after commit, sends what the outbox holds to RabbitMQ (batches with
/// confirms) and to each webhook (one event at a time, retried with backoff and jitter, a breaker
/// per endpoint, a dead letter after the last try), each sink from its own cursor in `seq`
/// order. Runs on its own thread beside the gateway loop; a crash between a publish and the
/// cursor's commit publishes the same events (same `event_id`) again.
public final class EventRelay: @unchecked Sendable {
    // @unchecked: the sinks' state is touched only by the relay thread; `stopping`/`drainUntil`
    // are read and written under `lock`.
    public let config: EventsConfig
    public let store: OutboxStore
    let logger: Logger
    let breakers: CircuitBreakerBoard
    let publisher: RabbitMQPublisher?
    var webhooks: [WebhookSink]
    var rabbitRetry: RetryState
    let lock = NSLock()
    var stopping = false
    var drainUntil: Date?
    var thread: Thread?
    let finished = DispatchSemaphore(value: 0)
    /// Events per RabbitMQ batch (confirmed whole, one cursor commit).
    public var batchSize = 5000
    /// When the relay next deletes what every sink has and `config.keep` has passed.
    var nextPrune = Date()
    static let pruneInterval: TimeInterval = 60

    public static let rabbitSink = "rabbitmq"

    struct WebhookSink {
        let sender: WebhookSender
        var retry: RetryState
        var name: String { sender.webhook.sinkName }
    }

    /// Installs the outbox on `ledger` (changes from now on write their events) and prepares the sinks.
    public init(config: EventsConfig, ledger: Ledger, logger: Logger) {
        self.config = config
        self.store = OutboxStore(ledger: ledger, ownReader: true)
        self.logger = logger
        breakers = CircuitBreakerBoard(clock: SystemTime(), template: config.breaker)
        publisher = config.rabbitmq.map(RabbitMQPublisher.init(config:))
        webhooks = config.webhooks.map { WebhookSink(sender: WebhookSender(webhook: $0), retry: RetryState(now: Date())) }
        rabbitRetry = RetryState(now: Date())
        Outbox.install(on: ledger, source: config.source)
    }

    public func start() {
        let t = Thread { [self] in loop(); finished.signal() }
        t.name = "dropgate-events"
        thread = t
        t.start()
    }

    /// Stops the loop; with `drain` > 0 it first sends what is waiting, for at most that long.
    public func stop(drain: TimeInterval = 0) {
        guard thread != nil else { return }
        lock.withLock { if drain > 0 { drainUntil = Date() + drain } else { stopping = true } }
        finished.wait()
        thread = nil
        publisher?.disconnect()
    }

    func loop() {
        while true {
            let (stop, drainDeadline) = lock.withLock { (stopping, drainUntil) }
            if stop { return }
            var worked = false
            do { worked = try turn() } catch { logger.error("events: \(error)") }
            if let drainDeadline {
                if Date() >= drainDeadline || ((try? caughtUp()) ?? false) { return }
            }
            if !worked { Thread.sleep(forTimeInterval: 0.05) }
        }
    }

    /// One pass over every sink; true when something was sent.
    @discardableResult
    public func turn(now: Date = Date()) throws -> Bool {
        var worked = false
        if let publisher { worked = try publishRabbit(publisher, now: now) || worked }
        for i in webhooks.indices { worked = try deliverWebhook(i, now: now) || worked }
        if !webhooks.isEmpty { worked = try retryDeadLetters() || worked }
        if now >= nextPrune {
            nextPrune = now + Self.pruneInterval
            try prune(now: now)
        }
        return worked
    }

    /// Deletes the events every configured sink has taken (the smallest cursor) once they are older
    /// than `events.keep`; dead letters' events stay. Returns how many went.
    @discardableResult
    public func prune(now: Date = Date()) throws -> Int {
        guard let keep = config.keep else { return 0 }
        var upTo = Int64.max
        if publisher != nil { upTo = min(upTo, try store.cursor(Self.rabbitSink)) }
        for w in webhooks { upTo = min(upTo, try store.cursor(w.name)) }
        guard upTo > 0, upTo < .max else { return 0 }
        let n = try store.prune(upTo: upTo, before: now - keep)
        if n > 0 { logger.debug("events: \(n) published event(s) older than \(Int(keep)) s deleted from the outbox") }
        return n
    }

    /// True when every sink's cursor is at the outbox's end.
    public func caughtUp() throws -> Bool {
        let last = try store.lastSeq()
        if publisher != nil, try store.cursor(Self.rabbitSink) < last { return false }
        for w in webhooks where try store.cursor(w.name) < last { return false }
        return true
    }

    func publishRabbit(_ publisher: RabbitMQPublisher, now: Date) throws -> Bool {
        guard rabbitRetry.isDue(at: now) else { return false }
        let cursor = try store.cursor(Self.rabbitSink)
        let events = try store.events(after: cursor, limit: batchSize)
        guard let last = events.last else { return false }
        let endpoint = "rabbitmq " + publisher.endpoint
        let before = breakers.state(of: endpoint)
        do {
            try breakers.run(endpoint) { try publisher.publish(events) }
            try store.advance(Self.rabbitSink, to: last.seq, breaker: breakers.summary(endpoint), now: Date())
            if rabbitRetry.failures > 0 { logger.info("events: RabbitMQ \(publisher.endpoint) reachable again, publishing") }
            rabbitRetry = RetryState(now: Date())
            return true
        } catch {
            var policy = config.retry
            policy.maxAttempts = .max   // the broker is never given up on: events wait in the outbox
            rabbitRetry.recordFailure("\(error)", at: Date(), policy: policy)
            let summary = breakers.summary(endpoint)
            if before != breakers.state(of: endpoint), case .open = breakers.state(of: endpoint) { logger.warning("events: \(endpoint) breaker open: \(error)") }
            else if rabbitRetry.failures == 1 { logger.warning("events: \(error); events wait in the outbox") }
            try store.failed(Self.rabbitSink, error: "\(error)", failures: rabbitRetry.failures, breaker: summary)
            return false
        }
    }

    func deliverWebhook(_ i: Int, now: Date) throws -> Bool {
        guard webhooks[i].retry.isDue(at: now) else { return false }
        let name = webhooks[i].name
        let start = try store.cursor(name)
        var cursor = start
        let batch = try store.events(after: cursor, limit: 200)
        guard !batch.isEmpty else { return false }
        var sent = false
        // A subscriber never gets the dead letters of its own deliveries (they would beget more while it is down).
        let ownDeadLetter = #""sink":"# + JSONValue.string(name).jsonText
        for e in batch {
            guard webhooks[i].sender.webhook.types.contains(where: { eventType(e.type, matches: $0) }),
                  !(e.type == "delivery.dead_letter" && e.envelope.contains(ownDeadLetter)) else { cursor = e.seq; continue }
            do {
                try breakers.run(endpoint(i)) { try webhooks[i].sender.send(e) }
                cursor = e.seq
                sent = true
                webhooks[i].retry = RetryState(now: Date())
            } catch {
                webhooks[i].retry.recordFailure("\(error)", at: Date(), policy: config.retry)
                if webhooks[i].retry.phase == .retrying {
                    if cursor > start { try store.advance(name, to: cursor, breaker: breakers.summary(endpoint(i)), published: sent) }
                    try store.failed(name, error: "\(error)", failures: webhooks[i].retry.failures, breaker: breakers.summary(endpoint(i)))
                    return sent
                }
                // Tries used up: a dead letter (and its delivery.dead_letter event); the next events go on.
                logger.warning("events: \(e.type) \(e.id) to \(webhooks[i].sender.webhook.url) is a dead letter after \(config.retry.maxAttempts) tries: \(error)")
                try store.deadLetter(sink: name, event: e, attempts: config.retry.maxAttempts, error: "\(error)", source: config.source)
                webhooks[i].retry = RetryState(now: Date())
                cursor = e.seq
            }
        }
        try store.advance(name, to: cursor, breaker: breakers.summary(endpoint(i)), published: sent)
        return cursor > start
    }

    /// Dead letters a person put back (`dropgate retry --webhooks`): one more try each.
    func retryDeadLetters() throws -> Bool {
        var worked = false
        for d in try store.deadLetters(states: ["retry"]) {
            guard let sink = webhooks.first(where: { $0.name == d.sink }), let e = try store.event(seq: d.seq) else { continue }
            do {
                try sink.sender.send(e)
                try store.settleDeadLetter(d.id, delivered: true, error: nil)
                logger.info("events: dead letter \(d.id) (\(e.type) \(e.id)) delivered to \(sink.sender.webhook.url)")
                worked = true
            } catch {
                try store.settleDeadLetter(d.id, delivered: false, error: "\(error)")
            }
        }
        return worked
    }

    func endpoint(_ i: Int) -> String {
        let url = URL(string: webhooks[i].sender.webhook.url)
        return "webhook \(url?.host ?? "?"):\(url?.port ?? (url?.scheme == "https" ? 443 : 80))"
    }
}

extension CircuitBreakerBoard {
    func summary(_ endpoint: String) -> String {
        switch state(of: endpoint) {
        case .closed: return "closed"
        case .open: return "open"
        case .halfOpen: return "half-open"
        }
    }
}
