import Foundation
import Transport
#if canImport(Glibc)
import Glibc
#endif

/// `events:` in gateway.yaml (docs/EVENTS.md): where events go.
public struct EventsConfig: Sendable {
    public struct RabbitMQ: Sendable {
        /// `amqp://[user[:password]@]host[:port][/vhost]`; user and password only as `${ENV}`
        /// references, or the whole URL from `urlFile`.
        public var url: URLSource
        public var exchange = "dropgate"
        /// Where consumers' queues dead-letter (`x-dead-letter-exchange`); a queue of the same
        /// name, bound with `#`, keeps what they reject.
        public var deadLetterExchange = "dropgate.dead-letter"
        public init(url: URLSource) { self.url = url }
    }

    public struct Webhook: Sendable {
        public var url: String
        public var secret: SecretSource
        /// Event types or patterns (`record.*`, `*`).
        public var types: [String]
        public init(url: String, secret: SecretSource, types: [String]) { self.url = url; self.secret = secret; self.types = types }
        public var sinkName: String { "webhook " + url }
    }

    /// A URL written in the YAML (with `${ENV}` references expanded when used) or read from a file.
    public enum URLSource: Sendable, Equatable {
        case text(String)
        case file(String)

        public func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
            switch self {
            case .text(let t): return try EventsConfig.expand(t, environment: environment)
            case .file(let path): return try SecretSource.file(path).read().trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
    }

    public var rabbitmq: RabbitMQ?
    public var webhooks: [Webhook] = []
    /// `source` of every envelope: `dropgate/<node>` (default: the host name).
    public var node: String = {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "localhost" }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()
    /// Retries of a sink that failed (the broker down, a webhook answering 500): the one retry
    /// policy of Transport. A webhook event whose tries are used up becomes a dead letter.
    public var retry: RetryPolicy = {
        var p = RetryPolicy()
        p.firstDelay = 0.5
        p.maxDelay = 30
        p.maxAttempts = 6
        return p
    }()
    public var breaker = CircuitBreaker(failureThreshold: 5, openDuration: 10, successThreshold: 1)
    /// How long an event stays in the outbox once every sink has it (`events.keep`, default 7 days):
    /// older ones are deleted by the relay (`dropgate events replay` reaches back this far). Events
    /// of dead letters stay. nil (`keep: forever`): nothing is deleted.
    public var keep: TimeInterval? = 7 * 86_400

    public init() {}

    public var source: String { "dropgate/" + node }

    /// Replaces `${NAME}` with the environment's value; an unset name is an error naming it.
    public static func expand(_ text: String, environment: [String: String]) throws -> String {
        var out = "", rest = Substring(text)
        while let start = rest.range(of: "${") {
            out += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { out += rest[start.lowerBound...]; rest = ""; break }
            let name = String(rest[start.upperBound..<end])
            guard let value = environment[name] else { throw EventsError("environment variable \(name) is not set (named in events.rabbitmq.url)") }
            out += value
            rest = rest[rest.index(after: end)...]
        }
        return out + rest
    }

    /// The problem with credentials written into a URL, if any: a password must be a `${ENV}` reference.
    public static func plainCredentials(in url: String) -> String? {
        guard let scheme = url.range(of: "://") else { return nil }
        let afterScheme = url[scheme.upperBound...]
        guard let at = afterScheme.lastIndex(of: "@") else { return nil }
        let userinfo = afterScheme[..<at]
        guard let colon = userinfo.firstIndex(of: ":") else { return nil }
        let password = userinfo[userinfo.index(after: colon)...]
        if password.hasPrefix("${") && password.hasSuffix("}") && !password.dropFirst(2).contains("$") { return nil }
        return "the URL holds a password: write it as ${ENV_NAME} (or give the whole URL in urlFile), never plain in gateway.yaml"
    }
}

public struct EventsError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// `amqp://user:password@host:port/vhost`, parsed (defaults: guest/guest, 5672, vhost `/`).
public struct AMQPAddress: Sendable, Equatable {
    public var host: String, port: Int, vhost: String, user: String, password: String

    public init(_ url: String) throws {
        guard let c = URLComponents(string: url), c.scheme == "amqp", let host = c.host, !host.isEmpty else {
            throw EventsError("not an amqp:// URL with a host (events.rabbitmq.url)")
        }
        self.host = host
        port = c.port ?? 5672
        user = c.user?.removingPercentEncoding ?? "guest"
        password = c.password?.removingPercentEncoding ?? "guest"
        let path = c.percentEncodedPath
        vhost = path.isEmpty || path == "/" ? "/" : (String(path.dropFirst()).removingPercentEncoding ?? "/")
    }

    /// host:port, for logs and breakers (never the credentials).
    public var endpoint: String { "\(host):\(port)" }
}
