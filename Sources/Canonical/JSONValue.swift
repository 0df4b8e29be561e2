/// A JSON value whose objects keep their keys in the order they were written,
/// so that JSON Lines output is byte-stable from run to run.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A JSON number kept as its text (integers only in canonical records; money is a string).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var objectValue: JSONObject? { if case .object(let o) = self { return o }; return nil }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a }; return nil }

    public subscript(key: String) -> JSONValue? { objectValue?[key] }

    /// Compact JSON text.
    public var jsonText: String {
        var out = [UInt8]()
        out.reserveCapacity(256)
        write(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends compact JSON as UTF-8 bytes (the fast path: no String building per character).
    public func write(to out: inout [UInt8]) {
        switch self {
        case .null: out += [110, 117, 108, 108]
        case .bool(let b): out += b ? Array("true".utf8) : Array("false".utf8)
        case .number(let n): out += n.utf8
        case .string(let s): JSONValue.writeString(s, to: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                v.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            for (i, (k, v)) in o.pairs.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeString(k, to: &out)
                out.append(UInt8(ascii: ":"))
                v.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hex = Array("0123456789abcdef".utf8)

    /// Appends `s` as a JSON string: runs of plain bytes are copied whole, escapes one by one.
    public static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(34)
        var s = s
        s.withUTF8 { buf in
            var i = 0, plain = 0
            let n = buf.count
            while i < n {
                let b = buf[i]
                if b >= 0x20 && b != 34 && b != 92 && b != 0xE2 { i += 1; continue }
                if plain < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[plain..<i])) }
                switch b {
                case 34: out += [92, 34]
                case 92: out += [92, 92]
                case 10: out += [92, 110]
                case 13: out += [92, 114]
                case 9: out += [92, 116]
                case 0..<0x20: out += [92, 117, 48, 48, hex[Int(b >> 4)], hex[Int(b & 15)]]
                case 0xE2 where i + 2 < n && buf[i + 1] == 0x80 && (buf[i + 2] == 0xA8 || buf[i + 2] == 0xA9):
                    // U+2028 / U+2029 are escaped: JavaScript readers take them for line ends.
                    out += [92, 117, 50, 48, 50, buf[i + 2] == 0xA8 ? 56 : 57]
                    i += 3
                    plain = i
                    continue
                default: out.append(b)
                }
                i += 1
                plain = i
            }
            if plain < n { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[plain..<n])) }
        }
        out.append(34)
    }
}

/// A JSON object: ordered key/value pairs, keys unique.
public struct JSONObject: Sendable, Hashable, Codable, ExpressibleByDictionaryLiteral {
    public typealias Key = String
    public typealias Value = JSONValue
    public private(set) var pairs: [(String, JSONValue)]

    public init() { pairs = [] }
    public init(_ pairs: [(String, JSONValue)]) {
        self.pairs = []
        for (k, v) in pairs { self[k] = v }
    }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(elements) }
    /// Pairs whose keys are already known to be unique (no checks: the fast path for encoders).
    init(uniquePairs: [(String, JSONValue)]) { pairs = uniquePairs }

    public var isEmpty: Bool { pairs.isEmpty }
    public var count: Int { pairs.count }
    public var keys: [String] { pairs.map(\.0) }

    public subscript(key: String) -> JSONValue? {
        get { pairs.first(where: { $0.0 == key })?.1 }
        set {
            if let i = pairs.firstIndex(where: { $0.0 == key }) {
                if let v = newValue { pairs[i].1 = v } else { pairs.remove(at: i) }
            } else if let v = newValue {
                pairs.append((key, v))
            }
        }
    }

    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.pairs.count == b.pairs.count && zip(a.pairs, b.pairs).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }
    public func hash(into hasher: inout Hasher) {
        for (k, v) in pairs { hasher.combine(k); hasher.combine(v) }
    }

    // Codable as a JSON object of any values (used for `extra` and structured fields).
    struct CodingName: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        if let direct = decoder as? ValueDecoder, case .object(let o) = direct.value {
            self = o   // straight from a JSONValue: the sender's order is kept
            return
        }
        let c = try decoder.container(keyedBy: CodingName.self)
        var o = JSONObject()
        // Other decoders do not promise key order; sort for stability.
        for key in c.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            o[key.stringValue] = try c.decode(JSONValue.self, forKey: key)
        }
        self = o
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingName.self)
        for (k, v) in pairs { try c.encode(v, forKey: CodingName(k)) }
    }
}

extension JSONValue: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .number(String(i)) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else if let o = try? c.decode(JSONObject.self) { self = .object(o) }
        else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "unsupported JSON value (non-integer numbers are not allowed; write decimals as strings)")
        }
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n): try c.encode(JSONNumberText(text: n))
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

/// Carries a number's text through an encoder without converting it (our encoder understands it).
struct JSONNumberText: Encodable {
    let text: String
    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        if let i = Int64(text) { try c.encode(i) } else { try c.encode(text) }
    }
}
