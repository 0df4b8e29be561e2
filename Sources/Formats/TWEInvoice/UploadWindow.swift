import Foundation

/// The daily period in which messages are released to the upload client (default 22:00–06:00
/// Asia/Taipei). A window whose end is before its start crosses midnight; equal ends mean always open.
public struct UploadWindow: Sendable, Equatable {
    /// Minutes after midnight, local time.
    public var opens: Int
    public var closes: Int
    public var timeZone: TimeZone

    public static let taipei = TimeZone(identifier: "Asia/Taipei")!

    public init(opens: Int = 22 * 60, closes: Int = 6 * 60, timeZone: TimeZone = UploadWindow.taipei) {
        self.opens = opens; self.closes = closes; self.timeZone = timeZone
    }

    /// Parses `22:00-06:00` (a channel setting); nil when malformed.
    public init?(_ spec: String, timeZone: TimeZone = UploadWindow.taipei) {
        let ends = spec.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
        guard ends.count == 2, let o = UploadWindow.minutes(ends[0]), let c = UploadWindow.minutes(ends[1]) else { return nil }
        self.init(opens: o, closes: c, timeZone: timeZone)
    }

    private static func minutes(_ hhmm: String) -> Int? {
        let p = hhmm.split(separator: ":")
        guard p.count == 2, let h = Int(p[0]), let m = Int(p[1]), (0...23).contains(h), (0...59).contains(m) else { return nil }
        return h * 60 + m
    }

    private var calendar: Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = timeZone
        return c
    }

    /// Whether messages may be released at `date`.
    public func isOpen(at date: Date) -> Bool {
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        let m = parts.hour! * 60 + parts.minute!
        if opens == closes { return true }
        return opens < closes ? (m >= opens && m < closes) : (m >= opens || m < closes)
    }

    /// The first moment strictly after `date` at which the window opens.
    public func nextOpening(after date: Date) -> Date {
        let cal = calendar
        let startOfDay = cal.startOfDay(for: date)
        var candidate = cal.date(byAdding: .minute, value: opens, to: startOfDay)!
        while candidate <= date { candidate = cal.date(byAdding: .day, value: 1, to: candidate)! }
        return candidate
    }
}
