/// The 統一編號 (unified business number) of a Taiwanese business: eight digits with a check rule.
///
/// Each digit is multiplied by its weight (1, 2, 1, 2, 1, 2, 4, 1) and the digits of every product
/// are added (28 → 2 + 8 = 10). The number is valid when that sum is divisible by the divisor, or —
/// when the seventh digit is 7, whose product 28 may count as 1 or 0 — when sum + 1 is.
///
/// The divisor was 10 until the Ministry of Finance relaxed it to 5 in 2023 because the numbers
/// divisible by 10 were running out (new numbers issued from April 2023 may satisfy only the
/// mod-5 form). Every mod-10 number also passes mod 5, so `.mod5` accepts old and new numbers;
/// `.mod10` is the strict pre-2023 rule for partners that still enforce it.
public enum BusinessID {
    /// The buyer identifier of a consumer (B2C) invoice.
    public static let consumer = "0000000000"

    public enum ChecksumRule: String, Sendable {
        case mod10, mod5
        var divisor: Int { self == .mod10 ? 10 : 5 }
    }

    private static let weights = [1, 2, 1, 2, 1, 2, 4, 1]

    /// Whether `id` is eight digits passing the check rule.
    public static func isValid(_ id: String, rule: ChecksumRule = .mod5) -> Bool {
        let digits = id.compactMap { $0.isASCII ? $0.wholeNumberValue : nil }
        guard id.count == 8, digits.count == 8 else { return false }
        let sum = zip(digits, weights).reduce(0) { total, pair in
            let product = pair.0 * pair.1
            return total + product / 10 + product % 10
        }
        if sum % rule.divisor == 0 { return true }
        return digits[6] == 7 && (sum + 1) % rule.divisor == 0
    }
}
