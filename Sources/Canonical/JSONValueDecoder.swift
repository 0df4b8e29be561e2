/// Decodes a `Decodable` straight from a `JSONValue` (no JSON text in between), keeping object key
/// order. The mapping engine and `JSONLines` use it for every record, so it is on the hot path.
///
/// Coding paths are only needed for error messages, and building them (an array per field) was
/// most of the decoding time: a value is decoded without them first, and only when that fails
/// once more with them, so the error names the field exactly as before.
public enum JSONValueDecoder {
    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        do { return try T(from: ValueDecoder(value: value, codingPath: [], tracksPath: false)) } catch {
            return try T(from: ValueDecoder(value: value, codingPath: [], tracksPath: true))
        }
    }
}

struct ValueDecoder: Decoder {
    let value: JSONValue
    var codingPath: [CodingKey]
    /// Whether nested decoders get the coding path (only on the retry after an error).
    var tracksPath = true
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let o) = value else { throw mismatch([String: JSONValue].self, "an object", value, codingPath) }
        return KeyedDecodingContainer(KeyedValues<Key>(object: o, codingPath: codingPath, tracksPath: tracksPath))
    }
    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .array(let a) = value else { throw mismatch([JSONValue].self, "an array", value, codingPath) }
        return UnkeyedValues(items: a, codingPath: codingPath, tracksPath: tracksPath)
    }
    func singleValueContainer() throws -> SingleValueDecodingContainer { SingleValue(value: value, codingPath: codingPath, tracksPath: tracksPath) }
}

private func mismatch(_ type: Any.Type, _ expected: String, _ value: JSONValue, _ path: [CodingKey]) -> DecodingError {
    let found: String
    switch value {
    case .null: found = "null"
    case .bool: found = "a boolean"
    case .number(let n): found = "the number \(n)"
    case .string(let s): found = "\"\(s)\""
    case .array: found = "an array"
    case .object: found = "an object"
    }
    return DecodingError.typeMismatch(type, .init(codingPath: path, debugDescription: "expected \(expected), found \(found)"))
}

private struct KeyedValues<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    var codingPath: [CodingKey]
    let tracksPath: Bool
    var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }

    private func value(_ key: Key) throws -> JSONValue {
        guard let v = object[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
        }
        return v
    }

    func decodeNil(forKey key: Key) throws -> Bool { (object[key.stringValue] ?? .null) == .null }
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        let v = try value(key)
        guard case .string(let s) = v else { throw mismatch(type, "a string", v, codingPath + [key]) }
        return s
    }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try T(from: decoder(try value(key), key))
    }
    // One lookup instead of the default's three (contains, decodeNil, decode).
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let v = object[key.stringValue], v != .null else { return nil }
        guard case .string(let s) = v else { throw mismatch(type, "a string", v, codingPath + [key]) }
        return s
    }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let v = object[key.stringValue], v != .null else { return nil }
        return try T(from: decoder(v, key))
    }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder(try value(key), key).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        try decoder(try value(key), key).unkeyedContainer()
    }
    func superDecoder() throws -> Decoder { ValueDecoder(value: .object(object), codingPath: codingPath, tracksPath: tracksPath) }
    func superDecoder(forKey key: Key) throws -> Decoder { decoder(try value(key), key) }

    private func decoder(_ v: JSONValue, _ key: Key) -> ValueDecoder {
        ValueDecoder(value: v, codingPath: tracksPath ? codingPath + [key] : [], tracksPath: tracksPath)
    }
}

private struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { String(intValue ?? 0) }
    init(_ i: Int) { intValue = i }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct UnkeyedValues: UnkeyedDecodingContainer {
    let items: [JSONValue]
    var codingPath: [CodingKey]
    let tracksPath: Bool
    var currentIndex = 0
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(items: [JSONValue], codingPath: [CodingKey], tracksPath: Bool) { self.items = items; self.codingPath = codingPath; self.tracksPath = tracksPath }

    private mutating func next() throws -> (JSONValue, [CodingKey]) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(JSONValue.self, .init(codingPath: codingPath + [IndexKey(currentIndex)], debugDescription: "array ended"))
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], tracksPath ? codingPath + [IndexKey(currentIndex)] : [])
    }

    mutating func decodeNil() throws -> Bool {
        if !isAtEnd, items[currentIndex] == .null { currentIndex += 1; return true }
        return false
    }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (v, path) = try next()
        return try T(from: ValueDecoder(value: v, codingPath: path, tracksPath: tracksPath))
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (v, path) = try next()
        return try ValueDecoder(value: v, codingPath: path, tracksPath: tracksPath).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
        let (v, path) = try next()
        return try ValueDecoder(value: v, codingPath: path, tracksPath: tracksPath).unkeyedContainer()
    }
    mutating func superDecoder() throws -> Decoder {
        let (v, path) = try next()
        return ValueDecoder(value: v, codingPath: path, tracksPath: tracksPath)
    }
}

private struct SingleValue: SingleValueDecodingContainer {
    let value: JSONValue
    var codingPath: [CodingKey]
    let tracksPath: Bool

    func decodeNil() -> Bool { value == .null }
    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let b) = value else { throw mismatch(type, "true or false", value, codingPath) }
        return b
    }
    func decode(_ type: String.Type) throws -> String {
        guard case .string(let s) = value else { throw mismatch(type, "a string", value, codingPath) }
        return s
    }
    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard case .number(let n) = value, let i = T(n) else { throw mismatch(type, "a whole number", value, codingPath) }
        return i
    }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
    // Binary floating point never enters a canonical record: the protocol demands these two, they refuse.
    func decode(_ type: Double.Type) throws -> Double { throw mismatch(type, "no binary floating point (write decimals as strings)", value, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { throw mismatch(type, "no binary floating point (write decimals as strings)", value, codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == JSONValue.self { return value as! T }
        return try T(from: ValueDecoder(value: value, codingPath: codingPath, tracksPath: tracksPath))
    }
}
