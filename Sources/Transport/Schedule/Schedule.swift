import Foundation

/// Something that says when a channel runs next (a pull poll, a release of outbound files).
public protocol Schedule: Sendable {
    /// The first run time strictly after `date`, or nil when there is none.
    func nextRun(after date: Date) -> Date?
}

/// A schedule expression that cannot be understood.
public struct ScheduleError: Error, Sendable, Equatable, CustomStringConvertible {
    public let expression: String
    public let reason: String
    public var description: String { "schedule \"\(expression)\": \(reason)" }
}

/// Every `interval` seconds, counted from `anchor` (so runs stay on the same grid across restarts).
public struct IntervalSchedule: Schedule {
    public let interval: TimeInterval
    public let anchor: Date

    public init(every interval: TimeInterval, anchor: Date = Date(timeIntervalSince1970: 0)) {
        precondition(interval > 0, "an interval schedule needs a positive interval")
        self.interval = interval
        self.anchor = anchor
    }

    public func nextRun(after date: Date) -> Date? {
        let steps = ((date.timeIntervalSince(anchor)) / interval).rounded(.down) + 1
        return anchor + max(0, steps) * interval
    }
}

/// A Gregorian calendar in a given time zone, shared by the schedule types.
func calendar(in timeZone: TimeZone) -> Calendar {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = timeZone
    return calendar
}
