import FormatKit

/// The fixed rules of the ISA and GS headers (X12.5 interchange control structures).
enum X12HeaderRules {
    /// ISA01…ISA16 are fixed width; each has its own TA105 code when wrong.
    static let isaWidths = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1]
    static let isaCodes = ["010", "011", "012", "013", "005", "006", "007", "008", "014", "015", "016", "017", "018", "019", "020", "027"]

    /// `strict` (the partner option `strictEnvelope: true`) refuses every width deviation; by
    /// default the padded text elements are read by their delimiters with a warning (see
    /// `tolerantWidth`), as most translators do.
    static func checkISA(_ s: X12Segment, strict: Bool = false) -> [X12Finding] {
        var out = [X12Finding]()
        func bad(_ position: Int, _ message: String, warning: Bool = false) {
            var f = X12Finding.interchange(isaCodes[position - 1], "isa\(position < 10 ? "0" : "")\(position)", message, at: s, field: s.fieldName(position))
            if warning { f.error.severity = .warning }
            out.append(f)
        }
        for (i, width) in isaWidths.enumerated() where s[i + 1].count != width {
            let tolerated = !strict && tolerantWidth(s, i + 1)
            bad(i + 1, "\(s.fieldName(i + 1)) \"\(s[i + 1])\" is \(s[i + 1].count) characters; the ISA requires exactly \(width)"
                + (tolerated ? " (read by its delimiters; strictEnvelope refuses it)" : ""), warning: tolerated)
        }
        if s[9].count == 6, !isDate("20" + s[9]) { bad(9, "ISA09 \"\(s[9])\" is not a date (YYMMDD)") }
        if s[10].count == 4, !isTime(s[10]) { bad(10, "ISA10 \"\(s[10])\" is not a time (HHMM)") }
        if s[12].count == 5, !s[12].allSatisfy(\.isASCIIDigit) { bad(12, "ISA12 \"\(s[12])\" is not a version number") }
        if s[13].count == 9, !s[13].allSatisfy(\.isASCIIDigit) { bad(13, "ISA13 \"\(s[13])\" is not a 9-digit control number") }
        if s[14].count == 1, s[14] != "0" && s[14] != "1" { bad(14, "ISA14 \"\(s[14])\" must be 0 or 1") }
        if s[15].count == 1, !["P", "T", "I"].contains(s[15]) { bad(15, "ISA15 \"\(s[15])\" must be P, T or I") }
        return out
    }

    /// Rule "ISA padded text by delimiters": ISA02/ISA04 (authorization, security information)
    /// and ISA06/ISA08 (sender, receiver id) are space-padded text, and real partners send them
    /// unpadded (`ISA*00* *00* *ZZ*ACME*…`) or a character over. Any length from 1 to the fixed
    /// width + 1 reads; ISA02/ISA04 may also be empty when their qualifier says no information
    /// (`00`). Qualifiers, dates, version, control number and flags stay exact: their width
    /// carries meaning. (X12.5 reads ISA elements by the element separator declared at byte 4;
    /// pyx12, StAEDI and stupidedi split the ISA by its separator as well.)
    static func tolerantWidth(_ s: X12Segment, _ position: Int) -> Bool {
        let count = s[position].count, width = isaWidths[position - 1]
        switch position {
        case 2, 4: return count <= width + 1 && (count >= 1 || s[position - 1] == "00")
        case 6, 8: return (1...width + 1).contains(count) && !s[position].trimmingSpaces.isEmpty
        default: return false
        }
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
        let u = utf8
        guard u.first == 0x20 || u.last == 0x20 else { return self }
        var start = u.startIndex, end = u.endIndex
        while start < end && u[start] == 0x20 { start = u.index(after: start) }
        while end > start && u[u.index(before: end)] == 0x20 { end = u.index(before: end) }
        return String(self[start..<end])
    }
}
