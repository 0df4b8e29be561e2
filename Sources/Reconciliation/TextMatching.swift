/// Small text helpers for finding references in free bank text.
enum TextMatching {
    /// Every piece of `text` (upper-cased) that has no letter or digit right before or after it, so
    /// a reference is "in" the text when it is one of these: `EREF+INV-1001/PAID` holds `INV-1001`
    /// (and `EREF`, `INV`, `1001`, `PAID`…) but `INV-10012` does not hold `INV-1001`.
    /// Built once per statement line, so each reference costs one set lookup.
    static func tokens(in text: String) -> Set<String> {
        let chars = Array(text.uppercased())
        var starts = [Int](), ends = [Int]()
        for (i, c) in chars.enumerated() {
            let before = i == 0 ? nil : chars[i - 1]
            let after = i + 1 == chars.count ? nil : chars[i + 1]
            if !(before?.isLetterOrDigit ?? false) && c != " " { starts.append(i) }
            if !(after?.isLetterOrDigit ?? false) && c != " " { ends.append(i) }
        }
        var out = Set<String>()
        for s in starts {
            for e in ends where e >= s && e - s < maxReferenceLength {
                out.insert(String(chars[s...e]))
            }
        }
        return out
    }

    /// References longer than this are not looked for in free text.
    static let maxReferenceLength = 64

    /// Letters and digits only, upper case: `"ACME Corp., Ltd"` → `"ACMECORPLTD"`.
    static func normalizedName(_ name: String) -> String {
        String(name.uppercased().filter(\.isLetterOrDigit))
    }

    /// Whether two party names are the same customer: equal once normalized, or one contains the other
    /// (banks often cut names at 35 characters or add a legal form).
    static func sameParty(_ a: String, _ b: String) -> Bool {
        let x = normalizedName(a), y = normalizedName(b)
        guard x.count >= 3, y.count >= 3 else { return false }
        return x == y || x.contains(y) || y.contains(x)
    }
}

private extension Character {
    var isLetterOrDigit: Bool { isLetter || isNumber }
}

/// Calendar days of `YYYY-MM-DD` dates, for date tolerances (no time zones involved).
enum DayNumber {
    /// Days since 1970-01-01 (proleptic Gregorian), nil for a malformed date.
    static func of(_ date: String) -> Int? {
        let parts = date.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func distance(_ a: String, _ b: String) -> Int? {
        guard let x = of(a), let y = of(b) else { return nil }
        return abs(x - y)
    }
}
