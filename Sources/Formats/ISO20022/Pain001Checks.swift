import Canonical
import FormatKit

/// The shape rules of identifiers in a pain.001 (ISO 13616 IBAN, ISO 9362 BIC, ISO dates).
enum Pain001Checks {
    /// Two letters, two check digits, up to 30 letters/digits, and the ISO 7064 mod-97 check = 1.
    static func isIBAN(_ text: String) -> Bool {
        let chars = Array(text.utf8)
        guard chars.count >= 15, chars.count <= 34,
              chars[0...1].allSatisfy(isUpper), chars[2...3].allSatisfy(isDigit),
              chars.allSatisfy({ isUpper($0) || isDigit($0) }) else { return false }
        var remainder = 0
        for c in chars[4...] + chars[0..<4] {
            let value = isDigit(c) ? Int(c - 48) : Int(c - 55)
            remainder = (value >= 10 ? remainder * 100 : remainder * 10) + value
            remainder %= 97
        }
        return remainder == 1
    }

    /// 4 letters (bank), 2 letters (country), 2 letters/digits (location), optional 3 (branch).
    static func isBIC(_ text: String) -> Bool {
        let chars = Array(text.utf8)
        guard chars.count == 8 || chars.count == 11 else { return false }
        return chars[0..<6].allSatisfy(isUpper) && chars[6...].allSatisfy { isUpper($0) || isDigit($0) }
    }

    /// `YYYY-MM-DD` with a real month and day.
    static func isISODate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m) else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return (1...days).contains(d)
    }

    private static func isUpper(_ c: UInt8) -> Bool { c >= 65 && c <= 90 }
    private static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
}
