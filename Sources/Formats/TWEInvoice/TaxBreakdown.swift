import Canonical

/// MIG tax types (課稅別): 1 taxable, 2 zero-rated, 3 exempt, 4 special rate, 9 mixed.
public enum TaxType: String, Sendable, CaseIterable {
    case taxable = "1", zeroRated = "2", exempt = "3", special = "4", mixed = "9"

    /// The rates the platform accepts with this tax type: taxable and mixed 5%, zero-rated and
    /// exempt 0, special (特種稅額: night clubs, banks, small businesses…) 1%, 2%, 5%, 15% or 25%.
    public var allowedRates: [Amount] {
        switch self {
        case .taxable, .mixed: [Amount("0.05")!]
        case .zeroRated, .exempt: [.zero]
        case .special: ["0.01", "0.02", "0.05", "0.15", "0.25"].map { Amount($0)! }
        }
    }

    /// The rate written when the invoice names none.
    public var defaultRate: Amount { allowedRates[0] }
}

/// The invoice total split as the MIG amount block wants it: taxable sales (SalesAmount),
/// exempt sales (FreeTaxSalesAmount), zero-rated sales (ZeroTaxSalesAmount).
struct SalesSplit: Equatable {
    var sales = Amount.zero
    var freeTax = Amount.zero
    var zeroTax = Amount.zero

    /// Splits by the invoice's tax type; a mixed invoice (9) is split by each line's tax type.
    init(_ invoice: Invoice) {
        let type = TaxType(rawValue: invoice.taxType ?? "1") ?? .taxable
        guard type == .mixed else {
            self.add(invoice.totals.net, as: type)
            return
        }
        for line in invoice.lines { add(line.amount, as: TaxType(rawValue: line.taxType ?? "1") ?? .taxable) }
    }

    private mutating func add(_ amount: Amount, as type: TaxType) {
        switch type {
        case .zeroRated: zeroTax += amount
        case .exempt: freeTax += amount
        case .taxable, .special, .mixed: sales += amount
        }
    }
}

/// How MIG writes values: dates `YYYYMMDD`, decimals without trailing zeros (`0.05`, `1000`).
enum MIGValue {
    /// `2021-08-21` → `20210821`; other text is passed through for the rules to report.
    static func date(_ iso: String?) -> String {
        guard let iso else { return "" }
        let digits = iso.replacingOccurrences(of: "-", with: "")
        return iso.count == 10 && digits.count == 8 ? digits : iso
    }

    static func decimal(_ amount: Amount) -> String { amount.normalized.plainString }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
