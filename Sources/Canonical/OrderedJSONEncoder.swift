/// Encodes any `Encodable` to a `JSONValue`, keeping keys in the order `encode(to:)` writes them
/// (coding paths are not tracked: nothing here can fail on data, and building them per field
/// was a third of the encoding time)
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

/// A mutable cell in the tree being built; containers write into their box. Keys and children
/// are stored in place (appending never copies the siblings).
private final class Box {
    enum Kind { case unset, value, object, array }
    var kind = Kind.unset
    var scalar = JSONValue.null
    var keys: [String] = []
    var children: [Box] = []

    var value: JSONValue? {
        switch kind {
        case .unset: return nil
        case .value: return scalar
        case .object:
            var pairs = [(String, JSONValue)]()
            pairs.reserveCapacity(keys.count)
            for (k, b) in zip(keys, children) { if let v = b.value { pairs.append((k, v)) } }
            return .object(JSONObject(uniquePairs: pairs))
        case .array: return .array(children.map { $0.value ?? .null })
        }
    }

    func set(_ v: JSONValue) { kind = .value; scalar = v }

    func child(forKey key: String) -> Box {
        if kind == .object, let i = keys.lastIndex(of: key) { return children[i] }
        ensureObject()
        let b = Box()
        keys.append(key)
        children.append(b)
        return b
    }

    func ensureObject() { if kind != .object { kind = .object; keys = []; children = [] } }

    func appendChild() -> Box {
        ensureArray()
        let b = Box()
        children.append(b)
        return b
    }
    func ensureArray() { if kind != .array { kind = .array; keys = []; children = [] } }
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
    case let s as String: box.set(.string(s))
    case let b as Bool: box.set(.bool(b))
    case let n as JSONNumberText: box.set(.number(n.text))
    case let v as JSONValue:
        if case .number(let n) = v { box.set(.number(n)) } else { try v.encode(to: ValueEncoder(box: box, codingPath: path)) }
    default: try value.encode(to: ValueEncoder(box: box, codingPath: path))
    }
}

private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: Box
    var codingPath: [CodingKey]

    mutating func encodeNil(forKey key: Key) throws {}
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try encodeValue(value, into: box.child(forKey: key.stringValue), path: codingPath)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { box.child(forKey: key.stringValue).set(.number(String(value))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { box.child(forKey: key.stringValue).set(.number(String(value))) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { box.child(forKey: key.stringValue).set(.number(String(value))) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { box.child(forKey: key.stringValue).set(.number(String(value))) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let b = box.child(forKey: key.stringValue)
        b.ensureObject()
        return KeyedEncodingContainer(Keyed<NestedKey>(box: b, codingPath: codingPath))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        let b = box.child(forKey: key.stringValue)
        b.ensureArray()
        return Unkeyed(box: b, codingPath: codingPath)
    }
    mutating func superEncoder() -> Encoder { ValueEncoder(box: box, codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> Encoder { ValueEncoder(box: box.child(forKey: key.stringValue), codingPath: codingPath) }
}

private struct Unkeyed: UnkeyedEncodingContainer {
    let box: Box
    var codingPath: [CodingKey]
    var count: Int { box.children.count }

    mutating func encodeNil() throws { box.appendChild().set(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encodeValue(value, into: box.appendChild(), path: codingPath) }
    mutating func encode(_ value: Int) throws { box.appendChild().set(.number(String(value))) }
    mutating func encode(_ value: Int64) throws { box.appendChild().set(.number(String(value))) }
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
    mutating func encodeNil() throws { box.set(.null) }
    mutating func encode(_ value: Bool) throws { box.set(.bool(value)) }
    mutating func encode(_ value: String) throws { box.set(.string(value)) }
    mutating func encode(_ value: Int) throws { box.set(.number(String(value))) }
    mutating func encode(_ value: Int64) throws { box.set(.number(String(value))) }
    mutating func encode(_ value: Int32) throws { box.set(.number(String(value))) }
    mutating func encode(_ value: UInt64) throws { box.set(.number(String(value))) }
    mutating func encode(_ value: Int8) throws { box.set(.number(String(value))) }
    mutating func encode(_ value: Int16) throws { box.set(.number(String(value))) }
    mutating func encode(_ value: UInt) throws { box.set(.number(String(value))) }
    mutating func encode(_ value: UInt8) throws { box.set(.number(String(value))) }
    mutating func encode(_ value: UInt16) throws { box.set(.number(String(value))) }
    mutating func encode(_ value: UInt32) throws { box.set(.number(String(value))) }
    // Binary floating point never enters a canonical record: the protocol demands these two, they refuse.
    mutating func encode(_ value: Double) throws { throw binaryFloatingPointRefused(codingPath) }
    mutating func encode(_ value: Float) throws { throw binaryFloatingPointRefused(codingPath) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encodeValue(value, into: box, path: codingPath) }
}

private func binaryFloatingPointRefused(_ path: [CodingKey]) -> EncodingError {
    EncodingError.invalidValue(0, .init(codingPath: path, debugDescription: "binary floating point is not allowed in canonical records; use Amount"))
}
