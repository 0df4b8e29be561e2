import Foundation
import Ledger
import Transport

/// Partners on SFTP (issue 6): inbound channels with `remote:` are pulled into their inbox,
/// partner `outbound:` channels with `deliver:` are uploaded from their outbox, each on its
/// schedule, through one circuit breaker per endpoint, with retries and dead letters kept in the
/// ledger (`sftp_items`). See `SFTPPullRun` and `SFTPDeliveryRun`.
///
/// The registry holds one plugin for the process; what a running gateway needs between ticks
/// (pollers' last listings, breakers, next scheduled runs) lives in an `SFTPRuntime` per pipeline.
public final class SFTPPlugin: PipelinePlugin, @unchecked Sendable {
    // @unchecked: `runtimes` is only touched under `lock`; a runtime is driven by its pipeline's one thread.
    let policy: RetryPolicy
    let breaker: CircuitBreaker
    private let lock = NSLock()
    private var runtimes: [ObjectIdentifier: SFTPRuntime] = [:]

    public init(policy: RetryPolicy = RetryPolicy(), breaker: CircuitBreaker = CircuitBreaker()) {
        self.policy = policy
        self.breaker = breaker
    }

    /// Cheap when nothing is due: a config without SFTP returns at once, otherwise the runtime
    /// compares `now` with the earliest due time it computed last.
    public func tick(now: Date, pipeline: Pipeline) {
        guard pipeline.config.usesSFTP else { return }
        runtime(for: pipeline, now: now).tick(now: now)
    }

    public func statusLines(config: GatewayConfig, ledger: Ledger, now: Date) -> [String] {
        guard config.usesSFTP || !((try? ledger.sftpDeadLetters()) ?? []).isEmpty else { return [] }
        return SFTPStatus(config: config, ledger: ledger).lines(now: now)
    }

    private func runtime(for pipeline: Pipeline, now: Date) -> SFTPRuntime {
        lock.withLock {
            let key = ObjectIdentifier(pipeline)
            if let existing = runtimes[key], existing.pipeline === pipeline { return existing }
            runtimes = runtimes.filter { $0.value.pipeline != nil }
            let created = SFTPRuntime(pipeline: pipeline, policy: policy, breaker: breaker, now: now)
            runtimes[key] = created
            return created
        }
    }

    /// `dropgate retry ID`: a dead-lettered item gets a fresh round of retries, due at once.
    @discardableResult
    public static func retry(id: Int64, ledger: Ledger, now: Date = Date()) throws -> SFTPItem {
        guard var item = try ledger.sftpItem(id: id) else { throw SFTPRetryError("no SFTP item #\(id) (dropgate status --dead lists them)") }
        guard SFTPItem.deadPhases.contains(item.phase) else {
            throw SFTPRetryError("item #\(id) (\(item.partner)/\(item.channel)/\(item.name)) is \(item.phase), not a dead letter")
        }
        item.retry.retryByPerson(at: now)
        item.updatedAt = now
        try ledger.saveSFTPItem(&item, event: "sftp-retry", detail: "by a person")
        return item
    }
}

public struct SFTPRetryError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ d: String) { description = d }
}

/// A running gateway's SFTP state: one pull run per `remote:` channel, one delivery run per
/// `deliver:` channel, the endpoints' breakers, and when anything is next due.
final class SFTPRuntime {
    weak var pipeline: Pipeline?
    let policy: RetryPolicy
    let breakers: EndpointBreakers
    /// The pullers' clock: each tick's `now` (the wall clock in production, injected in tests).
    let clock = ManualTime()
    let pulls: [SFTPPullRun]
    let deliveries: [SFTPDeliveryRun]
    /// Nothing is due before this; nil = look now.
    private var wake: Date?
    /// The ledger is looked at again at least this often, so that `dropgate retry` is seen.
    static let ledgerLookInterval: TimeInterval = 5
    private var lastLook = Date.distantPast

    init(pipeline: Pipeline, policy: RetryPolicy, breaker: CircuitBreaker, now: Date) {
        self.pipeline = pipeline
        self.policy = policy
        breakers = EndpointBreakers(template: breaker, ledger: pipeline.ledger)
        let clock = self.clock
        clock.set(now)
        let config = pipeline.config
        pulls = config.channels.compactMap { c in c.remote.map { SFTPPullRun(channel: c, remote: $0, clock: clock, now: now) } }
        deliveries = config.outboundChannels.compactMap { o in o.deliver.map { SFTPDeliveryRun(outbound: o, deliver: $0, now: now) } }
    }

    func tick(now: Date) {
        guard let pipeline else { return }
        if let wake, now < wake, now < lastLook + Self.ledgerLookInterval { return }
        lastLook = now
        clock.set(now)
        for run in pulls { run.runIfDue(now: now, pipeline: pipeline, breakers: breakers, policy: policy) }
        for run in deliveries { run.runIfDue(now: now, pipeline: pipeline, breakers: breakers, policy: policy) }
        let ledger = pipeline.ledger
        let due = pulls.map { ($0.nextDue(ledger, now), $0.remote.endpoint) } + deliveries.map { ($0.nextDue(ledger, now), $0.deliver.endpoint) }
        // A due time behind an open breaker waits for the breaker's trial time.
        wake = due.compactMap { at, endpoint in at.map { max($0, breakers.reopens(endpoint) ?? $0) } }.min()
    }
}
