import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Crypto

/// Webhook signatures: `Dropgate-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`, the
/// timestamp being the `Dropgate-Timestamp` header (Unix seconds).
public enum WebhookSignature {
    public static func sign(secret: String, timestamp: String, body: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data((timestamp + "." + body).utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    public static func verify(secret: String, timestamp: String, body: String, header: String) -> Bool {
        let expected = Array(sign(secret: secret, timestamp: timestamp, body: body).utf8), given = Array(header.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0   // constant time
    }
}

/// POSTs one event to a subscriber.
public struct WebhookSender: Sendable {
    public let webhook: EventsConfig.Webhook
    public var timeout: TimeInterval = 10
    public init(webhook: EventsConfig.Webhook) { self.webhook = webhook }

    /// Throws unless the receiver answered 2xx.
    public func send(_ event: StoredEvent, now: Date = Date()) throws {
        guard let url = URL(string: webhook.url) else { throw EventsError("webhook \(webhook.url): not a URL") }
        let secret = try webhook.secret.read()
        let timestamp = String(Int64(now.timeIntervalSince1970))
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.httpBody = Data(event.envelope.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(event.id, forHTTPHeaderField: "Dropgate-Event-Id")
        request.setValue(event.type, forHTTPHeaderField: "Dropgate-Event-Type")
        request.setValue(timestamp, forHTTPHeaderField: "Dropgate-Timestamp")
        request.setValue(WebhookSignature.sign(secret: secret, timestamp: timestamp, body: event.envelope), forHTTPHeaderField: "Dropgate-Signature")
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let task = WebhookSender.session.dataTask(with: request) { _, response, error in
            outcome.set(status: (response as? HTTPURLResponse)?.statusCode, error: error.map { "\($0.localizedDescription)" })
            done.signal()
        }
        task.resume()
        if done.wait(timeout: .now() + timeout + 1) == .timedOut {
            task.cancel()
            throw EventsError("webhook \(webhook.url): no answer within \(Int(timeout)) s")
        }
        let (status, error) = outcome.get()
        if let error { throw EventsError("webhook \(webhook.url): \(error)") }
        guard let status, (200..<300).contains(status) else { throw EventsError("webhook \(webhook.url): HTTP \(status.map(String.init) ?? "?")") }
    }

    static let session: URLSession = {
        let c = URLSessionConfiguration.ephemeral
        c.httpMaximumConnectionsPerHost = 2
        return URLSession(configuration: c)
    }()

    /// `@unchecked Sendable`: set once by the completion handler before the semaphore is signalled, read after.
    private final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var status: Int?, error: String?
        func set(status: Int?, error: String?) { lock.withLock { self.status = status; self.error = error } }
        func get() -> (Int?, String?) { lock.withLock { (status, error) } }
    }
}
