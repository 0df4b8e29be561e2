/// Writes an indented XML document straight into UTF-8 bytes (two spaces a level, one element a
/// line). Element names come from code; text and attribute values are escaped (`XMLEscape`), so a
/// value can never change the document's structure. The writer of every XML format we send.
public struct XMLWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    private var open: [String] = []

    /// Starts the document with its declaration (`encodingName` as the declaration states it).
    public init(encodingName: String = "UTF-8", capacity: Int = 4096) {
        bytes.reserveCapacity(capacity)
        bytes.append(contentsOf: "<?xml version=\"1.0\" encoding=\"".utf8)
        bytes.append(contentsOf: encodingName.utf8)
        bytes.append(contentsOf: "\"?>\n".utf8)
    }

    /// How many elements are open.
    public var depth: Int { open.count }

    /// Opens an element; `attributes` in the given order.
    public mutating func start(_ name: String, attributes: [(String, String)] = []) {
        indent()
        bytes.append(UInt8(ascii: "<"))
        bytes.append(contentsOf: name.utf8)
        attribute(attributes)
        bytes.append(contentsOf: ">\n".utf8)
        open.append(name)
    }

    /// Closes the innermost open element.
    public mutating func end() {
        let name = open.removeLast()
        indent()
        bytes.append(contentsOf: "</".utf8)
        bytes.append(contentsOf: name.utf8)
        bytes.append(contentsOf: ">\n".utf8)
    }

    /// `<name attr="…">value</name>` on one line.
    public mutating func leaf(_ name: String, _ value: String, attributes: [(String, String)] = []) {
        indent()
        bytes.append(UInt8(ascii: "<"))
        bytes.append(contentsOf: name.utf8)
        attribute(attributes)
        bytes.append(UInt8(ascii: ">"))
        XMLEscape.append(value, to: &bytes)
        bytes.append(contentsOf: "</".utf8)
        bytes.append(contentsOf: name.utf8)
        bytes.append(contentsOf: ">\n".utf8)
    }

    /// Wraps `body` in an element.
    public mutating func element(_ name: String, attributes: [(String, String)] = [], _ body: (inout XMLWriter) -> Void) {
        start(name, attributes: attributes)
        body(&self)
        end()
    }

    /// Closes every open element and hands over the document.
    public mutating func finish() -> [UInt8] {
        while !open.isEmpty { end() }
        return bytes
    }

    private mutating func indent() { bytes.append(contentsOf: repeatElement(32, count: 2 * open.count)) }

    private mutating func attribute(_ attributes: [(String, String)]) {
        for (name, value) in attributes {
            bytes.append(32)
            bytes.append(contentsOf: name.utf8)
            bytes.append(contentsOf: "=\"".utf8)
            XMLEscape.append(value, to: &bytes)
            bytes.append(UInt8(ascii: "\""))
        }
    }
}
