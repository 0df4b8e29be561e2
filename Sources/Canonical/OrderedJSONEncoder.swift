/// Encodes any `Encodable` to a `JSONValue`, keeping keys in the order `encode(to:)` writes them
/// (declaration order for synthesized conformances). Foundation's JSONEncoder on Linux does not
/// keep key order, and canonical JSON Lines must be byte-stable. Optionals that are nil are left
/// out, as the canonical contract asks ("absent data: the key is left out").
public enum OrderedJSONEncoder {
    public static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let root = Box()
        try value.encode(to: ValueEncoder(box: root, codingPath: []))
        return root.value ?? .null
    }

    public static func line<T: Encodable>(_ value: T) throws -> String {
        try encode(value).jsonText
    }
}

/// A mutable cell in the tree being built; containers write into their box.
private final class Box {
    enum Storage { case unset, value(JSONValue), object([(String, Box)]), array([Box]) }
    var storage: Storage = .unset

    var value: JSONValue? {
        switch storage {
        case .unset: return nil
        case .value(let v): return v
        case .object(let pairs):
            var o = JSONObject()
            for (k, b) in pairs { if let v = b.value { o[k] = v } }
            return .object(o)
        case .array(let items): return .array(items.map { $0.value ?? .null })
        }
    }

    func child(forKey key: String) -> Box {
        if case .object(var pairs) = storage {
            if let existing = pairs.first(where: { $0.0 == key }) { return existing.1 }
            let b = Box()
            pairs.append((key, b))
            storage = .object(pairs)
            return b
        }
        let b = Box()
        storage = .object([(key, b)])
        return b
    }

    func ensureObject() { if case .object = storage { return }; storage = .object([]) }

    func appendChild() -> Box {
        let b = Box()
        if case .array(var items) = storage { items.append(b); storage = .array(items) } else { storage = .array([b]) }
        return b
    }
    func ensureArray() { if case .array = storage { return }; storage = .array([]) }
}

private struct ValueEncoder: Encoder {
    let box: Box
    var codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        box.ensureObject()
        return KeyedEncodingContainer(Keyed<Key>(box: box, codingPath: codingPath))
    }
    func unkeyedContainer() -> UnkeyedEncodingContainer {
        box.ensureArray()
        return Unkeyed(box: box, codingPath: codingPath)
    }
    func singleValueContainer() -> SingleValueEncodingContainer { Single(box: box, codingPath: codingPath) }
}

private func encodeValue<T: Encodable>(_ value: T, into box: Box, path: [CodingKey]) throws {
    switch value {
    case let s as String: box.storage = .value(.string(s))
    case let b as Bool: box.storage = .value(.bool(b))
    case let n as JSONNumberText: box.storage = .value(.number(n.text))
    case let v as JSONValue:
        if case .number(let n) = v { box.storage = .value(.number(n)) } else { try v.encode(to: ValueEncoder(box: box, codingPath: path)) }
    default: try value.encode(to: ValueEncoder(box: box, codingPath: path))
    }
}

private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: Box
    var codingPath: [CodingKey]

    mutating func encodeNil(forKey key: Key) throws {}
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try encodeValue(value, into: box.child(forKey: key.stringValue), path: codingPath + [key])
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { box.child(forKey: key.stringValue).storage = .value(.number(String(value))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { box.child(forKey: key.stringValue).storage = .value(.number(String(value))) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { box.child(forKey: key.stringValue).storage = .value(.number(String(value))) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { box.child(forKey: key.stringValue).storage = .value(.number(String(value))) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let b = box.child(forKey: key.stringValue)
        b.ensureObject()
        return KeyedEncodingContainer(Keyed<NestedKey>(box: b, codingPath: codingPath + [key]))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        let b = box.child(forKey: key.stringValue)
        b.ensureArray()
        return Unkeyed(box: b, codingPath: codingPath + [key])
    }
    mutating func superEncoder() -> Encoder { ValueEncoder(box: box, codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> Encoder { ValueEncoder(box: box.child(forKey: key.stringValue), codingPath: codingPath + [key]) }
}

private struct Unkeyed: UnkeyedEncodingContainer {
    let box: Box
    var codingPath: [CodingKey]
    var count: Int { if case .array(let a) = box.storage { return a.count }; return 0 }

    mutating func encodeNil() throws { box.appendChild().storage = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encodeValue(value, into: box.appendChild(), path: codingPath) }
    mutating func encode(_ value: Int) throws { box.appendChild().storage = .value(.number(String(value))) }
    mutating func encode(_ value: Int64) throws { box.appendChild().storage = .value(.number(String(value))) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let b = box.appendChild()
        b.ensureObject()
        return KeyedEncodingContainer(Keyed<NestedKey>(box: b, codingPath: codingPath))
    }
    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let b = box.appendChild()
        b.ensureArray()
        return Unkeyed(box: b, codingPath: codingPath)
    }
    mutating func superEncoder() -> Encoder { ValueEncoder(box: box.appendChild(), codingPath: codingPath) }
}

private struct Single: SingleValueEncodingContainer {
    let box: Box
    var codingPath: [CodingKey]
    mutating func encodeNil() throws { box.storage = .value(.null) }
    mutating func encode(_ value: Bool) throws { box.storage = .value(.bool(value)) }
    mutating func encode(_ value: String) throws { box.storage = .value(.string(value)) }
    mutating func encode(_ value: Int) throws { box.storage = .value(.number(String(value))) }
    mutating func encode(_ value: Int64) throws { box.storage = .value(.number(String(value))) }
    mutating func encode(_ value: Int32) throws { box.storage = .value(.number(String(value))) }
    mutating func encode(_ value: UInt64) throws { box.storage = .value(.number(String(value))) }
    mutating func encode(_ value: Int8) throws { box.storage = .value(.number(String(value))) }
    mutating func encode(_ value: Int16) throws { box.storage = .value(.number(String(value))) }
    mutating func encode(_ value: UInt) throws { box.storage = .value(.number(String(value))) }
    mutating func encode(_ value: UInt8) throws { box.storage = .value(.number(String(value))) }
    mutating func encode(_ value: UInt16) throws { box.storage = .value(.number(String(value))) }
    mutating func encode(_ value: UInt32) throws { box.storage = .value(.number(String(value))) }
    // Binary floating point never enters a canonical record: the protocol demands these two, they refuse.
    mutating func encode(_ value: Double) throws { throw binaryFloatingPointRefused(codingPath) }
    mutating func encode(_ value: Float) throws { throw binaryFloatingPointRefused(codingPath) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encodeValue(value, into: box, path: codingPath) }
}

private func binaryFloatingPointRefused(_ path: [CodingKey]) -> EncodingError {
    EncodingError.invalidValue(0, .init(codingPath: path, debugDescription: "binary floating point is not allowed in canonical records; use Amount"))
}
