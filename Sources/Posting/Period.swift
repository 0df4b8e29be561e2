/// Accounting periods are calendar months written `YYYY-MM`.
enum Period {
    /// `2024-03` from `2024-03-15`, nil when the date is not `YYYY-MM-DD`.
    static func of(date: String) -> String? {
        let parts = date.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              year > 0, (1...12).contains(month), (1...31).contains(day) else { return nil }
        return String(date.prefix(7))
    }

    /// The month after `period` (`2024-12` → `2025-01`).
    static func next(after period: String) -> String {
        let year = Int(period.prefix(4))!, month = Int(period.suffix(2))!
        let (y, m) = month == 12 ? (year + 1, 1) : (year, month + 1)
        return padded(y, 4) + "-" + padded(m, 2)
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
