import XMLSupport
/// Builds an indented XML document as UTF-8 text. Element names come from code; text content is
/// escaped (`& < > " '`), so a value can never change the document's structure.
struct XMLTextBuilder {
    private(set) var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    private var open: [String] = []

    /// Opens an element; `attributes` in the given order.
    mutating func start(_ name: String, attributes: [(String, String)] = []) {
        text += indent + "<" + name + Self.render(attributes) + ">\n"
        open.append(name)
    }

    mutating func end() {
        let name = open.removeLast()
        text += indent + "</" + name + ">\n"
    }

    /// `<name attr="…">value</name>` on one line.
    mutating func leaf(_ name: String, _ value: String, attributes: [(String, String)] = []) {
        text += indent + "<" + name + Self.render(attributes) + ">" + Self.escape(value) + "</" + name + ">\n"
    }

    /// A leaf only when there is a value.
    mutating func leaf(_ name: String, ifPresent value: String?) {
        if let value { leaf(name, value) }
    }

    /// Wraps `body` in an element.
    mutating func element(_ name: String, attributes: [(String, String)] = [], _ body: (inout XMLTextBuilder) -> Void) {
        start(name, attributes: attributes)
        body(&self)
        end()
    }

    private var indent: String { String(repeating: "  ", count: open.count) }

    private static func render(_ attributes: [(String, String)]) -> String {
        attributes.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    static func escape(_ value: String) -> String { XMLEscape.text(value) }
}
