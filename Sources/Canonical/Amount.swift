/// An exact decimal number: money and quantities, from the first byte to the last.
///
/// Stored as an integer significand and a count of decimal places (`12.50` is 1250, scale 2).
/// There is no conversion from or to binary floating point anywhere.
/// Printed sign first with at least two decimal places: `"-1234.50"`, `"10.00"`, `"0.125"`.
public struct Amount: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public private(set) var significand: Int128
    public private(set) var scale: Int

    public static let zero = Amount(significand: 0, scale: 0)
    /// The most decimal places an amount may carry; more is refused on parse.
    public static let maxScale = 18

    public init(significand: Int128, scale: Int) {
        precondition(scale >= 0 && scale <= 38, "scale out of range")
        self.significand = significand
        self.scale = scale
    }

    public init(_ integer: Int) { self.init(significand: Int128(integer), scale: 0) }

    /// Parses the canonical form: optional sign, digits, optional `.` and digits (`-1234.50`, `+3`, `.5`).
    /// Anything else (grouping, exponent, comma) is refused: turning a sender's `1.234,56` into this
    /// form is the mapping's job (see `Amount.parse(_:decimalSeparator:groupingSeparator:)`).
    public init?(_ text: some StringProtocol) {
        guard let value = Amount.parse(text.utf8) else { return nil }
        self = value
    }

    /// Parses a sender's number: `decimalSeparator` (`.` or `,`) and an optional grouping separator
    /// that is dropped (`1.234,56` with `,` and `.`). Leading/trailing spaces are allowed, as is a
    /// trailing minus (`12.00-`, as some bank exports write it).
    public static func parse(_ text: some StringProtocol, decimalSeparator: UInt8 = UInt8(ascii: "."),
                             groupingSeparator: UInt8? = nil) -> Amount? {
        var bytes = [UInt8]()
        bytes.reserveCapacity(text.utf8.count)
        for b in text.utf8 {
            if b == UInt8(ascii: " ") { continue }
            if let g = groupingSeparator, b == g { continue }
            bytes.append(b == decimalSeparator ? UInt8(ascii: ".") : (b == UInt8(ascii: ".") ? 0 : b))
        }
        if bytes.last == UInt8(ascii: "-"), bytes.count > 1, bytes.first != UInt8(ascii: "-") {
            bytes.removeLast()
            bytes.insert(UInt8(ascii: "-"), at: 0)
        }
        return parse(bytes)
    }

    static func parse<C: Collection>(_ utf8: C) -> Amount? where C.Element == UInt8 {
        var i = utf8.startIndex
        guard i != utf8.endIndex else { return nil }
        var negative = false
        if utf8[i] == UInt8(ascii: "-") || utf8[i] == UInt8(ascii: "+") {
            negative = utf8[i] == UInt8(ascii: "-")
            i = utf8.index(after: i)
        }
        var sig: Int128 = 0
        var scale = 0
        var digits = 0
        var seenPoint = false
        while i != utf8.endIndex {
            let b = utf8[i]
            if b == UInt8(ascii: ".") {
                if seenPoint { return nil }
                seenPoint = true
            } else if b >= 48 && b <= 57 {
                let (m, o1) = sig.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(Int128(b - 48))
                if o1 || o2 { return nil }
                sig = s
                digits += 1
                if seenPoint { scale += 1 }
            } else {
                return nil
            }
            i = utf8.index(after: i)
        }
        if digits == 0 || scale > maxScale { return nil }
        let amount = Amount(significand: negative ? -sig : sig, scale: scale)
        // More than 18 integer digits is no money; refusing it keeps rescaling and printing
        // (`description` rescales to 2 places) from overflowing Int128 (a trap, issue 11).
        return amount.fits(integerDigits: maxIntegerDigits, fractionDigits: maxScale) ? amount : nil
    }

    /// Most digits before the decimal point `parse` accepts.
    public static let maxIntegerDigits = 18

    /// Whether the value has at most `integerDigits` digits before the point (leading zeros not
    /// counted) and at most `fractionDigits` after it — a format's own amount size (SWIFT `15d`,
    /// ISO 20022 18 digits with 5 decimals), which also keeps sums of many amounts from overflowing.
    public func fits(integerDigits: Int, fractionDigits: Int) -> Bool {
        guard scale <= fractionDigits, integerDigits + scale <= 38 else { return false }
        var limit: Int128 = 1
        for _ in 0..<(integerDigits + scale) { limit *= 10 }
        return significand.magnitude < limit.magnitude
    }

    /// An integer count of minor units (`1234` cents, scale 2 → `12.34`).
    public init(minorUnits: Int128, scale: Int) { self.init(significand: minorUnits, scale: scale) }

    public var isNegative: Bool { significand < 0 }
    public var isZero: Bool { significand == 0 }
    public var magnitude: Amount { Amount(significand: significand < 0 ? -significand : significand, scale: scale) }

    /// The value with exactly `places` decimals, or nil if that would drop a non-zero digit.
    public func rescaled(to places: Int) -> Amount? {
        if places == scale { return self }
        if places > scale {
            var s = significand
            for _ in scale..<places {
                let (m, o) = s.multipliedReportingOverflow(by: 10)
                if o { return nil }
                s = m
            }
            return Amount(significand: s, scale: places)
        }
        var s = significand
        for _ in places..<scale {
            if s % 10 != 0 { return nil }
            s /= 10
        }
        return Amount(significand: s, scale: places)
    }

    /// The significand at `places` decimals (`12.34` at 2 → 1234), nil if digits would be lost.
    public func minorUnits(scale places: Int) -> Int128? { rescaled(to: places)?.significand }

    /// Trailing zero decimals removed.
    public var normalized: Amount {
        var s = significand, sc = scale
        while sc > 0 && s % 10 == 0 { s /= 10; sc -= 1 }
        return Amount(significand: s, scale: sc)
    }

    private static func aligned(_ a: Amount, _ b: Amount) -> (Int128, Int128, Int) {
        let sc = max(a.scale, b.scale)
        return (a.rescaled(to: sc)!.significand, b.rescaled(to: sc)!.significand, sc)
    }

    public static func + (a: Amount, b: Amount) -> Amount {
        let (x, y, sc) = aligned(a, b)
        return Amount(significand: x + y, scale: sc)
    }
    public static func - (a: Amount, b: Amount) -> Amount {
        let (x, y, sc) = aligned(a, b)
        return Amount(significand: x - y, scale: sc)
    }
    public static prefix func - (a: Amount) -> Amount { Amount(significand: -a.significand, scale: a.scale) }
    public static func += (a: inout Amount, b: Amount) { a = a + b }
    public static func -= (a: inout Amount, b: Amount) { a = a - b }
    /// Exact product (scales add).
    public static func * (a: Amount, b: Amount) -> Amount {
        Amount(significand: a.significand * b.significand, scale: a.scale + b.scale).normalizedKeeping(min(max(a.scale, b.scale), 38))
    }

    private func normalizedKeeping(_ minScale: Int) -> Amount {
        var s = significand, sc = scale
        while sc > minScale && s % 10 == 0 { s /= 10; sc -= 1 }
        return Amount(significand: s, scale: sc)
    }

    /// Rounds half away from zero to `places` decimals (used for tax computations a rule asks for).
    public func rounded(to places: Int) -> Amount {
        if places >= scale { return rescaled(to: places)! }
        var divisor: Int128 = 1
        for _ in places..<scale { divisor *= 10 }
        let q = significand / divisor, r = significand % divisor
        let twice = (r < 0 ? -r : r) * 2
        let adjust: Int128 = twice >= divisor ? (significand < 0 ? -1 : 1) : 0
        return Amount(significand: q + adjust, scale: places)
    }

    public static func == (a: Amount, b: Amount) -> Bool {
        let (x, y, _) = aligned(a, b)
        return x == y
    }
    public static func < (a: Amount, b: Amount) -> Bool {
        let (x, y, _) = aligned(a, b)
        return x < y
    }
    public func hash(into hasher: inout Hasher) {
        let n = normalized
        hasher.combine(n.significand)
        hasher.combine(n.scale)
    }

    /// The text with exactly the stored scale (`12.5` stays `12.5`).
    public var plainString: String { Amount.format(significand, scale: scale) }

    /// Canonical text: at least two decimal places, more only when they carry digits.
    public var description: String {
        let n = normalized
        return n.scale >= 2 ? n.plainString : n.rescaled(to: 2)!.plainString
    }

    static func format(_ sig: Int128, scale: Int) -> String {
        let negative = sig < 0
        var digits = String(sig.magnitude)
        if scale > 0 {
            if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
        }
        return negative ? "-" + digits : digits
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        guard let v = Amount(text) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an exact decimal: \"\(text)\"")
        }
        self = v
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension Sequence where Element == Amount {
    public func sum() -> Amount { reduce(.zero, +) }
}
