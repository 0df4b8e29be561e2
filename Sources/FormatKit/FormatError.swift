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
        self.code = code; self.message = FormatError.capped(message); self.line = line; self.column = column
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

extension FormatError {
    /// Longest quoted value a report copies, in bytes; longer ones end in `…`.
    public static let excerptBytes = 64
    /// Longest message a report keeps, in bytes.
    public static let messageBytes = 1024

    /// At most `maxBytes` of a value (cut at a scalar boundary), with `…` when cut.
    public static func excerpt(_ value: some StringProtocol, maxBytes: Int = excerptBytes) -> String {
        guard value.utf8.count > maxBytes else { return String(value) }
        var out = String.UnicodeScalarView()
        var bytes = 0
        for scalar in value.unicodeScalars {
            bytes += UTF8.width(scalar)
            if bytes > maxBytes { break }
            out.append(scalar)
        }
        return String(out) + "…"
    }

    /// The one place reports are capped: every double-quoted run in `message` longer than
    /// `excerptBytes` is cut to an excerpt, and the whole message to `messageBytes`, so a report
    /// never copies a 10 MB bad value whole.
    public static func capped(_ message: String) -> String {
        guard message.utf8.count > excerptBytes + 2 else { return message }
        var out = ""
        var rest = Substring(message)
        while out.utf8.count <= messageBytes, let open = rest.firstIndex(of: "\"") {
            out += rest[...open]
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "\"") else { rest = after; break }
            out += excerpt(after[..<close]) + "\""
            rest = after[after.index(after: close)...]
        }
        if out.utf8.count <= messageBytes { out += excerpt(rest, maxBytes: messageBytes) }
        return excerpt(out, maxBytes: messageBytes)
    }
}

/// Several findings at once (validation reports every finding, not just the first).
public struct FormatErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [FormatError]
    public init(_ errors: [FormatError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
