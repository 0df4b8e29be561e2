/// ABA routing numbers: 8 digits identify the bank, the 9th is a check digit so that
/// 3·d1 + 7·d2 + 1·d3 + 3·d4 + 7·d5 + 1·d6 + 3·d7 + 7·d8 + 1·d9 is a multiple of 10.
enum RoutingNumber {
    private static let weights = [3, 7, 1, 3, 7, 1, 3, 7]

    /// The check digit for the first 8 digits (nil unless exactly 8 digits).
    static func checkDigit(_ first8: some Collection<UInt8>) -> UInt8? {
        guard first8.count == 8, first8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        var sum = 0
        for (digit, weight) in zip(first8, weights) { sum += Int(digit - 48) * weight }
        return UInt8((10 - sum % 10) % 10) + 48
    }

    static func checkDigit(_ first8: String) -> Character? {
        checkDigit(Array(first8.utf8)).map { Character(Unicode.Scalar($0)) }
    }

    /// Whether a 9-digit routing number's check digit is right.
    static func isValid(_ nine: String) -> Bool {
        let bytes = Array(nine.utf8)
        guard bytes.count == 9 else { return false }
        return checkDigit(bytes[0..<8]) == bytes[8]
    }

    /// The 9-digit routing number for an 8-digit bank identification (ODFI, RDFI).
    static func full(_ first8: String) -> String? { checkDigit(first8).map { first8 + String($0) } }
}
