import Foundation

/// A cron-like schedule in a time zone: five fields `minute hour day-of-month month day-of-week`,
/// e.g. `0 6 * * 1-5` = 06:00 on weekdays. Each field takes `*`, a number, a range `a-b`, a
/// step `*/n` or `a-b/n`, and comma lists. Day of week: 0 or 7 = Sunday. As in classic cron,
/// when both day fields are restricted a day matches if EITHER matches. Times that do not exist
/// on a daylight-saving day (the skipped hour) are skipped.
public struct CronSchedule: Schedule, Equatable {
    public let expression: String
    public let timeZone: TimeZone
    let minutes: [Int]
    let hours: [Int]
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let weekdays: Set<Int>
    let dayOfMonthRestricted: Bool
    let weekdayRestricted: Bool

    public init(_ expression: String, timeZone: TimeZone) throws {
        let fields = expression.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard fields.count == 5 else {
            throw ScheduleError(expression: expression, reason: "expected 5 fields (minute hour day month weekday), found \(fields.count)")
        }
        func parse(_ index: Int, _ name: String, _ range: ClosedRange<Int>) throws -> Set<Int> {
            try Self.parseField(fields[index], name: name, range: range, expression: expression)
        }
        self.expression = expression
        self.timeZone = timeZone
        minutes = try parse(0, "minute", 0...59).sorted()
        hours = try parse(1, "hour", 0...23).sorted()
        daysOfMonth = try parse(2, "day of month", 1...31)
        months = try parse(3, "month", 1...12)
        weekdays = Set(try parse(4, "day of week", 0...7).map { $0 % 7 })
        dayOfMonthRestricted = fields[2] != "*"
        weekdayRestricted = fields[4] != "*"
    }

    private static func parseField(_ field: String, name: String, range: ClosedRange<Int>, expression: String) throws -> Set<Int> {
        func invalid(_ why: String) -> ScheduleError { ScheduleError(expression: expression, reason: "\(name) field \"\(field)\": \(why)") }
        var values = Set<Int>()
        for part in field.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw invalid("more than one /") }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else { throw invalid("step must be a positive number") }
                step = parsed
            }
            let bounds: ClosedRange<Int>
            if pieces[0] == "*" {
                bounds = range
            } else {
                let ends = pieces[0].split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
                guard (1...2).contains(ends.count), let low = ends[0], let high = ends.last!, low <= high else {
                    throw invalid("expected *, a number or a range a-b")
                }
                guard range.contains(low), range.contains(high) else { throw invalid("outside \(range.lowerBound)-\(range.upperBound)") }
                bounds = low...high
            }
            values.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return values
    }

    private func dayMatches(month: Int, day: Int, weekday: Int) -> Bool {
        guard months.contains(month) else { return false }
        let byDate = daysOfMonth.contains(day)
        let byWeekday = weekdays.contains(weekday)
        if dayOfMonthRestricted && weekdayRestricted { return byDate || byWeekday }
        return byDate && byWeekday
    }

    public func nextRun(after date: Date) -> Date? {
        let calendar = calendar(in: timeZone)
        var day = calendar.startOfDay(for: date)
        // Eight years covers every valid expression (29 February needs at most eight).
        for _ in 0..<(366 * 8) {
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            if dayMatches(month: parts.month!, day: parts.day!, weekday: parts.weekday! - 1) {
                for hour in hours {
                    for minute in minutes {
                        let wanted = DateComponents(year: parts.year, month: parts.month, day: parts.day, hour: hour, minute: minute)
                        guard let candidate = calendar.date(from: wanted), candidate > date else { continue }
                        let check = calendar.dateComponents([.day, .hour, .minute], from: candidate)
                        if check.day == parts.day && check.hour == hour && check.minute == minute { return candidate }
                    }
                }
            }
            guard let nextDay = calendar.date(byAdding: .day, value: 1, to: day) else { return nil }
            day = nextDay
        }
        return nil
    }
}
