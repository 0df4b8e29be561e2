import Foundation

/// The SEPA character set (EPC, "SEPA Requirements for an Extended Character Set"): the Latin
/// subset every SEPA bank must accept — `a-z A-Z 0-9 / - ? : ( ) . , ' +` and space.
///
/// Cleaning rules, in order, for each character outside the set:
/// 1. letters with diacritics lose them, as the EPC conversion table does (`é` → `e`, `Ä` → `A`, `ç` → `c`);
/// 2. letters without a decomposition are spelled out (`ß` → `ss`, `Æ` → `AE`, `Ø` → `O`, `Ł` → `L`, `Þ` → `TH`);
/// 3. a few symbols have a usual stand-in (`&` → `+`, `_` → `-`, `"` → `'`, tab and newlines → space);
/// 4. anything else becomes a space; runs of spaces collapse to one and the ends are trimmed.
/// Every change is reported, so the sender can see what the bank will receive.
public enum SEPACharacters {
    /// One character the cleaner replaced.
    public struct Change: Sendable, Hashable, CustomStringConvertible {
        public var original: Character
        public var replacement: String
        /// 1-based position of the character in the original text.
        public var position: Int
        public var description: String { "\"\(original)\" at position \(position) → \"\(replacement)\"" }
    }

    public static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "/", "-", "?", ":", "(", ")", ".", ",", "'", "+", " ": true
        default: false
        }
    }

    public static func isClean(_ text: String) -> Bool { text.unicodeScalars.allSatisfy(isAllowed) }

    /// The text in the SEPA set, and every change made.
    public static func clean(_ text: String) -> (text: String, changes: [Change]) {
        if isClean(text) { return (text, []) }
        var out = ""
        var changes = [Change]()
        for (offset, character) in text.enumerated() {
            if character.unicodeScalars.allSatisfy(isAllowed) {
                out.append(character)
                continue
            }
            let replacement = substitute(character)
            changes.append(Change(original: character, replacement: replacement, position: offset + 1))
            out += replacement
        }
        let collapsed = out.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        return (collapsed, changes)
    }

    private static let spelledOut: [Character: String] = [
        "ß": "ss", "Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe", "Ł": "L", "ł": "l",
        "Đ": "D", "đ": "d", "Ð": "D", "ð": "d", "Þ": "TH", "þ": "th", "ı": "i", "Ħ": "H", "ħ": "h",
        "&": "+", "_": "-", "\"": "'", "‘": "'", "’": "'", "“": "'", "”": "'", "–": "-", "—": "-",
        "\t": " ", "\n": " ", "\r": " ", "\r\n": " ",
    ]

    /// Substitutes found so far, up to 4,096 (the decomposition is the costly part; names repeat their letters).
    private nonisolated(unsafe) static var found: [Character: String] = [:]
    private static let foundLock = NSLock()

    private static func substitute(_ character: Character) -> String {
        if let known = spelledOut[character] { return known }
        foundLock.lock(); defer { foundLock.unlock() }
        if let known = found[character] { return known }
        let replacement = decompose(character)
        if found.count < 4096 { found[character] = replacement }
        return replacement
    }

    private static func decompose(_ character: Character) -> String {
        // Canonical decomposition splits a letter from its combining marks (U+0300…U+036F and others).
        let base = String(character).decomposedStringWithCanonicalMapping.unicodeScalars.filter { isAllowed($0) }
        if let first = base.first, first.properties.isAlphabetic { return String(String.UnicodeScalarView(base)) }
        return " "
    }
}
