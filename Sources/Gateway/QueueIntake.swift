import Foundation
import Events
import GRDB
import Ledger
import Logging
import Transport

/// Channels whose source is a RabbitMQ queue (`source: { rabbitmq: { queue: erp.payments } }`):
/// each message becomes a file of the channel — written into the channel's folder, claimed
/// (hashed, registered) at once — and is acknowledged to the broker only after that ledger
/// commit. A message whose `message_id` the channel already has (a redelivery after a crash) is
/// acknowledged without a second file. A bad message is quarantined like a bad file, and acked.
/// Called from the gateway loop's thread only.
final class QueueIntake {
    let channels: [GatewayConfig.Channel]
    let rabbit: EventsConfig.RabbitMQ
    let logger: Logger
    var connections = [String: AMQPConnection]()
    var retry = RetryState(now: Date())
    let policy: RetryPolicy
    let breakers: CircuitBreakerBoard
    /// Messages taken per channel per turn.
    let perTurn = 64

    init?(config: GatewayConfig, logger: Logger) {
        let channels = config.channels.filter { $0.sourceQueue != nil }
        guard !channels.isEmpty, let events = config.events, let rabbit = events.rabbitmq else { return nil }
        self.channels = channels
        self.rabbit = rabbit
        self.logger = logger
        var p = events.retry
        p.maxAttempts = .max
        policy = p
        breakers = CircuitBreakerBoard(clock: SystemTime(), template: events.breaker)
    }

    func close() {
        for c in connections.values { c.close() }
        connections = [:]
    }

    /// Takes what the queues hold now; returns the claimed files still to translate.
    func poll(_ pipeline: Pipeline) -> [Pipeline.Pending] {
        guard retry.isDue(at: Date()) else { return [] }
        var out = [Pipeline.Pending]()
        for channel in channels {
            let queue = channel.sourceQueue!
            do {
                try breakers.run("rabbitmq \(queue)") {
                    let c = try connection(queue)
                    for _ in 0..<perTurn {
                        guard let m = try c.next(timeout: 0) else { break }
                        if let pending = try take(m, channel: channel, pipeline: pipeline) { out.append(pending) }
                        try c.ack(m.deliveryTag)
                    }
                }
                retry = RetryState(now: Date())
            } catch {
                connections[queue]?.close()
                connections[queue] = nil
                if retry.failures == 0 { logger.warning("queue \(queue) for \(channel.partner)/\(channel.name): \(error); retrying") }
                retry.recordFailure("\(error)", at: Date(), policy: policy)
            }
        }
        return out
    }

    func connection(_ queue: String) throws -> AMQPConnection {
        if let c = connections[queue] { return c }
        let c = try AMQPConnection(try AMQPAddress(rabbit.url.resolve()))
        try c.declareExchange(rabbit.deadLetterExchange, type: "topic")
        try c.declareQueue(queue, deadLetterExchange: rabbit.deadLetterExchange)
        try c.consume(queue, prefetch: perTurn)
        connections[queue] = c
        return c
    }

    /// The message as a file of the channel, registered in the ledger; nil when the channel had it already.
    func take(_ m: AMQPConnection.Message, channel: GatewayConfig.Channel, pipeline: Pipeline) throws -> Pipeline.Pending? {
        let name = QueueIntake.fileName(messageId: m.messageId, body: m.body)
        let known = try pipeline.ledger.read {
            try Bool.fetchOne($0, sql: "SELECT EXISTS(SELECT 1 FROM files WHERE partner = ? AND channel = ? AND name = ?)",
                              arguments: [channel.partner, channel.name, name]) ?? false
        }
        if known {
            logger.info("\(channel.partner)/\(channel.name) message \(name) again (redelivered): already taken, acknowledged")
            return nil
        }
        try FileManager.default.createDirectory(atPath: channel.path, withIntermediateDirectories: true)
        try AtomicFile.write(m.body, to: channel.path + "/" + name)
        guard case .claimed(let entry) = try pipeline.claim(folder: channel.path, name: Array(name.utf8), channel: channel) else {
            throw EventsError("message \(name) could not be claimed from \(channel.path)")
        }
        return pipeline.begin(workPath: entry.workPath, channel: channel)
    }

    /// A file name from the message id (what redeliveries are recognised by); without one, the body's hash.
    static func fileName(messageId: String?, body: [UInt8]) -> String {
        if let id = messageId, !id.isEmpty {
            let safe = String(id.map { $0.isLetter || $0.isNumber || "-_.@".contains($0) ? $0 : "_" }.prefix(200))
            return safe.hasPrefix(".") ? "_" + safe.dropFirst() : safe
        }
        var h = SHA256Stream()
        body.withUnsafeBytes { h.update($0) }
        return "sha256-" + h.finalizeHex()
    }
}
