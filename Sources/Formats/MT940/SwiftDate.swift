/// SWIFT dates as MT940 writes them: `YYMMDD` (value dates, balance dates) and `MMDD`
/// (the :61: entry date, whose year must be inferred from the value date).
enum SwiftDate {
    /// A date that cannot be read, with the reason.
    struct Invalid: Error { let reason: String }

    /// `YYMMDD` → `YYYY-MM-DD`. Years are 20YY (MT940 carries two digits only).
    ///
    /// Day 29 or 30 of February is accepted and moved to the month's last day: German banks
    /// settle interest on the 30/360 day count and write period ends such as `160230`
    /// (30 February) in :61: value dates. Any other impossible day is an error.
    static func iso(yymmdd text: Substring) throws(Invalid) -> String {
        guard text.count == 6, let yy = Int(text.prefix(2)), let mm = Int(text.dropFirst(2).prefix(2)),
              let dd = Int(text.suffix(2)), text.allSatisfy(\.isASCII) else {
            throw Invalid(reason: "\"\(text)\" is not a date YYMMDD")
        }
        return try iso(year: 2000 + yy, month: mm, day: dd)
    }

    /// The entry date `MMDD` of a :61: line: the year is the one (value year - 1, value year,
    /// value year + 1) that puts the entry date closest to the value date, so an entry booked
    /// on 2 January for a value date of 31 December lands in the next year.
    static func iso(mmdd text: Substring, near valueDate: String) throws(Invalid) -> String {
        guard text.count == 4, let mm = Int(text.prefix(2)), let dd = Int(text.suffix(2)), text.allSatisfy(\.isASCII),
              let valueYear = Int(valueDate.prefix(4)) else {
            throw Invalid(reason: "\"\(text)\" is not a date MMDD")
        }
        let valueDay = dayNumber(valueDate)
        var best: String?
        var bestDistance = Int.max
        for year in [valueYear - 1, valueYear, valueYear + 1] {
            let candidate = try iso(year: year, month: mm, day: dd)
            let distance = abs(dayNumber(candidate) - valueDay)
            if distance < bestDistance { best = candidate; bestDistance = distance }
        }
        return best!
    }

    static func iso(year: Int, month: Int, day: Int) throws(Invalid) -> String {
        guard (1...12).contains(month) else { throw Invalid(reason: "month \(month) does not exist") }
        let last = daysIn(month: month, year: year)
        if day >= 1 && day <= last { return "\(year)-\(pad(month))-\(pad(day))" }
        if month == 2 && day <= 30 && day >= 1 { return "\(year)-02-\(pad(last))" }
        throw Invalid(reason: "day \(day) does not exist in \(year)-\(pad(month))")
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 0000-03-01 (proleptic Gregorian), to compare dates.
    private static func dayNumber(_ iso: String) -> Int {
        let parts = iso.split(separator: "-").compactMap { Int($0) }
        var y = parts[0], m = parts[1]
        let d = parts[2]
        if m <= 2 { y -= 1; m += 12 }
        return 365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + d
    }

    private static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
