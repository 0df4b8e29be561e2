import FormatKit

/// One tagged field of a SWIFT message (`:61:` and its text). A field's text may run over
/// several lines; `lines[0]` is the text after the tag, the rest are continuation lines.
struct Field {
    var tag: String
    var lines: [String]
    /// Line number of each entry in `lines`.
    var lineNumbers: [Int]
    /// 1-based column where `lines[0]` starts in its source line.
    var column: Int
    /// The decimal mark of its amounts (`,` in SWIFT; see `PracticeRules.decideDecimalMark`).
    var decimalMark: Character = ","

    var line: Int { lineNumbers[0] }
    /// The text as written, continuation lines joined with a line feed.
    var text: String { lines.joined(separator: "\n") }
}

extension Node {
    /// The node of a whole field, named by its role (`openingBalance`, `line`): its value is the
    /// text as written, its first child the tag (`60F`); parsers append the subfields.
    static func field(_ name: String, _ field: Field) -> Node {
        Node(name, value: field.text, children: [Node("tag", value: field.tag)], line: field.line, column: field.column)
    }
}

/// One message of a file: its SWIFT header blocks (`{1:…}`, `{2:…}`, `{3:…}`), if any, and the
/// fields of its text block (`{4:` … `-}`, or the bare fields when the bank sends no blocks).
struct Message {
    var blocks: [(id: String, text: String, line: Int)] = []
    var fields: [Field] = []
    var line = 0
    /// What `PracticeRules` bent, each with its line: becomes the statement's `warning` children.
    var warnings: [(text: String, line: Int)] = []

    /// `940`, `942` or `950` from the application header `{2:I940…}`/`{2:O940…}`; nil without one.
    var typeFromHeader: String? {
        guard let header = blocks.first(where: { $0.id == "2" })?.text, header.count >= 4 else { return nil }
        return String(header.dropFirst().prefix(3))
    }
}

/// Splits a statement file into messages, line by line (streaming: one message in memory).
///
/// Handles what banks actually send: SWIFT blocks `{1:}{2:}{3:}{4:` … `-}{5:}` on one line or
/// several, files without blocks, several messages per file, `-` terminators or none (a new
/// `:20:` starts the next message), SOH (0x01) / ETX (0x03) framing, blank lines, junk lines
/// between messages, and continuation lines of multi-line fields. A line whose tag is unknown
/// continues a free-text field (:86:, :NS:) — banks wrap time stamps such as `:26:37` there —
/// and is an error anywhere else.
struct MessageScanner {
    static let knownTags: Set<String> = [
        "20", "21", "25", "28", "28C", "13", "13D", "34F", "60F", "60M", "61", "86",
        "62F", "62M", "64", "65", "90D", "90C", "NS",
    ]
    private static let freeTextTags: Set<String> = ["86", "NS"]

    private var lines: LineReader
    private let encoding: TextEncoding
    /// Lines read ahead and handed out again first (a line that starts the next message, and
    /// the few lines `dashContinuesFreeText` looks at).
    private var pushedBack: [(text: String, number: Int)] = []
    private var current = Message()
    private var inMessage = false
    /// Line of the `{4:` that opened the current text block, until its `-}` closes it.
    private var openTextBlock: Int?

    private let limits: ReaderLimits
    /// Bytes of the last field so far, continuation lines included.
    private var fieldBytes = 0

    init(_ input: ByteReader, encoding: TextEncoding, limits: ReaderLimits = .default) {
        lines = LineReader(input, maxLineBytes: limits.maxLineBytes)
        self.encoding = encoding
        self.limits = limits
    }

    /// The next message, or nil at the end of the input.
    mutating func next() throws -> Message? {
        while let (text, number) = try nextLine() {
            if let message = try take(text, number) { return message }
        }
        return try finish()
    }

    /// Consumes one line; returns a message when this line ends one.
    private mutating func take(_ text: String, _ number: Int) throws -> Message? {
        if text.allSatisfy({ $0 == " " || $0 == "\t" }) { return nil }
        if text.hasPrefix("{") { return try takeBlocks(text, number) }
        if inMessage, isTerminator(text) {
            if try dashContinuesFreeText(text) {
                current.fields[current.fields.count - 1].lines.append(text)
                current.fields[current.fields.count - 1].lineNumbers.append(number)
                return nil
            }
            openTextBlock = nil
            return try finish()
        }
        if let (tag, rest) = Self.splitTag(text) {
            if Self.knownTags.contains(tag) {
                if tag == "20", current.fields.contains(where: { $0.tag == "20" }) {
                    pushedBack.insert((text, number), at: 0)
                    return try finish()
                }
                if !inMessage { inMessage = true; current.line = number }
                guard current.fields.count < limits.maxSegments else {
                    throw FormatError("mt940.too-many-fields", "the message has more than \(limits.maxSegments) fields (limit maxSegments)",
                                      line: number, column: 1, segment: tag)
                }
                fieldBytes = rest.utf8.count
                current.fields.append(Field(tag: tag, lines: [String(rest)], lineNumbers: [number], column: tag.count + 3))
                return nil
            }
            guard let last = current.fields.last, Self.freeTextTags.contains(last.tag) else {
                throw FormatError("mt940.unknown-tag", "unknown tag :\(tag): (MT940/MT942/MT950 have no such field)",
                                  line: number, column: 1, segment: tag)
            }
        }
        if current.fields.isEmpty {
            if inMessage {
                throw FormatError("mt940.text-outside-field", "text before the first field of the message: \"\(text.prefix(40))\"",
                                  line: number, column: 1)
            }
            return nil  // junk between messages (banner lines, trailers)
        }
        fieldBytes += text.utf8.count + 1
        guard fieldBytes <= limits.maxFieldBytes else {
            let tag = current.fields[current.fields.count - 1].tag
            throw FormatError("mt940.field-too-long", ":\(tag): is longer than \(limits.maxFieldBytes) bytes (limit maxFieldBytes)",
                              line: number, column: 1, segment: tag)
        }
        current.fields[current.fields.count - 1].lines.append(text)
        current.fields[current.fields.count - 1].lineNumbers.append(number)
        return nil
    }

    /// `{1:…}{2:…}{3:{108:…}}{4:` — header blocks, then perhaps the first field on the same line.
    private mutating func takeBlocks(_ text: String, _ number: Int) throws -> Message? {
        if text.hasPrefix("{1:") || text.hasPrefix("{2:"), inMessage, !current.fields.isEmpty {
            pushedBack.insert((text, number), at: 0)
            return try finish()
        }
        var rest = Substring(text)
        while rest.hasPrefix("{") {
            // `{id:` — an id of letters and digits right after the brace (`{x}` or `{:` is no block).
            let idEnd = rest.dropFirst().firstIndex { !($0.isASCII && ($0.isLetter || $0.isNumber)) } ?? rest.endIndex
            guard idEnd < rest.endIndex, rest[idEnd] == ":", idEnd > rest.index(after: rest.startIndex) else {
                throw FormatError("mt940.block", "\"\(FormatError.excerpt(rest))\" is not a SWIFT block {id:…}", line: number, column: column(of: rest, in: text), segment: "{")
            }
            let colon = idEnd
            let id = String(rest[rest.index(after: rest.startIndex)..<colon])
            if !inMessage { inMessage = true; current.line = number }
            if id == "4" {
                openTextBlock = number
                let body = rest[rest.index(after: colon)...]
                return body.isEmpty ? nil : try take(String(body), number)
            }
            guard let end = Self.closingBrace(in: rest) else {
                throw FormatError("mt940.block", "block {\(id): is not closed on its line", line: number, column: column(of: rest, in: text), segment: "{\(id):")
            }
            current.blocks.append((id, String(rest[rest.index(after: colon)..<end]), number))
            rest = rest[rest.index(after: end)...]
        }
        return rest.isEmpty ? nil : try take(String(rest), number)
    }

    private func column(of part: Substring, in line: String) -> Int {
        line.distance(from: line.startIndex, to: part.startIndex) + 1
    }

    /// Ends the current message; a text block `{4:` still open means the message was cut off.
    private mutating func finish() throws -> Message? {
        defer { current = Message(); inMessage = false; openTextBlock = nil }
        if let opened = openTextBlock, inMessage {
            throw FormatError("mt940.unclosed-block", "the text block {4: opened here is never closed with -} (the message is cut off)",
                              line: opened, column: 1, segment: "{4:")
        }
        return inMessage ? current : nil
    }

    /// Rule "a lone `-` inside :86: is text": Rabobank and others write a line holding only `-`
    /// inside a multi-line :86: (or :NS:) text. It ends the message only when a new message
    /// follows (`{1:`/`{2:` blocks or `:20:`, after blank lines or a bank's banner lines such as
    /// ABN AMRO's `ABNANL2A`/`940`) or the input ends there; `-}` always ends it (SWIFT FIN: the
    /// text block closes with CrLf `-}`). Looks at most 8 lines ahead, then reads them again.
    private mutating func dashContinuesFreeText(_ text: String) throws -> Bool {
        guard text.trimmingSpaces == "-", let last = current.fields.last, Self.freeTextTags.contains(last.tag) else { return false }
        var ahead: [(text: String, number: Int)] = []
        defer { pushedBack = ahead + pushedBack }
        while ahead.count < 8 {
            guard let (next, number) = try nextLine() else { return false }  // the end of the input: it ends the message
            ahead.append((next, number))
            if next.hasPrefix("{") { return false }
            if let (tag, _) = Self.splitTag(next), Self.knownTags.contains(tag) { return tag != "20" }
        }
        return true
    }

    /// `-`, `-}` or `-}{5:{CHK:…}}` ends a message; `-----L110` inside :86: text does not.
    private func isTerminator(_ text: String) -> Bool {
        guard text.hasPrefix("-") else { return false }
        let rest = text.dropFirst().drop { $0 == "}" }.drop { $0 == " " }
        return rest.isEmpty || rest.hasPrefix("{")
    }

    /// `:61:rest` → ("61", "rest"); tags are two digits and an optional letter, or `NS`.
    static func splitTag(_ text: String) -> (String, Substring)? {
        let u = text.utf8
        guard u.first == UInt8(ascii: ":"), u.count >= 4 else { return nil }
        let body = text.dropFirst()
        guard let colon = body.firstIndex(of: ":") else { return nil }
        let tag = body[..<colon]
        let valid = tag == "NS" || ((tag.count == 2 || tag.count == 3) && tag.prefix(2).allSatisfy(\.isASCIIDigit)
            && (tag.count == 2 || tag.last!.isASCIIUppercase))
        return valid ? (String(tag), body[body.index(after: colon)...]) : nil
    }

    private static func closingBrace(in text: Substring) -> Substring.Index? {
        var depth = 0
        for i in text.indices {
            if text[i] == "{" { depth += 1 } else if text[i] == "}" { depth -= 1; if depth == 0 { return i } }
        }
        return nil
    }

    /// The next decoded line, without SOH/ETX framing bytes.
    private mutating func nextLine() throws -> (String, Int)? {
        if !pushedBack.isEmpty { let p = pushedBack.removeFirst(); return (p.text, p.number) }
        guard let bytes = try lines.next() else { return nil }
        let number = lines.lineNumber
        let text: String
        do {
            text = try encoding.decode(bytes, dropBOM: number == 1)
        } catch {
            throw FormatError("mt940.encoding", "\(error.message) (channel encoding \(encoding.name))",
                              line: number, column: error.offset + 1)
        }
        if text.unicodeScalars.contains(where: { $0 == "\u{01}" || $0 == "\u{03}" }) {
            return (String(text.unicodeScalars.filter { $0 != "\u{01}" && $0 != "\u{03}" }), number)
        }
        return (text, number)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isASCIIUppercase: Bool { isASCII && isUppercase }
}
