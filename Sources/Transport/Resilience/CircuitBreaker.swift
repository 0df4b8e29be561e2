import Foundation

/// A circuit breaker for one endpoint: after `failureThreshold` consecutive failures it opens
/// and refuses calls; after `openDuration` it lets trial calls through (half-open); after
/// `successThreshold` successful trials it closes again, and any failed trial reopens it.
public struct CircuitBreaker: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case closed(consecutiveFailures: Int)
        case open(since: Date)
        case halfOpen(successes: Int)
    }

    public var failureThreshold = 5
    public var openDuration: TimeInterval = 30
    public var successThreshold = 2
    public private(set) var state: State = .closed(consecutiveFailures: 0)

    public init(failureThreshold: Int = 5, openDuration: TimeInterval = 30, successThreshold: Int = 2) {
        self.failureThreshold = failureThreshold
        self.openDuration = openDuration
        self.successThreshold = successThreshold
    }

    /// True when a call may go to the endpoint at `now`; moves open → half-open when due.
    public mutating func allowsCall(at now: Date) -> Bool {
        if case .open(let since) = state {
            guard now >= since + openDuration else { return false }
            state = .halfOpen(successes: 0)
        }
        return true
    }

    public mutating func recordSuccess() {
        switch state {
        case .closed: state = .closed(consecutiveFailures: 0)
        case .halfOpen(let successes):
            state = successes + 1 >= successThreshold ? .closed(consecutiveFailures: 0) : .halfOpen(successes: successes + 1)
        case .open: break
        }
    }

    public mutating func recordFailure(at now: Date) {
        switch state {
        case .closed(let failures):
            state = failures + 1 >= failureThreshold ? .open(since: now) : .closed(consecutiveFailures: failures + 1)
        case .halfOpen:
            state = .open(since: now)
        case .open: break
        }
    }

    /// One word for `dropgate status`.
    public var summary: String {
        switch state {
        case .closed(let failures): return failures == 0 ? "closed" : "closed (\(failures) failures)"
        case .open(let since): return "open since \(ISO8601DateFormatter().string(from: since))"
        case .halfOpen(let successes): return "half-open (\(successes) successes)"
        }
    }
}

/// The circuit breakers of all endpoints, keyed by endpoint name (`user@host:port`).
///
/// `@unchecked Sendable`: `breakers` is only touched under `lock`.
public final class CircuitBreakerBoard: @unchecked Sendable {
    /// Thrown instead of calling an endpoint whose breaker is open.
    public struct OpenCircuit: Error, Sendable, CustomStringConvertible {
        public let endpoint: String
        public var description: String { "circuit open for \(endpoint): calls paused after repeated failures" }
    }

    private let lock = NSLock()
    private var breakers: [String: CircuitBreaker] = [:]
    private let clock: any TimeSource
    private let template: CircuitBreaker

    public init(clock: any TimeSource, template: CircuitBreaker = CircuitBreaker()) {
        self.clock = clock
        self.template = template
    }

    /// Runs `call` if the endpoint's breaker allows it and records the outcome.
    public func run<T>(_ endpoint: String, _ call: () throws -> T) throws -> T {
        let allowed = lock.withLock {
            var breaker = breakers[endpoint] ?? template
            defer { breakers[endpoint] = breaker }
            return breaker.allowsCall(at: clock.now)
        }
        guard allowed else { throw OpenCircuit(endpoint: endpoint) }
        do {
            let result = try call()
            lock.withLock { breakers[endpoint, default: template].recordSuccess() }
            return result
        } catch {
            let now = clock.now
            lock.withLock { breakers[endpoint, default: template].recordFailure(at: now) }
            throw error
        }
    }

    public func state(of endpoint: String) -> CircuitBreaker.State {
        lock.withLock { (breakers[endpoint] ?? template).state }
    }

    /// Every known endpoint with its breaker summary, sorted by name.
    public var summaries: [(endpoint: String, state: String)] {
        lock.withLock { breakers.sorted { $0.key < $1.key }.map { ($0.key, $0.value.summary) } }
    }
}
