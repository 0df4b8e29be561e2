import Foundation

/// A calendar day without a time ("2026-12-24"), as banks use for execution dates.
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses "YYYY-MM-DD"; nil when it is not a real date.
    public init?(_ text: String) {
        let parts = text.split(separator: "-").map { Int($0) }
        guard parts.count == 3, let year = parts[0], let month = parts[1], let day = parts[2] else { return nil }
        self.init(year: year, month: month, day: day)
        guard let date = midnightUTC, LocalDate(date, in: TimeZone(identifier: "UTC")!) == self else { return nil }
    }

    /// The local calendar day of `date` in `timeZone`.
    public init(_ date: Date, in timeZone: TimeZone) {
        let parts = calendar(in: timeZone).dateComponents([.year, .month, .day], from: date)
        self.init(year: parts.year!, month: parts.month!, day: parts.day!)
    }

    var midnightUTC: Date? {
        calendar(in: TimeZone(identifier: "UTC")!).date(from: DateComponents(year: year, month: month, day: day))
    }

    /// The following calendar day.
    public var next: LocalDate {
        let utc = TimeZone(identifier: "UTC")!
        return LocalDate(midnightUTC! + 86_400, in: utc)
    }

    /// 1 = Sunday … 7 = Saturday (Foundation's numbering).
    public var weekday: Int {
        calendar(in: TimeZone(identifier: "UTC")!).component(.weekday, from: midnightUTC!)
    }

    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    public static func < (a: LocalDate, b: LocalDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
}

/// A bank's payment cutoff: a file handed over before the cutoff time on a business day is
/// processed that day; at or after the cutoff, or on a weekend or holiday, it goes to the next
/// business day. Holidays are per partner (each bank has its own calendar).
public struct PaymentCutoff: Sendable, Equatable {
    /// Minutes after local midnight.
    public let cutoff: Int
    public let timeZone: TimeZone
    public let holidays: Set<LocalDate>
    /// Foundation weekdays that are not business days (default Saturday 7 and Sunday 1).
    public let weekendDays: Set<Int>

    /// `cutoff` as "HH:MM"; `holidays` as "YYYY-MM-DD".
    public init(cutoff: String, timeZone: TimeZone, holidays: [String] = [], weekendDays: Set<Int> = [1, 7]) throws {
        self.cutoff = try TimeWindow.minutes(cutoff)
        self.timeZone = timeZone
        self.holidays = Set(try holidays.map { text in
            guard let day = LocalDate(text) else { throw ScheduleError(expression: text, reason: "holiday is not a date YYYY-MM-DD") }
            return day
        })
        self.weekendDays = weekendDays
    }

    public func isBusinessDay(_ day: LocalDate) -> Bool {
        !weekendDays.contains(day.weekday) && !holidays.contains(day)
    }

    /// The first business day strictly after `day`.
    public func nextBusinessDay(after day: LocalDate) -> LocalDate {
        var candidate = day.next
        while !isBusinessDay(candidate) { candidate = candidate.next }
        return candidate
    }

    /// The business day on which a file handed over at `date` is processed.
    public func processingDay(forFileAt date: Date) -> LocalDate {
        let today = LocalDate(date, in: timeZone)
        let parts = calendar(in: timeZone).dateComponents([.hour, .minute], from: date)
        let beforeCutoff = parts.hour! * 60 + parts.minute! < cutoff
        return isBusinessDay(today) && beforeCutoff ? today : nextBusinessDay(after: today)
    }
}
