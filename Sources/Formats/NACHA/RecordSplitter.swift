import FormatKit

/// Cuts a file into 94-character records, streaming.
///
/// NACHA files are lines of 94 characters, but senders bend that: lines trimmed of trailing
/// spaces (padded back, with a warning), lines with trailing spaces beyond 94 (cut, with a
/// warning), and files written as one continuous stream with no line breaks (split every 94
/// characters). A piece left over that is not 94 characters is an error naming its length.
struct RecordSplitter {
    private var lines: LineReader
    private let encoding: TextEncoding
    private var queue: [RecordText] = []
    private var queueIndex = 0

    init(_ input: ByteReader, encoding: TextEncoding) {
        lines = LineReader(input)
        self.encoding = encoding
    }

    /// The next record, or nil at the end of the file.
    mutating func next(_ findings: Findings) throws -> RecordText? {
        while true {
            if queueIndex < queue.count {
                defer { queueIndex += 1 }
                return queue[queueIndex]
            }
            queue.removeAll(keepingCapacity: true)
            queueIndex = 0
            guard var bytes = try lines.next() else { return nil }
            let line = lines.lineNumber
            if line == 1 && bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
            if bytes.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 0x1A }) { continue }  // blank line or DOS end-of-file mark
            if bytes.allSatisfy({ $0 < 0x80 }) {
                try split(ascii: bytes, line: line, findings)
            } else {
                try split(text: bytes, line: line, findings)
            }
        }
    }

    private mutating func split(ascii bytes: ArraySlice<UInt8>, line: Int, _ findings: Findings) throws {
        let n = RecordText.length
        if bytes.count == n {
            queue.append(RecordText(bytes: Array(bytes), offsets: nil, line: line, column: 1))
            return
        }
        if bytes.count < n {
            try findings.add(FormatError("nacha.record.short", "record is \(bytes.count) characters, not 94; padded with spaces",
                                         line: line, column: bytes.count + 1, severity: .warning))
            queue.append(RecordText(bytes: Array(bytes) + [UInt8](repeating: 32, count: n - bytes.count), offsets: nil, line: line, column: 1))
            return
        }
        if bytes.dropFirst(n).allSatisfy({ $0 == 32 }) {
            try findings.add(FormatError("nacha.record.long", "record is \(bytes.count) characters, not 94; trailing spaces ignored",
                                         line: line, column: n + 1, severity: .warning))
            queue.append(RecordText(bytes: Array(bytes.prefix(n)), offsets: nil, line: line, column: 1))
            return
        }
        // Several records on one line: a file written without line breaks.
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let end = min(start + n, bytes.endIndex)
            let piece = bytes[start..<end]
            let column = start - bytes.startIndex + 1
            if piece.count == n {
                queue.append(RecordText(bytes: Array(piece), offsets: nil, line: line, column: column))
            } else if !piece.allSatisfy({ $0 == 32 }) {
                try findings.add(FormatError("nacha.record.length", "record must be 94 characters and found \(piece.count)",
                                             line: line, column: column))
            }
            start = end
        }
    }

    /// A line with non-ASCII bytes: decode it in the channel's encoding, then cut by characters.
    private mutating func split(text bytes: ArraySlice<UInt8>, line: Int, _ findings: Findings) throws {
        let text: String
        do { text = try encoding.decode(bytes) } catch {
            try findings.add(FormatError("nacha.encoding", "line is not valid \(encoding.name): \(error.message)",
                                         line: line, column: error.offset + 1))
            return
        }
        let scalars = Array(text.unicodeScalars)
        let n = RecordText.length
        var start = 0
        repeat {
            let end = min(start + n, scalars.count)
            var piece = Array(scalars[start..<end])
            let blankRest = scalars[end...].allSatisfy { $0 == " " }
            if piece.count < n {
                if start > 0 && piece.allSatisfy({ $0 == " " }) { break }
                if start > 0 {
                    try findings.add(FormatError("nacha.record.length", "record must be 94 characters and found \(piece.count)", line: line, column: start + 1))
                    break
                }
                try findings.add(FormatError("nacha.record.short", "record is \(piece.count) characters, not 94; padded with spaces",
                                             line: line, column: piece.count + 1, severity: .warning))
                piece.append(contentsOf: repeatElement(" ", count: n - piece.count))
            }
            queue.append(RecordText(scalars: piece, line: line, column: start + 1))
            if blankRest { break }
            start = end
        } while start < scalars.count
    }
}
