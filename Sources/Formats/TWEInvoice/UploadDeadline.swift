import Foundation

/// The legal upload deadline of an invoice: B2C within 2 days and B2B within 7 days after the
/// invoice date (both configurable). The deadline is the end of the last allowed day, local time
/// (an invoice of 15 March, B2C, must be uploaded before 18 March 00:00 Asia/Taipei).
public struct UploadDeadline: Sendable {
    public enum Status: Sendable, Equatable {
        case onTime
        /// The deadline is within the warning period; the interval left, in seconds.
        case dueSoon(remaining: TimeInterval)
        case missed
    }

    public var consumerDays: Int
    public var businessDays: Int
    /// How long before the deadline a warning starts (default 12 hours).
    public var warningPeriod: TimeInterval
    public var timeZone: TimeZone

    public init(consumerDays: Int = 2, businessDays: Int = 7, warningPeriod: TimeInterval = 12 * 3600, timeZone: TimeZone = UploadWindow.taipei) {
        self.consumerDays = consumerDays; self.businessDays = businessDays
        self.warningPeriod = warningPeriod; self.timeZone = timeZone
    }

    /// The instant by which an invoice dated `issueDate` (`YYYY-MM-DD`) must be uploaded; nil for a malformed date.
    public func deadline(issueDate: String, businessBuyer: Bool) -> Date? {
        guard DateRules.isDate(issueDate) else { return nil }
        let p = issueDate.split(separator: "-").map { Int($0)! }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        guard let day = cal.date(from: DateComponents(year: p[0], month: p[1], day: p[2])) else { return nil }
        return cal.date(byAdding: .day, value: (businessBuyer ? businessDays : consumerDays) + 1, to: day)
    }

    /// Whether an invoice not yet uploaded at `now` is on time, due soon (warn now) or late.
    public func status(issueDate: String, businessBuyer: Bool, now: Date) -> Status? {
        guard let due = deadline(issueDate: issueDate, businessBuyer: businessBuyer) else { return nil }
        let left = due.timeIntervalSince(now)
        if left <= 0 { return .missed }
        return left <= warningPeriod ? .dueSoon(remaining: left) : .onTime
    }
}
