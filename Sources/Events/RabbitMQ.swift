import Foundation
import CRabbitMQ

/// One AMQP 0-9-1 connection (rabbitmq-c) with channel 1 open.
///
/// `@unchecked Sendable`: the connection handle is used by one thread at a time (the publisher
/// loop, a consumer loop or a CLI command own theirs); it is never shared.
public final class AMQPConnection: @unchecked Sendable {
    let handle: amqp_connection_state_t
    public let address: AMQPAddress
    private var closed = false

    public init(_ address: AMQPAddress, timeout: TimeInterval = 5) throws {
        self.address = address
        var reason = [CChar](repeating: 0, count: 512)
        guard let h = dg_amqp_open(address.host, Int32(address.port), address.vhost, address.user, address.password,
                                   Int32(timeout * 1000), &reason, reason.count) else {
            throw EventsError("RabbitMQ \(address.endpoint): \(AMQPConnection.text(reason))")
        }
        handle = h
    }

    deinit { close() }

    public func close() {
        if closed { return }
        closed = true
        dg_amqp_close(handle)
    }

    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func check(_ what: String, _ body: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws {
        var reason = [CChar](repeating: 0, count: 512)
        if body(&reason, reason.count) != 0 { throw EventsError("RabbitMQ \(address.endpoint): \(what): \(AMQPConnection.text(reason))") }
    }

    /// A durable exchange (`topic`, `fanout` …).
    public func declareExchange(_ name: String, type: String = "topic") throws {
        try check("exchange \(name)") { dg_amqp_exchange(handle, name, type, $0, $1) }
    }

    /// A durable queue, dead-lettering into `deadLetterExchange`, bound to `exchange` with `key`.
    public func declareQueue(_ name: String, deadLetterExchange: String? = nil, bindTo exchange: String? = nil, key: String? = nil) throws {
        try check("queue \(name)") { buf, len in
            withOptionalCString(deadLetterExchange) { dlx in
                withOptionalCString(exchange) { ex in withOptionalCString(key) { k in dg_amqp_queue(handle, name, dlx, ex, k, buf, len) } }
            }
        }
    }

    public func enableConfirms() throws { try check("confirm.select") { dg_amqp_confirms(handle, $0, $1) } }

    /// Sends one persistent message (not yet confirmed).
    public func publish(exchange: String, routingKey: String, messageId: String, body: String, timestamp: Date) throws {
        var body = body
        let status = body.withUTF8 { b in
            dg_amqp_publish(handle, exchange, routingKey, messageId, b.baseAddress, b.count, UInt64(max(0, timestamp.timeIntervalSince1970)))
        }
        if status != 0 { throw EventsError("RabbitMQ \(address.endpoint): publish: \(String(cString: amqp_error_string2(status)))") }
    }

    public enum Confirm: Sendable { case ack(tag: UInt64, multiple: Bool), nack(tag: UInt64, multiple: Bool), timeout }

    public func waitConfirm(timeout: TimeInterval) throws -> Confirm {
        var tag: UInt64 = 0
        var multiple: Int32 = 0
        switch dg_amqp_wait_confirm(handle, Int32(timeout * 1000), &tag, &multiple) {
        case 1: return .ack(tag: tag, multiple: multiple != 0)
        case 2: return .nack(tag: tag, multiple: multiple != 0)
        case 0: return .timeout
        default: throw EventsError("RabbitMQ \(address.endpoint): connection lost while waiting for confirms")
        }
    }

    public func consume(_ queue: String, prefetch: Int = 100) throws {
        try check("consume \(queue)") { dg_amqp_consume(handle, queue, Int32(prefetch), $0, $1) }
    }

    public struct Message: Sendable {
        public var deliveryTag: UInt64
        public var redelivered: Bool
        public var messageId: String?
        public var routingKey: String
        public var body: [UInt8]
    }

    /// The next delivery, nil after `timeout`.
    public func next(timeout: TimeInterval) throws -> Message? {
        var m = dg_amqp_message()
        switch dg_amqp_next(handle, Int32(timeout * 1000), &m) {
        case 1:
            defer { dg_amqp_message_free(&m) }
            let body = m.body_len == 0 ? [] : [UInt8](UnsafeRawBufferPointer(start: m.body, count: m.body_len))
            return Message(deliveryTag: m.delivery_tag, redelivered: m.redelivered != 0, messageId: m.message_id.map { String(cString: $0) },
                           routingKey: String(cString: m.routing_key), body: body)
        case 0: return nil
        default: throw EventsError("RabbitMQ \(address.endpoint): connection lost while consuming")
        }
    }

    public func ack(_ tag: UInt64) throws {
        let status = dg_amqp_ack(handle, tag)
        if status != 0 { throw EventsError("RabbitMQ \(address.endpoint): ack: \(String(cString: amqp_error_string2(status)))") }
    }
}

private func withOptionalCString<R>(_ s: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let s else { return body(nil) }
    return s.withCString { body($0) }
}

/// Publishes events with publisher confirms: a batch is sent, then every confirm awaited; the
/// batch counts as published only when the broker acknowledged all of it.
public final class RabbitMQPublisher: @unchecked Sendable {
    // @unchecked: owned by one thread (the publisher loop or a CLI command).
    public let config: EventsConfig.RabbitMQ
    private var connection: AMQPConnection?
    private var nextTag: UInt64 = 1

    public init(config: EventsConfig.RabbitMQ) { self.config = config }

    /// host:port of the broker (for breakers and status), or the reason the URL is unusable.
    public var endpoint: String { (try? AMQPAddress(config.url.resolve()).endpoint) ?? "rabbitmq" }

    /// Connects (if not connected) and declares the exchange, the dead-letter exchange and its queue.
    public func connect() throws -> AMQPConnection {
        if let connection { return connection }
        let c = try AMQPConnection(try AMQPAddress(config.url.resolve()))
        try c.declareExchange(config.exchange, type: "topic")
        try c.declareExchange(config.deadLetterExchange, type: "topic")
        try c.declareQueue(config.deadLetterExchange, bindTo: config.deadLetterExchange, key: "#")
        try c.enableConfirms()
        connection = c
        nextTag = 1
        return c
    }

    public func disconnect() { connection?.close(); connection = nil }

    /// Publishes `events` in order (routing key = event type, message_id = event id) and returns
    /// once the broker confirmed every one. Confirms that arrive while publishing are read as they
    /// come (the broker writes to disk while more messages stream in). Any failure drops the
    /// connection and throws: the caller publishes the whole batch again (the same ids: consumers
    /// deduplicate).
    public func publish(_ events: [StoredEvent], confirmTimeout: TimeInterval = 10) throws {
        guard !events.isEmpty else { return }
        do {
            let c = try connect()
            var confirmed = nextTag - 1        // every tag up to this one is confirmed
            var single = Set<UInt64>()          // single acks beyond it (the broker may confirm out of order)
            func take(_ confirm: AMQPConnection.Confirm) throws -> Bool {
                switch confirm {
                case .ack(let tag, let multiple):
                    if multiple { confirmed = max(confirmed, tag) } else if tag > confirmed { single.insert(tag) }
                    while single.remove(confirmed + 1) != nil { confirmed += 1 }
                    single = single.filter { $0 > confirmed }
                    return true
                case .nack(let tag, _):
                    throw EventsError("RabbitMQ \(c.address.endpoint): the broker refused message \(tag) (nack)")
                case .timeout:
                    return false
                }
            }
            for (i, e) in events.enumerated() {
                try c.publish(exchange: config.exchange, routingKey: e.type, messageId: e.id, body: e.envelope, timestamp: e.at)
                nextTag += 1
                if i % 256 == 255 { while try take(try c.waitConfirm(timeout: 0)) {} }
            }
            let last = nextTag - 1
            let deadline = Date() + confirmTimeout
            while confirmed < last {
                guard try take(try c.waitConfirm(timeout: max(0.01, deadline.timeIntervalSinceNow))) else {
                    throw EventsError("RabbitMQ \(c.address.endpoint): no confirm within \(Int(confirmTimeout)) s")
                }
            }
        } catch {
            disconnect()
            throw error
        }
    }
}
