import Foundation
import Ledger
import Canonical
import Transport

extension SFTPItem {
    /// The item's retry state as Transport's `RetryState`.
    var retry: RetryState {
        get {
            RetryState(phase: RetryState.Phase(rawValue: phase) ?? .retrying, failures: failures,
                       deadLetterRetriesUsed: deadLetterRetriesUsed, nextAttempt: nextAttempt, lastError: lastError)
        }
        set {
            phase = newValue.phase.rawValue; failures = newValue.failures; deadLetterRetriesUsed = newValue.deadLetterRetriesUsed
            nextAttempt = newValue.nextAttempt; lastError = newValue.lastError
        }
    }

    /// Records a failed try and saves it; the audit trail notes when the item becomes a dead letter.
    mutating func fail(_ error: Error, at now: Date, policy: RetryPolicy, ledger: Ledger) {
        let before = retry.phase
        retry.recordFailure(String(describing: error), at: now, policy: policy)
        updatedAt = now
        let event: String? = retry.phase == before ? nil : (retry.phase == .deadLettered ? "sftp-dead-letter" : "sftp-waiting-for-person")
        // A delivery that became a dead letter is also an event (delivery.dead_letter, docs/EVENTS.md).
        let change = event == "sftp-dead-letter" ? LedgerChange(kind: .other("delivery.dead_letter"), detail: JSONValue.object([
            "dead_letter_id": .number(String(id ?? 0)), "sink": .string("sftp " + kind.rawValue), "partner": .string(partner), "channel": .string(channel),
            "name": .string(name), "endpoint": .string(endpoint), "error": .string(lastError ?? "")]).jsonText, at: now) : nil
        try? ledger.saveSFTPItem(&self, event: event, detail: lastError, change: change)
    }
}

/// One circuit breaker per endpoint (`host:port`), kept in memory by the running gateway and
/// copied into the ledger whenever its state changes, so that `dropgate status` can show it.
final class EndpointBreakers {
    private var breakers: [String: CircuitBreaker] = [:]
    private let template: CircuitBreaker
    private let ledger: Ledger

    init(template: CircuitBreaker, ledger: Ledger) { self.template = template; self.ledger = ledger }

    /// True when a call to `endpoint` may go out at `now` (open → half-open when due).
    func allows(_ endpoint: String, at now: Date) -> Bool {
        update(endpoint, now) { $0.allowsCall(at: now) }
    }

    func succeeded(_ endpoint: String, at now: Date) { update(endpoint, now) { $0.recordSuccess() } }
    func failed(_ endpoint: String, at now: Date) { update(endpoint, now) { $0.recordFailure(at: now) } }

    /// When an open breaker lets a trial call through; nil when it is not open.
    func reopens(_ endpoint: String) -> Date? {
        if case .open(let since) = breakers[endpoint]?.state { return since + template.openDuration }
        return nil
    }

    private func update<T>(_ endpoint: String, _ now: Date, _ change: (inout CircuitBreaker) -> T) -> T {
        var breaker = breakers[endpoint] ?? template
        let before = breaker.state
        let result = change(&breaker)
        breakers[endpoint] = breaker
        if breaker.state != before { try? ledger.saveSFTPEndpoint(Self.row(endpoint, breaker, now)) }
        return result
    }

    /// The ledger row; `since` is when the breaker entered its state (it is saved on every change).
    static func row(_ endpoint: String, _ breaker: CircuitBreaker, _ now: Date) -> SFTPEndpointState {
        switch breaker.state {
        case .closed: return SFTPEndpointState(endpoint: endpoint, state: "closed", since: now, summary: breaker.summary, updatedAt: now)
        case .open(let since): return SFTPEndpointState(endpoint: endpoint, state: "open", since: since, summary: breaker.summary, updatedAt: now)
        case .halfOpen: return SFTPEndpointState(endpoint: endpoint, state: "half-open", since: now, summary: breaker.summary, updatedAt: now)
        }
    }
}

/// Runs Transport's async work (the puller is an actor) from the gateway's synchronous loop and
/// waits for it. The gateway loop is a plain thread, so blocking it here starves no executor.
func waitFor<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let outcome = AsyncOutcome<T>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do { outcome.result = .success(try await body()) } catch { outcome.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try outcome.result!.get()
}

/// The result `waitFor` hands from its task to the waiting thread.
private final class AsyncOutcome<T>: @unchecked Sendable {
    // @unchecked: written once by the task before the semaphore is signalled, read after the wait.
    var result: Result<T, Error>?
}
