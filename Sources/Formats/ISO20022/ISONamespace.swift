import FormatKit

/// ISO 20022 messages name their message type and version in the root element's namespace:
/// `urn:iso:std:iso:20022:tech:xsd:camt.053.001.02` is camt.053, version 001.02.
enum ISONamespace {
    static let prefix = "urn:iso:std:iso:20022:tech:xsd:"

    /// `camt.053.001.02` for a namespace of that message, nil for anything else.
    static func messageVersion(_ namespace: String?) -> String? {
        guard let namespace, namespace.hasPrefix(prefix) else { return nil }
        return String(namespace.dropFirst(prefix.count))
    }

    /// Whether the first bytes of a file are XML declaring a namespace of `message` (`camt.053.`).
    static func declares(_ message: String, in prefixBytes: [UInt8]) -> Bool {
        let significant = significantPrefix(prefixBytes)
        guard significant.first == UInt8(ascii: "<") else { return false }
        return String(decoding: significant, as: UTF8.self).contains(prefix + message)
    }
}
