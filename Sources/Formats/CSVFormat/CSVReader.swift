import FormatKit

/// Streams a CSV file record by record; each record (or group of records) is one unit.
/// A unit `row` has one child per column, named by its header — or, with `header: false`, by its
/// 1-based column number (`3`); to address a file that has a header by number, use `header: false`
/// with `skipLines: 1`.
struct CSVReader: DocumentReader {
    let options: FormatOptions

    init(options: FormatOptions) { self.options = options }

    func read(_ input: ByteReader, emit: (Node) throws -> Void) throws {
        var records = CSVRecordReader(input: input, encoding: options.encoding, limits: options.limits,
                                      delimiter: CSVFormat.delimiter(options["delimiter"]),
                                      skipLines: Int(options["skipLines"] ?? "") ?? 0)
        let hasHeader = options["header"].map { !["false", "no", "0"].contains($0.lowercased()) } ?? true
        let allowRagged = options.flag("allowRagged")
        let groupColumns = (options["group"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }

        var header: [String]?
        if hasHeader {
            guard let first = try records.next() else { throw FormatError("csv.empty", "no header row: the file has no records", line: 1) }
            header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            for missing in groupColumns where !header!.contains(missing) {
                throw FormatError("csv.group-column", "group column \"\(missing)\" is not in the header (\(header!.joined(separator: ", ")))", line: first.line, field: missing)
            }
        }
        var group: (key: [String], node: Node)?
        var sawRow = false
        while let record = try records.next() {
            sawRow = true
            if let header, record.fields.count != header.count, !allowRagged {
                throw FormatError("csv.ragged-row",
                                  "row has \(record.fields.count) fields, the header has \(header.count)",
                                  line: record.line, column: min(record.fields.count, header.count) + 1)
            }
            var row = Node("row", line: record.line, column: 1)
            row.children.reserveCapacity(record.fields.count)
            for (i, value) in record.fields.enumerated() {
                let name = header.map { $0[safe: i] ?? "" } ?? String(i + 1)
                if !name.isEmpty { row.append(Node(name, value: value, line: record.line, column: i + 1)) }
            }
            if groupColumns.isEmpty {
                try emit(row)
                continue
            }
            let key = groupColumns.map { row[$0] ?? "" }
            if let g = group, g.key == key {
                group!.node.append(row)
            } else {
                if let g = group { try emit(g.node) }
                group = (key, Node("group", children: [row], line: record.line, column: 1))
            }
        }
        if let g = group { try emit(g.node) }
        if !sawRow && header == nil { throw FormatError("csv.empty", "the file has no records", line: 1) }
    }
}

extension Array {
    subscript(safe i: Int) -> Element? { i >= 0 && i < count ? self[i] : nil }
}

/// RFC 4180 records from physical lines: a quoted field may span lines. Each line is decoded from
/// the channel's encoding first, so multi-byte encodings (Big5) never confuse the delimiter scan.
struct CSVRecordReader {
    struct Record { var fields: [String]; var line: Int }

    private var lines: LineReader
    private let encoding: TextEncoding
    private var delimiter: UInt8?
    private var skip: Int
    private var firstLine = true

    private let maxFieldBytes: Int

    init(input: ByteReader, encoding: TextEncoding, limits: ReaderLimits = .default, delimiter: UInt8?, skipLines: Int) {
        lines = LineReader(input, maxLineBytes: limits.maxLineBytes)
        maxFieldBytes = limits.maxFieldBytes
        self.encoding = encoding
        self.delimiter = delimiter
        skip = skipLines
    }

    private mutating func nextText() throws -> (String, Int)? {
        while true {
            guard let raw = try lines.next() else { return nil }
            let n = lines.lineNumber
            if let nul = raw.firstIndex(of: 0) {
                throw FormatError("input.binary", "binary content: NUL byte at byte \(nul - raw.startIndex + 1) — this is not a text file", line: n, column: nul - raw.startIndex + 1)
            }
            let text: String
            do { text = try encoding.decode(raw, dropBOM: firstLine) } catch {
                throw FormatError("input.encoding", "not valid \(encoding.name): \(error.message)", line: n, column: error.offset + 1)
            }
            firstLine = false
            if skip > 0 { skip -= 1; continue }
            return (text, n)
        }
    }

    mutating func next() throws -> Record? {
        var startLine = 0
        var fields = [String]()
        var field = [UInt8]()
        var inQuotes = false
        var quoteOpenedAt = (line: 0, column: 0)
        var fieldWasQuoted = false
        var fieldHasText = false  // a non-space byte in the unquoted field (a quote then is stray text, not an opening)
        while let (text, n) = try nextText() {
            if startLine == 0 {
                if text.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }  // blank lines between records
                startLine = n
                if delimiter == nil { delimiter = CSVRecordReader.sniff(text) }
            } else {
                field.append(10)  // the newline inside a quoted field
            }
            let d = delimiter!
            let bytes = Array(text.utf8)
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                if inQuotes {
                    if b == 34 {
                        if i + 1 < bytes.count && bytes[i + 1] == 34 { field.append(34); i += 2; continue }
                        inQuotes = false
                        // After a closing quote only a delimiter (or spaces before it) may follow.
                        var j = i + 1
                        while j < bytes.count && bytes[j] == 32 { j += 1 }
                        if j < bytes.count && bytes[j] != d {
                            throw FormatError("csv.quote", "unexpected text after a closing quote", line: n, column: fields.count + 1)
                        }
                        i = j
                        continue
                    }
                    field.append(b)
                } else if b == d {
                    fields.append(String(decoding: field, as: UTF8.self))
                    field.removeAll(keepingCapacity: true)
                    fieldWasQuoted = false
                    fieldHasText = false
                } else if b == 34 && !fieldHasText && !fieldWasQuoted {
                    field.removeAll(keepingCapacity: true)
                    inQuotes = true
                    fieldWasQuoted = true
                    quoteOpenedAt = (n, fields.count + 1)
                } else {
                    if b != 32 { fieldHasText = true }
                    field.append(b)
                }
                i += 1
            }
            if field.count > maxFieldBytes {
                throw FormatError("csv.field-too-long", "a field is longer than \(maxFieldBytes) bytes (limit maxFieldBytes)",
                                  line: inQuotes ? quoteOpenedAt.line : n, column: fields.count + 1)
            }
            if !inQuotes {
                fields.append(String(decoding: field, as: UTF8.self))
                return Record(fields: fields, line: startLine)
            }
        }
        if inQuotes {
            throw FormatError("csv.unterminated-quote", "a quoted field opened here is never closed", line: quoteOpenedAt.line, column: quoteOpenedAt.column)
        }
        return nil
    }

    /// The delimiter that occurs most often outside quotes in the first line (`,` on a tie).
    static func sniff(_ line: String) -> UInt8 {
        var counts: [UInt8: Int] = [44: 0, 59: 0, 9: 0, 124: 0]
        var inQuotes = false
        for b in line.utf8 {
            if b == 34 { inQuotes.toggle() } else if !inQuotes, counts[b] != nil { counts[b]! += 1 }
        }
        return [44, 59, 9, 124].max { counts[$0]! < counts[$1]! }.flatMap { counts[$0]! > 0 ? $0 : nil } ?? 44
    }
}
