import FormatKit

/// Splits a byte stream into CSV records (RFC 4180): a quoted field may hold commas, doubled
/// quotes and line breaks, so one record can span several physical lines. Streams line by line.
struct CSVRecordReader {
    private var lines: LineReader
    private let encoding: TextEncoding

    private let limits: ReaderLimits

    init(_ input: ByteReader, encoding: TextEncoding, limits: ReaderLimits = .default) {
        lines = LineReader(input, maxLineBytes: limits.maxLineBytes)
        self.encoding = encoding
        self.limits = limits
    }

    /// The next record's fields and the line it starts on, or nil at the end.
    mutating func next() throws -> (fields: [String], line: Int)? {
        var text = ""
        var startLine = 0
        var quotes = 0  // quotes so far in the record: even = every quoted field closed
        while let bytes = try lines.next() {
            let decoded: String
            do { decoded = try encoding.decode(bytes, dropBOM: lines.lineNumber == 1) } catch {
                throw FormatError("gl.encoding", "not valid \(encoding) at byte \(error.offset + 1) of the line", line: lines.lineNumber, column: error.offset + 1)
            }
            if startLine == 0 { startLine = lines.lineNumber; text = decoded } else { text += "\n" + decoded }
            // Count only the new line's quotes: recounting the whole record made one stray quote quadratic.
            quotes += decoded.utf8.reduce(0) { $0 + ($1 == 34 ? 1 : 0) }
            if quotes % 2 == 0 { return (try CSVRecordReader.fields(text, line: startLine), startLine) }
            guard text.utf8.count <= limits.maxFieldBytes else {
                throw FormatError("gl.unclosed-quote", "a quoted field opened here runs past \(limits.maxFieldBytes) bytes without closing (limit maxFieldBytes)",
                                  line: startLine)
            }
        }
        if startLine != 0 { throw FormatError("gl.unclosed-quote", "a quoted field opened here is never closed", line: startLine) }
        return nil
    }

    /// The fields of one record's text; a quote inside an unquoted field is refused with its column.
    static func fields(_ text: String, line: Int) throws -> [String] {
        var fields = [String]()
        var field = ""
        var quoted = false, inQuotes = false, column = 0
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            column += 1
            if inQuotes {
                if c == "\"" {
                    if chars.first == "\"" { field.append("\""); chars.removeFirst(); column += 1 } else { inQuotes = false }
                } else { field.append(c) }
            } else if c == "," {
                fields.append(field); field = ""; quoted = false
            } else if c == "\"" {
                guard field.isEmpty && !quoted else {
                    throw FormatError("gl.stray-quote", "a quote inside an unquoted field (or after a closing quote)", line: line, column: column)
                }
                quoted = true; inQuotes = true
            } else {
                guard !quoted else { throw FormatError("gl.stray-quote", "text after a closing quote", line: line, column: column) }
                field.append(c)
            }
        }
        fields.append(field)
        return fields
    }
}
