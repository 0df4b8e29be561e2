import Foundation

/// Exponential backoff with jitter, then dead letters.
///
/// An item gets `maxAttempts` tries; before try n+1 it waits
/// `min(firstDelay × factor^(n-1), maxDelay)` ± `jitter` (a fraction). After the last try fails
/// the item is dead-lettered; a dead letter is tried once more every `deadLetterDelay`,
/// `deadLetterRetries` times, and then waits for a person (`dropgate retry ID`).
public struct RetryPolicy: Sendable, Equatable {
    public var firstDelay: TimeInterval = 1
    public var factor: Double = 2
    public var maxDelay: TimeInterval = 300
    public var maxAttempts = 5
    /// ±fraction applied to each delay (0.1 = ±10 %), so that many items do not retry in step.
    public var jitter: Double = 0.10
    public var deadLetterDelay: TimeInterval = 15 * 60
    public var deadLetterRetries = 3

    public init() {}

    /// The wait after `failedAttempts` failures (1 = after the first failure), before jitter.
    public func baseDelay(afterFailures failedAttempts: Int) -> TimeInterval {
        let exponent = Double(max(0, failedAttempts - 1))
        return min(firstDelay * pow(factor, exponent), maxDelay)
    }

    /// The wait with jitter; `spread` is a number in -1...1 (random in production).
    public func delay(afterFailures failedAttempts: Int, spread: Double) -> TimeInterval {
        baseDelay(afterFailures: failedAttempts) * (1 + jitter * min(1, max(-1, spread)))
    }
}

/// Where one item (a file to pull, an upload) stands in its retries; plain data the ledger
/// can store.
public struct RetryState: Sendable, Equatable, Codable {
    public enum Phase: String, Sendable, Codable {
        /// Being tried; `nextAttempt` says when.
        case retrying
        /// All quick retries failed; retried after the dead-letter delay.
        case deadLettered
        /// Dead-letter retries used up; only a person restarts it.
        case waitingForPerson
        case succeeded
    }

    public private(set) var phase: Phase = .retrying
    /// Failures in the current round of quick retries.
    public private(set) var failures = 0
    /// Dead-letter retries already used.
    public private(set) var deadLetterRetriesUsed = 0
    /// When the next try is due; nil when none is planned.
    public private(set) var nextAttempt: Date?
    public private(set) var lastError: String?

    public init(now: Date) { nextAttempt = now }

    /// A state read back from storage (the ledger keeps it across restarts).
    public init(phase: Phase, failures: Int, deadLetterRetriesUsed: Int, nextAttempt: Date?, lastError: String?) {
        self.phase = phase
        self.failures = failures
        self.deadLetterRetriesUsed = deadLetterRetriesUsed
        self.nextAttempt = nextAttempt
        self.lastError = lastError
    }

    /// True when a try may run at `now`.
    public func isDue(at now: Date) -> Bool {
        guard phase == .retrying || phase == .deadLettered, let due = nextAttempt else { return false }
        return now >= due
    }

    public mutating func recordSuccess() {
        phase = .succeeded
        nextAttempt = nil
        lastError = nil
    }

    /// Records a failed try at `now` and plans the next one; `spread` in -1...1 is the jitter.
    public mutating func recordFailure(_ error: String, at now: Date, policy: RetryPolicy,
                                       spread: Double = Double.random(in: -1...1)) {
        // A recurring item (a channel's pull) that last succeeded starts a fresh round of retries:
        // a failure after a success was dropped before, so it never backed off or dead-lettered.
        if phase == .succeeded { self = RetryState(now: now) }
        lastError = error
        switch phase {
        case .retrying:
            failures += 1
            if failures < policy.maxAttempts {
                nextAttempt = now + policy.delay(afterFailures: failures, spread: spread)
            } else {
                deadLetter(at: now, policy: policy)
            }
        case .deadLettered:
            deadLetterRetriesUsed += 1
            deadLetter(at: now, policy: policy)
        case .waitingForPerson, .succeeded:
            break
        }
    }

    private mutating func deadLetter(at now: Date, policy: RetryPolicy) {
        if deadLetterRetriesUsed < policy.deadLetterRetries {
            phase = .deadLettered
            nextAttempt = now + policy.deadLetterDelay
        } else {
            phase = .waitingForPerson
            nextAttempt = nil
        }
    }

    /// A person asked for another go (`dropgate retry ID`): a fresh round of quick retries.
    public mutating func retryByPerson(at now: Date) {
        self = RetryState(now: now)
    }
}
