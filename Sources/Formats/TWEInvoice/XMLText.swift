import XMLSupport

/// Builds one message's XML (an `XMLWriter`) element by element and remembers every leaf with its
/// place, so an encoding failure can name the field that holds the offending character.
struct XMLText {
    private var writer: XMLWriter
    /// Each leaf's parent path below the root (`Main/Seller`), name and value; joined into a path only when asked.
    private var leafRecords: [(parent: String, name: String, value: String)] = []
    /// The path below the root of each open element (`""` for the root itself).
    private var paths: [String] = [""]

    /// (path such as `Main/Seller/Name`, value) of every leaf written.
    var leaves: [(path: String, value: String)] {
        leafRecords.map { (path: $0.parent.isEmpty ? $0.name : $0.parent + "/" + $0.name, value: $0.value) }
    }

    /// Starts the document: declaration with the encoding it will be written in, and the root element.
    init(root: String, namespace: String, encodingName: String) {
        writer = XMLWriter(encodingName: encodingName)
        writer.start(root, attributes: [("xmlns", namespace)])
    }

    mutating func open(_ name: String) {
        writer.start(name)
        let parent = paths.last!
        paths.append(parent.isEmpty ? name : parent + "/" + name)
    }

    mutating func close() {
        writer.end()
        paths.removeLast()
    }

    /// Writes `<name>value</name>`.
    mutating func leaf(_ name: String, _ value: String) {
        writer.leaf(name, value)
        leafRecords.append((parent: paths.last!, name: name, value: value))
    }

    /// Writes the leaf only when there is a non-empty value (absent optional fields are left out).
    mutating func optionalLeaf(_ name: String, _ value: String?) {
        if let value, !value.isEmpty { leaf(name, value) }
    }

    /// Closes the root element; the document as UTF-8.
    mutating func finish() -> [UInt8] { writer.finish() }
}
