/// What a reader accepts before it refuses a file as hostile or broken, so that no input can make
/// a reader take unbounded time or memory. Defaults in docs/limits.md; each is a format option of
/// the channel (`maxLineBytes: "4194304"` under the channel in gateway.yaml).
public struct ReaderLimits: Sendable, Equatable {
    /// Longest physical line of a line-based format (MT940, CSV, NACHA, GL CSV), without its terminator.
    public var maxLineBytes = 1 << 20
    /// Longest single value: a CSV field, an MT940 field with its continuation lines, an XML
    /// element's text or attribute value, an X12 element.
    public var maxFieldBytes = 1 << 20
    /// Most segments in one X12 file / records in one NACHA file / fields in one MT940 message.
    public var maxSegments = 10_000_000
    /// Deepest element nesting in XML (the root is depth 1).
    public var maxXMLDepth = 100
    /// Most attributes on one XML element (checked on the bytes before libxml2 sees the element).
    public var maxXMLAttributes = 64

    public static let `default` = ReaderLimits()

    public init() {}

    /// The limits a channel's options set, the defaults for the rest; a value that is not a
    /// positive number is ignored (the default stays).
    public init(_ values: [String: String]) {
        func value(_ key: String, _ current: Int) -> Int {
            guard let text = values[key], text.utf8.count <= 18, let n = Int(text), n > 0 else { return current }
            return n
        }
        maxLineBytes = value("maxLineBytes", maxLineBytes)
        maxFieldBytes = value("maxFieldBytes", maxFieldBytes)
        maxSegments = value("maxSegments", maxSegments)
        maxXMLDepth = value("maxXMLDepth", maxXMLDepth)
        maxXMLAttributes = value("maxXMLAttributes", maxXMLAttributes)
    }
}
