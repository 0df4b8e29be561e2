import Foundation

/// A daily release window in a time zone, e.g. 22:00–04:00 for a nightly e-invoice run. The
/// start is inside the window, the end is not; an end earlier than the start crosses midnight.
public struct TimeWindow: Sendable, Equatable {
    /// Minutes after local midnight.
    public let start: Int
    public let end: Int
    public let timeZone: TimeZone

    /// `start` and `end` as "HH:MM" (24-hour).
    public init(start: String, end: String, timeZone: TimeZone) throws {
        self.start = try Self.minutes(start)
        self.end = try Self.minutes(end)
        self.timeZone = timeZone
        guard self.start != self.end else {
            throw ScheduleError(expression: "\(start)-\(end)", reason: "a window needs different start and end times")
        }
    }

    /// "HH:MM" → minutes after midnight.
    static func minutes(_ text: String) throws -> Int {
        let parts = text.split(separator: ":").map { Int($0) }
        guard parts.count == 2, let hour = parts[0], let minute = parts[1], (0...23).contains(hour), (0...59).contains(minute) else {
            throw ScheduleError(expression: text, reason: "expected a time HH:MM")
        }
        return hour * 60 + minute
    }

    public var crossesMidnight: Bool { end < start }

    public func contains(_ date: Date) -> Bool {
        let parts = calendar(in: timeZone).dateComponents([.hour, .minute], from: date)
        let minute = parts.hour! * 60 + parts.minute!
        return crossesMidnight ? (minute >= start || minute < end) : (minute >= start && minute < end)
    }

    /// `date` itself when the window is open then, else the next time it opens.
    public func nextOpening(atOrAfter date: Date) -> Date? {
        if contains(date) { return date }
        let calendar = calendar(in: timeZone)
        return calendar.nextDate(after: date, matching: DateComponents(hour: start / 60, minute: start % 60, second: 0),
                                 matchingPolicy: .nextTime)
    }
}
