/// A problem in a file, located so a person can fix the sender's file: line and column (1-based),
/// the segment or tag, the field. `code` is stable and machine-readable (`csv.ragged-row`).
public struct FormatError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable { case error, warning }

    public var code: String
    public var message: String
    public var line: Int?
    public var column: Int?
    public var segment: String?
    public var field: String?
    public var severity: Severity

    public init(_ code: String, _ message: String, line: Int? = nil, column: Int? = nil,
                segment: String? = nil, field: String? = nil, severity: Severity = .error) {
        self.code = code; self.message = message; self.line = line; self.column = column
        self.segment = segment; self.field = field; self.severity = severity
    }

    /// `line 12, column 5, segment N1, field N102: message [code]`
    public var description: String {
        FormatError.located(message, code: code, line: line, column: column, segment: segment, field: field)
    }

    /// A message with its place in front and its code behind — the one wording every report uses.
    public static func located(_ message: String, code: String, line: Int?, column: Int?, segment: String?, field: String?) -> String {
        var at = [String]()
        if let line { at.append("line \(line)") }
        if let column { at.append("column \(column)") }
        // A writer locates a canonical record as `record N` (its 0-based place in the input), not a segment.
        if let segment { at.append(segment.hasPrefix("record ") ? segment : "segment \(segment)") }
        if let field { at.append("field \(field)") }
        return (at.isEmpty ? "" : at.joined(separator: ", ") + ": ") + message + " [\(code)]"
    }
}

/// Several findings at once (validation reports every finding, not just the first).
public struct FormatErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [FormatError]
    public init(_ errors: [FormatError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
