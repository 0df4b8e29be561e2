import Canonical
import FormatKit

/// Reads the subfields of one field's text left to right, keeping track of the column so that
/// every error names the line, the column, the tag and the subfield.
struct FieldCursor {
    let tag: String
    let line: Int
    private let startColumn: Int
    private(set) var rest: Substring
    private var offset = 0
    /// `,` (SWIFT) or `.` where `PracticeRules.decideDecimalMark` found the message uses points.
    var decimalMark: Character = ","

    init(_ text: some StringProtocol, tag: String, line: Int, column: Int) {
        self.tag = tag; self.line = line; startColumn = column; rest = Substring(text)
    }

    init(_ field: Field) {
        self.init(field.lines[0], tag: field.tag, line: field.line, column: field.column)
        decimalMark = field.decimalMark
    }

    var column: Int { startColumn + offset }
    var isAtEnd: Bool { rest.isEmpty }

    /// The next `count` characters, or an error naming `subfield` when the text is shorter.
    mutating func take(_ count: Int, _ subfield: String) throws -> Substring {
        let part = rest.prefix(count)  // O(count), where rest.count would walk the whole text
        guard part.count == count else { throw error(subfield, "\(subfield) is missing or too short") }
        return advance(part)
    }

    /// The longest prefix whose characters satisfy `predicate` (possibly empty).
    mutating func take(while predicate: (Character) -> Bool) -> Substring { advance(rest.prefix(while: predicate)) }

    /// Everything left.
    mutating func takeRest() -> Substring { advance(rest) }

    private mutating func advance(_ part: Substring) -> Substring {
        rest = rest.dropFirst(part.count); offset += part.count
        return part
    }

    /// A leaf for the tree, located at the current column (call before taking the subfield).
    func leaf(_ name: String, _ value: some StringProtocol) -> Node {
        Node(name, value: String(value), line: line, column: column)
    }

    func error(_ subfield: String, _ message: String, code: String = "mt940.field", at column: Int? = nil) -> FormatError {
        FormatError(code, ":\(tag): \(message)", line: line, column: column ?? self.column, segment: tag, field: subfield)
    }

    /// A SWIFT amount (`15d`): digits with a decimal comma, at least one digit before it
    /// (`1234,56`, `500,`, `0,12`). A missing comma (`500`, as Knab and mBank write) means whole
    /// units. The node holds the text as written; `value` is exact.
    mutating func amount(_ subfield: String = "amount") throws -> (node: Node, value: Amount) {
        let at = column
        let mark = decimalMark
        let text = take { $0.isASCIIDigit || $0 == mark }
        guard !text.isEmpty else { throw error(subfield, "\(subfield) is missing", at: at) }
        guard text.filter({ $0 == mark }).count <= 1, text.first != mark else {
            throw error(subfield, "\(subfield) \"\(text)\" must be digits with one decimal \(mark == "," ? "comma (e.g. 1234,56)" : "point (e.g. 1234.56)")", at: at)
        }
        // SWIFT 15d: at most 15 digits (leading zeros, which banks pad with, aside). Bounded amounts
        // also keep the balance sum of a long statement from overflowing.
        guard let value = Amount.parse(text, decimalSeparator: mark.asciiValue!),
              value.fits(integerDigits: 15 - value.scale, fractionDigits: 14) else {
            throw error(subfield, "\(subfield) \"\(text)\" is out of range", at: at)
        }
        // The node keeps the SWIFT form (decimal comma), which mappings read.
        let swift = mark == "," ? String(text) : text.replacingOccurrences(of: ".", with: ",")
        return (Node(subfield, value: swift, line: line, column: at), value)
    }

    /// A `YYMMDD` date as ISO `YYYY-MM-DD`.
    mutating func date(_ subfield: String) throws -> Node {
        let at = column
        let text = try take(6, subfield)
        do {
            return Node(subfield, value: try SwiftDate.iso(yymmdd: text), line: line, column: at)
        } catch {
            throw self.error(subfield, "\(subfield): \(error.reason)", at: at)
        }
    }

    /// A debit/credit mark `C` or `D`.
    mutating func mark() throws -> Node {
        let at = column
        let mark = try take(1, "mark")
        guard mark == "C" || mark == "D" else { throw error("mark", "mark must be C or D, not \"\(mark)\"", at: at) }
        return Node("mark", value: String(mark), line: line, column: at)
    }

    /// A 3-letter ISO 4217 currency code.
    mutating func currency() throws -> Node {
        let at = column
        let code = try take(3, "currency")
        guard code.allSatisfy(\.isASCIIUppercase) else { throw error("currency", "currency \"\(code)\" is not an ISO 4217 code", at: at) }
        return Node("currency", value: String(code), line: line, column: at)
    }

    /// Fails when anything but spaces is left after the `last` subfield.
    func end(after last: String) throws {
        guard rest.trimmingSpaces.isEmpty else { throw error(last, "unexpected text \"\(rest)\" after the \(last)") }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces (SWIFT text has no other whitespace within a line).
    var trimmingSpaces: Substring {
        // On the UTF-8 view: the generic dropLast() counts the whole text each time (quadratic).
        let s = Substring(self)
        let u = s.utf8
        var start = u.startIndex, end = u.endIndex
        while start < end, u[start] == 32 { start = u.index(after: start) }
        while end > start, u[u.index(before: end)] == 32 { end = u.index(before: end) }
        return s[start..<end]
    }
}
