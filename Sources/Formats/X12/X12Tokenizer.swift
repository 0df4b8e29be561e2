import FormatKit

/// Splits an X12 byte stream into segments, reading in chunks so memory stays flat.
///
/// Rules it implements:
/// - a UTF-8 BOM, and spaces, tabs and line breaks between segments are skipped;
/// - each `ISA` declares the delimiters of its interchange (see `X12Delimiters`), so several
///   interchanges with different delimiters may follow each other in one file;
/// - line breaks that are not the segment terminator are not data: files hard-wrapped at 80
///   columns read the same as unwrapped ones (even inside the ISA);
/// - `BIN` segments carry BIN01 raw bytes after BIN02's separator, which may contain any byte.
public struct X12Tokenizer {
    private let source: ByteReader
    private let encoding: TextEncoding
    private var buffer: [UInt8] = []
    private var pos = 0
    private var dropped = 0
    private var atEnd = false
    private var line = 1
    private var lineStart = 0
    private var ordinal = 0
    /// The delimiters of the interchange being read (nil before the first ISA).
    public private(set) var delimiters: X12Delimiters?

    public init(_ source: ByteReader, encoding: TextEncoding = .utf8) {
        self.source = source; self.encoding = encoding
    }

    /// The next segment, or nil at the end of the input. Errors are fatal (TA1 level): after
    /// a broken delimiter or segment nothing further can be read reliably.
    public mutating func next() throws(X12Finding) -> X12Segment? {
        do {
            if dropped == 0 && pos == 0, try ensure(3), buffer.starts(with: [0xEF, 0xBB, 0xBF]) { consume(3) }
            try skipWhitespace()
            guard try ensure(1) else { return nil }
            let start = (line: line, column: absolute - lineStart + 1, offset: absolute)
            ordinal += 1
            var segment: X12Segment
            if try ensure(4), buffer[pos] == 0x49, buffer[pos + 1] == 0x53, buffer[pos + 2] == 0x41, !isAlphanumeric(buffer[pos + 3]) {
                segment = try readISA(start)
            } else {
                guard let delimiters else {
                    throw fatal("024", "not-x12", "the input does not start with an ISA segment", start)
                }
                segment = try readSegment(delimiters, start)
            }
            segment.line = start.line; segment.column = start.column; segment.offset = start.offset; segment.ordinal = ordinal
            return segment
        } catch let e as X12Finding {
            throw e
        } catch {
            throw X12Finding(.interchange, ackCode: "024", FormatError("io.read", "\(error)"))
        }
    }

    // MARK: ISA

    private mutating func readISA(_ start: (line: Int, column: Int, offset: Int)) throws -> X12Segment {
        let separator = buffer[pos + 3]
        if separator == 10 || separator == 13 || separator == 32 {
            throw fatal("026", "element-separator", "ISA element separator is a space or line break", start)
        }
        consume(4)
        var elements = [String]()
        var field = [UInt8]()
        while elements.count < 15 {
            guard try ensure(1) else { throw fatal("023", "premature-end", "the input ends inside the ISA segment", start) }
            let b = buffer[pos]
            consume(1)
            if b == 10 || b == 13 { continue }
            if b == separator {
                elements.append(try text(field, start)); field.removeAll(keepingCapacity: true)
            } else {
                field.append(b)
                if field.count > 64 { throw fatal("024", "isa-structure", "ISA element \(elements.count + 1) is longer than 64 bytes: not an ISA segment", start) }
            }
        }
        // ISA16: one character, then the segment terminator.
        try skipLineBreaks()
        guard try ensure(1) else { throw fatal("023", "premature-end", "the input ends inside the ISA segment", start) }
        let component = buffer[pos]
        consume(1)
        elements.append(String(decoding: [component], as: UTF8.self))
        guard try ensure(1) else { throw fatal("023", "premature-end", "the input ends after ISA16, before the segment terminator", start) }
        var terminator: [UInt8]
        let first = buffer[pos]
        if first == 10 || first == 13 {
            terminator = [10]
            consume(1)
            if first == 13, try ensure(1), buffer[pos] == 10 { consume(1) }
        } else {
            let length = first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : first >= 0xC0 ? 2 : 1
            guard try ensure(length) else { throw fatal("004", "segment-terminator", "the ISA segment terminator is cut off", start) }
            terminator = Array(buffer[pos..<pos + length])
            consume(length)
        }
        if isAlphanumeric(first) || first == separator || first == component {
            throw fatal("004", "segment-terminator", "ISA segment terminator \"\(String(decoding: terminator, as: UTF8.self))\" is a letter, digit or another delimiter", start)
        }
        if isAlphanumeric(component) || component == separator {
            throw fatal("027", "component-separator", "ISA16 component separator \"\(elements[15])\" is a letter, digit or the element separator", start)
        }
        var repetition: UInt8?
        if X12Delimiters.versionHasRepetition(elements[11]), let r = elements[10].utf8.first, elements[10].utf8.count == 1,
           !isAlphanumeric(r), r != separator, r != component {
            repetition = r
        }
        delimiters = X12Delimiters(element: separator, component: component, repetition: repetition, segment: terminator)
        return X12Segment(id: "ISA", elements: elements)
    }

    // MARK: other segments

    private mutating func readSegment(_ d: X12Delimiters, _ start: (line: Int, column: Int, offset: Int)) throws -> X12Segment {
        var bytes = [UInt8]()
        var separators = 0
        var idEnd = -1
        var binaryEnded = false
        var binaryPayload: ArraySlice<UInt8>?
        let newline = d.segmentIsNewline
        while true {
            guard try ensure(1) else {
                if newline && !bytes.isEmpty { break }  // the last line of a file without a final line break
                throw fatal("023", "premature-end", "the input ends inside segment \"\(String(decoding: bytes.prefix(3), as: UTF8.self))\" (no segment terminator)", start)
            }
            let b = buffer[pos]
            if newline {
                if b == 10 || b == 13 {
                    consume(1)
                    if b == 13, try ensure(1), buffer[pos] == 10 { consume(1) }
                    break
                }
            } else {
                if b == d.segment[0], try matchesTerminator(d.segment) { consume(d.segment.count); break }
                if (b == 10 || b == 13) && !binaryEnded { consume(1); continue }
            }
            if binaryEnded {
                throw fatal("024", "binary-length", "BIN segment: \(binaryPayload?.count ?? 0) bytes (BIN01) are not followed by the segment terminator", start)
            }
            if b == d.element {
                separators += 1
                if separators == 1 { idEnd = bytes.count }
                if separators == 2, bytes[0..<idEnd].elementsEqual("BIN".utf8) {
                    let lengthText = String(decoding: bytes[(idEnd + 1)...], as: UTF8.self)
                    guard let length = Int(lengthText), length >= 0 else {
                        throw fatal("024", "binary-length", "BIN01 \"\(lengthText)\" is not a byte count", start)
                    }
                    consume(1)
                    guard try ensure(length) else { throw fatal("023", "premature-end", "the input ends inside the \(length) bytes of a BIN segment", start) }
                    binaryPayload = buffer[pos..<pos + length]
                    consume(length)
                    binaryEnded = true
                    continue
                }
            }
            bytes.append(b)
            consume(1)
        }
        if let payload = binaryPayload {
            let length = String(decoding: bytes[(idEnd + 1)...], as: UTF8.self)
            let data = String(validating: payload, as: UTF8.self) ?? base64(payload)
            return X12Segment(id: "BIN", elements: [length, data])
        }
        let parts = bytes.split(separator: d.element, omittingEmptySubsequences: false)
        let id = try text(parts[0], start)
        guard (2...3).contains(id.utf8.count), id.utf8.allSatisfy({ isAlphanumeric($0) && !(97...122).contains($0) }) else {
            throw fatal("024", "segment-id", "\"\(id.prefix(20))\" is not a segment ID (2 or 3 upper-case letters or digits)", start)
        }
        var elements = [String]()
        elements.reserveCapacity(parts.count - 1)
        for part in parts.dropFirst() { elements.append(try text(part, start)) }
        return X12Segment(id: id, elements: elements)
    }

    // MARK: bytes

    private var absolute: Int { dropped + pos }

    private func isAlphanumeric(_ b: UInt8) -> Bool { (48...57).contains(b) || (65...90).contains(b) || (97...122).contains(b) }

    private func text(_ bytes: some Collection<UInt8>, _ start: (line: Int, column: Int, offset: Int)) throws -> String {
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        do { return try encoding.decode(bytes) } catch {
            throw X12Finding(.interchange, ackCode: "024", FormatError("x12.encoding", "\(error.message) (declared encoding \(encoding))", line: start.line, column: start.column))
        }
    }

    private func base64(_ bytes: ArraySlice<UInt8>) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out = [UInt8]()
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let n = min(3, bytes.endIndex - i)
            var v = 0
            for k in 0..<3 { v = v << 8 | (k < n ? Int(bytes[i + k]) : 0) }
            for k in 0..<4 { out.append(k <= n ? table[(v >> (18 - 6 * k)) & 63] : UInt8(ascii: "=")) }
            i += n
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func matchesTerminator(_ terminator: [UInt8]) throws -> Bool {
        if terminator.count == 1 { return true }
        guard try ensure(terminator.count) else { return false }
        return buffer[pos..<pos + terminator.count].elementsEqual(terminator)
    }

    private mutating func skipWhitespace() throws {
        while try ensure(1), [32, 9, 10, 13].contains(buffer[pos]) { consume(1) }
    }

    private mutating func skipLineBreaks() throws {
        while try ensure(1), buffer[pos] == 10 || buffer[pos] == 13 { consume(1) }
    }

    private mutating func consume(_ n: Int) {
        for i in pos..<pos + n where buffer[i] == 10 {
            line += 1
            lineStart = dropped + i + 1
        }
        pos += n
    }

    /// Whether at least `n` bytes are buffered past the read position (reading more if needed).
    private mutating func ensure(_ n: Int) throws -> Bool {
        if buffer.count - pos >= n { return true }
        while buffer.count - pos < n && !atEnd {
            if pos > 0 && pos >= buffer.count / 2 {
                buffer.removeSubrange(0..<pos)
                dropped += pos
                pos = 0
            }
            if try source.read(appendingTo: &buffer, max: max(ByteReader.chunkSize, n)) == 0 { atEnd = true }
        }
        return buffer.count - pos >= n
    }

    private func fatal(_ code: String, _ slug: String, _ message: String, _ start: (line: Int, column: Int, offset: Int)) -> X12Finding {
        X12Finding(.interchange, ackCode: code,
                   FormatError("x12.\(slug)", "\(message) (TA1 code \(code))", line: start.line, column: start.column))
    }
}
