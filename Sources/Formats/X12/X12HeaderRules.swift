import FormatKit

/// The fixed rules of the ISA and GS headers (X12.5 interchange control structures).
enum X12HeaderRules {
    /// ISA01…ISA16 are fixed width; each has its own TA105 code when wrong.
    static let isaWidths = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1]
    static let isaCodes = ["010", "011", "012", "013", "005", "006", "007", "008", "014", "015", "016", "017", "018", "019", "020", "027"]

    static func checkISA(_ s: X12Segment) -> [X12Finding] {
        var out = [X12Finding]()
        func bad(_ position: Int, _ message: String) {
            out.append(.interchange(isaCodes[position - 1], "isa\(position < 10 ? "0" : "")\(position)", message, at: s, field: s.fieldName(position)))
        }
        for (i, width) in isaWidths.enumerated() where s[i + 1].count != width {
            bad(i + 1, "\(s.fieldName(i + 1)) \"\(s[i + 1])\" is \(s[i + 1].count) characters; the ISA requires exactly \(width)")
        }
        if s[9].count == 6, !isDate("20" + s[9]) { bad(9, "ISA09 \"\(s[9])\" is not a date (YYMMDD)") }
        if s[10].count == 4, !isTime(s[10]) { bad(10, "ISA10 \"\(s[10])\" is not a time (HHMM)") }
        if s[12].count == 5, !s[12].allSatisfy(\.isASCIIDigit) { bad(12, "ISA12 \"\(s[12])\" is not a version number") }
        if s[13].count == 9, !s[13].allSatisfy(\.isASCIIDigit) { bad(13, "ISA13 \"\(s[13])\" is not a 9-digit control number") }
        if s[14].count == 1, s[14] != "0" && s[14] != "1" { bad(14, "ISA14 \"\(s[14])\" must be 0 or 1") }
        if s[15].count == 1, !["P", "T", "I"].contains(s[15]) { bad(15, "ISA15 \"\(s[15])\" must be P, T or I") }
        return out
    }

    static func checkGS(_ s: X12Segment) -> [X12Finding] {
        var out = [X12Finding]()
        if s.elements.count < 8 {
            out.append(.interchange("024", "gs-elements", "GS has \(s.elements.count) elements; it needs 8", at: s))
        }
        // GS04 was YYMMDD before version 004010, CCYYMMDD since.
        let sixDigitDates = (Int(s[8].prefix(6)) ?? 4010) < 4010
        let dateOK = sixDigitDates && s[4].count == 6 ? isDate("20" + s[4]) : isDate(s[4])
        if !dateOK { out.append(.interchange("024", "gs04", "GS04 \"\(s[4])\" is not a date (\(sixDigitDates ? "YYMMDD" : "CCYYMMDD"))", at: s, field: "GS04")) }
        if !isTime(s[5]) { out.append(.interchange("024", "gs05", "GS05 \"\(s[5])\" is not a time (HHMM, HHMMSS or with decimal seconds)", at: s, field: "GS05")) }
        if !(1...9).contains(s[6].count) || !s[6].allSatisfy(\.isASCIIDigit) {
            out.append(.group("6", "gs06", "GS06 \"\(s[6])\" is not a 1- to 9-digit control number", at: s, field: "GS06"))
        }
        return out
    }

    /// Control numbers are numeric: `000003438` and `3438` are the same number.
    static func sameControlNumber(_ a: String, _ b: String) -> Bool {
        let a = a.trimmingSpaces, b = b.trimmingSpaces
        if let x = UInt64(a), let y = UInt64(b) { return x == y }
        return a == b
    }

    /// CCYYMMDD with a real month and day (leap years included).
    static func isDate(_ s: String) -> Bool {
        guard s.count == 8, s.allSatisfy(\.isASCIIDigit), let y = Int(s.prefix(4)), let m = Int(s.dropFirst(4).prefix(2)),
              let d = Int(s.suffix(2)), (1...12).contains(m) else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return (1...days).contains(d)
    }

    /// HHMM, HHMMSS or HHMMSSD…: hours 00–23, minutes and seconds 00–59.
    static func isTime(_ s: String) -> Bool {
        guard [4, 6, 7, 8].contains(s.count), s.allSatisfy(\.isASCIIDigit) else { return false }
        let digits = s.compactMap(\.wholeNumberValue)
        let hh = digits[0] * 10 + digits[1], mm = digits[2] * 10 + digits[3]
        let ss = s.count >= 6 ? digits[4] * 10 + digits[5] : 0
        return hh < 24 && mm < 60 && ss < 60
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension String {
    var trimmingSpaces: String {
        guard first == " " || last == " " else { return self }
        return String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
