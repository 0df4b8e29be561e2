import FormatKit

/// A mistake in a mapping file itself (found when it is loaded).
public struct MappingDefinitionError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var file: String?
    public var line: Int?
    init(_ message: String, file: String? = nil, line: Int? = nil) { self.message = message; self.file = file; self.line = line }
    public var description: String {
        [file.map { $0 + (line.map { ":\($0)" } ?? "") }, message].compactMap { $0 }.joined(separator: ": ")
    }
}

/// A unit that a mapping could not turn into a record: names the mapping, the rule (canonical
/// field) and where in the source file the value came from.
public struct MappingError: Error, Sendable, CustomStringConvertible {
    public var mapping: String
    public var field: String
    public var message: String
    public var line: Int?
    public var column: Int?

    public var description: String {
        var at = [String]()
        if let line { at.append("line \(line)") }
        if let column { at.append("column \(column)") }
        return (at.isEmpty ? "" : at.joined(separator: ", ") + ": ") + "field \(field): \(message) (mapping \(mapping))"
    }

    /// As a located format error for error reports.
    public var formatError: FormatError {
        FormatError("mapping.failed", "\(message) (mapping \(mapping), rule \(field))", line: line, column: column, field: field)
    }
}

/// Inside this module `Node` is the document tree (Yams has a `Node` too; YAML nodes are `Yams.Node`).
typealias Node = FormatKit.Node
