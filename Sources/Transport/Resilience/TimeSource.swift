import Foundation

/// "What time is it?" — injected everywhere time matters, so tests set the clock instead of
/// sleeping.
public protocol TimeSource: Sendable {
    var now: Date { get }
}

/// The real wall clock.
public struct SystemTime: TimeSource {
    public init() {}
    public var now: Date { Date() }
}

/// A clock that only moves when told to; for tests and replays.
///
/// `@unchecked Sendable`: `current` is only read and written under `lock`.
public final class ManualTime: TimeSource, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = start }

    public var now: Date { lock.withLock { current } }

    public func advance(by seconds: TimeInterval) { lock.withLock { current += seconds } }
    public func set(_ date: Date) { lock.withLock { current = date } }
}
