/// The document tree a reader produces for one unit of a file (one statement, one ACH entry,
/// one X12 transaction set, one CSV row or group of rows). A unit carries everything its mapping
/// needs, including context such as the batch header an entry sits in.
///
/// Leaves hold text exactly as the sender wrote it (decoded to Unicode); the mapping decides what
/// it means (dates, decimals, signs). `line`/`column` point into the source file (1-based, 0 = unknown).
public struct Node: Sendable, Hashable {
    public var name: String
    public var value: String?
    public var children: [Node]
    public var line: Int
    public var column: Int

    public init(_ name: String, value: String? = nil, children: [Node] = [], line: Int = 0, column: Int = 0) {
        self.name = name; self.value = value; self.children = children; self.line = line; self.column = column
    }

    /// The first child with this name.
    public func child(_ name: String) -> Node? { children.first { $0.name == name } }
    /// Every child with this name, in order.
    public func children(named name: String) -> [Node] { children.filter { $0.name == name } }
    /// The value of the first child with this name.
    public subscript(_ name: String) -> String? { child(name)?.value }

    public mutating func append(_ child: Node) { children.append(child) }
    /// Appends a leaf, unless the value is nil.
    public mutating func append(_ name: String, _ value: String?, line: Int = 0, column: Int = 0) {
        if let value { children.append(Node(name, value: value, line: line, column: column)) }
    }

    /// An indented outline, for `dropgate translate --tree` and test failure messages.
    public func outline(indent: String = "") -> String {
        var s = indent + name
        if let value { s += " = \"" + value + "\"" }
        if line > 0 { s += "  @\(line)" + (column > 0 ? ":\(column)" : "") }
        for c in children { s += "\n" + c.outline(indent: indent + "  ") }
        return s
    }
}
