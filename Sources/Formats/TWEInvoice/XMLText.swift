import XMLSupport
/// Builds one message's XML text element by element and remembers every leaf with its path,
/// so an encoding failure can name the field that holds the offending character.
struct XMLText {
    private(set) var text = ""
    /// (path such as `Main/Seller/Name`, value) of every leaf written.
    private(set) var leaves: [(path: String, value: String)] = []
    private var stack: [String] = []
    private var depth: Int { stack.count }

    /// Starts the document: declaration with the encoding it will be written in, and the root element.
    init(root: String, namespace: String, encodingName: String) {
        text = "<?xml version=\"1.0\" encoding=\"\(encodingName)\"?>\n"
        text += "<\(root) xmlns=\"\(namespace)\">\n"
        stack = [root]
    }

    mutating func open(_ name: String) {
        indent()
        text += "<\(name)>\n"
        stack.append(name)
    }

    mutating func close() {
        let name = stack.removeLast()
        indent()
        text += "</\(name)>\n"
    }

    /// Writes `<name>value</name>`.
    mutating func leaf(_ name: String, _ value: String) {
        indent()
        text += "<\(name)>" + XMLText.escape(value) + "</\(name)>\n"
        leaves.append((path: (stack.dropFirst() + [name]).joined(separator: "/"), value: value))
    }

    /// Writes the leaf only when there is a non-empty value (absent optional fields are left out).
    mutating func optionalLeaf(_ name: String, _ value: String?) {
        if let value, !value.isEmpty { leaf(name, value) }
    }

    /// Closes the root element.
    mutating func finish() -> String {
        while !stack.isEmpty { close() }
        return text
    }

    private mutating func indent() { text += String(repeating: "  ", count: depth) }

    static func escape(_ s: String) -> String { XMLEscape.text(s) }
}
