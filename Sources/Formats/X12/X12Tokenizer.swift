import FormatKit
#if canImport(Glibc)
import Glibc
#endif

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
    /// When set, only envelope segments (ISA, GS, ST, SE, GE, IEA, TA1, ISB, ISE, TA3) come back
    /// with their elements; any other segment comes back with its ID alone (what the envelope
    /// check and the acknowledgments need: they count body segments, they do not read them).
    /// Every segment is still checked as before: terminator, ID, encoding.
    public var envelopeOnly = false
    /// Off only in tests, which hold the scan path equal to the byte-at-a-time one.
    var scanPath = true
    /// With `envelopeOnly`, set by the envelope check while a transaction set is open: a run of
    /// body segments comes back as its last segment (ID and place only), `bodyRun` telling how
    /// many segments it stands for. Every segment of the run is checked as it would be alone.
    public var collapseBodies = false
    /// How many segments the segment `next()` returned stands for (1 unless a run was collapsed).
    public private(set) var bodyRun = 1

    public init(_ source: ByteReader, encoding: TextEncoding = .utf8) {
        self.source = source; self.encoding = encoding
    }

    /// The next segment, or nil at the end of the input. Errors are fatal (TA1 level): after
    /// a broken delimiter or segment nothing further can be read reliably.
    public mutating func next() throws(X12Finding) -> X12Segment? {
        do {
            if dropped == 0 && pos == 0, try ensure(3), buffer.starts(with: [0xEF, 0xBB, 0xBF]) { consume(3) }
            try skipWhitespace()
            bodyRun = 1
            if collapseBodies && envelopeOnly && scanPath, let d = delimiters, d.segment.count == 1, !d.segmentIsNewline,
               let last = try skipBodies(d) {
                return last
            }
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
        if scanPath, d.segment.count == 1, !d.segmentIsNewline, let segment = try scanSegment(d) { return segment }
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

    // MARK: the scan path

    /// The common case at scan speed: a one-byte terminator found with `memchr`, no line break
    /// inside the segment and no `BIN`. Returns nil, having consumed nothing, for anything else
    /// (and for an ID the byte path refuses), so that `readSegment` handles it and reports errors.
    private mutating func scanSegment(_ d: X12Delimiters) throws -> X12Segment? {
        let terminator = d.segment[0]
        var scanned = 0   // bytes past `pos` already searched: a long segment is searched once
        var end = -1
        while end < 0 {
            end = Self.find(terminator, in: buffer, from: pos + scanned, to: buffer.count)
            if end >= 0 { break }
            scanned = buffer.count - pos
            if atEnd { return nil }
            _ = try ensure(scanned + 1)   // may move the buffer: offsets from `pos` stay valid
            if buffer.count - pos == scanned { return nil }
        }
        let start = pos
        if Self.find(10, in: buffer, from: start, to: end) >= 0 || Self.find(13, in: buffer, from: start, to: end) >= 0 { return nil }
        var idEnd = Self.find(d.element, in: buffer, from: start, to: end)
        if idEnd < 0 { idEnd = end }
        let idLength = idEnd - start
        guard idLength == 2 || idLength == 3 else { return nil }
        for i in start..<idEnd {
            let b = buffer[i]
            guard (48...57).contains(b) || (65...90).contains(b) else { return nil }
        }
        if idLength == 3, buffer[start] == 0x42, buffer[start + 1] == 0x49, buffer[start + 2] == 0x4E { return nil }  // BIN
        let id = String(decoding: buffer[start..<idEnd], as: UTF8.self)
        var elements = [String]()
        let ascii = Self.isASCII(buffer, from: idEnd, to: end)
        let envelope = Self.isEnvelope(buffer[start], buffer[start + 1], idLength == 3 ? buffer[start + 2] : 0, length: idLength)
        if !envelopeOnly || !ascii || envelope {
            var from = idEnd
            while from < end {
                var to = Self.find(d.element, in: buffer, from: from + 1, to: end)
                if to < 0 { to = end }
                let part = buffer[(from + 1)..<to]
                elements.append(ascii ? String(decoding: part, as: UTF8.self)
                                      : try text(part, (line: line, column: dropped + start - lineStart + 1, offset: dropped + start)))
                from = to
            }
            if envelopeOnly && !envelope { elements = [] }
        }
        pos = end + 1
        return X12Segment(id: id, elements: elements)
    }

    /// Skips plain body segments (one-byte terminator, no line break inside, ASCII, a valid ID that
    /// is no envelope ID, not `BIN`) while they last; returns the last one skipped (ID and place),
    /// or nil, having consumed nothing, when the next segment is not such a segment. Anything else
    /// is left to `next()`, which reads and reports it as before.
    private mutating func skipBodies(_ d: X12Delimiters) throws -> X12Segment? {
        var count = 0
        var last = (line: 0, column: 0, offset: 0, id: (UInt8(0), UInt8(0), UInt8(0)), idLength: 0)
        while true {
            var p = pos, line = self.line, lineStart = self.lineStart
            let dropped = self.dropped
            var more = false
            var got = 0
            buffer.withUnsafeBufferPointer { buffer in
                guard let b = buffer.baseAddress else { more = true; return }
                let n = buffer.count
                let element = d.element, terminator = d.segment[0]
                func upperAlnum(_ c: UInt8) -> Bool { c &- 48 < 10 || c &- 65 < 26 }
                while true {
                    var q = p   // whitespace between segments, as skipWhitespace does
                    while q < n {
                        let c = b[q]
                        if c == 10 { line += 1; lineStart = dropped + q + 1 } else if c != 32 && c != 9 && c != 13 { break }
                        q += 1
                    }
                    p = q   // the whitespace is consumed (its lines counted) whatever follows
                    if q + 4 > n { more = true; return }
                    let b0 = b[q], b1 = b[q + 1], b2 = b[q + 2]
                    guard upperAlnum(b0), upperAlnum(b1) else { return }
                    let idLength: Int
                    if b2 == element || b2 == terminator { idLength = 2 }
                    else if upperAlnum(b2), b[q + 3] == element || b[q + 3] == terminator { idLength = 3 }
                    else { return }
                    // Envelope segments go to `next()`, and so do ISA and BIN (their own rules).
                    if Self.isEnvelope(b0, b1, idLength == 3 ? b2 : 0, length: idLength) { return }
                    if idLength == 3 && b0 == 0x49 && b1 == 0x53 && b2 == 0x41 { return }  // ISA
                    if idLength == 3 && b0 == 0x42 && b1 == 0x49 && b2 == 0x4E { return }  // BIN
                    // Not found: read on, unless the segment is long (then `next()` reads it, scanning each byte once).
                    guard let hit = memchr(b + q, Int32(terminator), n - q) else { more = n - q < 1 << 16; return }
                    let end = UnsafeRawPointer(hit) - UnsafeRawPointer(b)
                    guard Self.isPlainText(b, from: q, to: end) else { return }
                    last = (line, dropped + q - lineStart + 1, dropped + q, (b0, b1, idLength == 3 ? b2 : 0), idLength)
                    got += 1
                    p = end + 1
                }
            }
            count += got
            ordinal += got
            pos = p; self.line = line; self.lineStart = lineStart
            if !more || atEnd { break }
            let buffered = buffer.count - pos
            _ = try ensure(buffered + 1)   // a segment cut by the end of the chunk: read on
            if buffer.count - pos == buffered { break }
        }
        guard count > 0 else { return nil }
        bodyRun = count
        let id = last.idLength == 3 ? String(decoding: [last.id.0, last.id.1, last.id.2], as: UTF8.self)
                                    : String(decoding: [last.id.0, last.id.1], as: UTF8.self)
        return X12Segment(id: id, elements: [], line: last.line, column: last.column, offset: last.offset, ordinal: ordinal)
    }

    /// ASCII without CR or LF, eight bytes at a time.
    private static func isPlainText(_ b: UnsafePointer<UInt8>, from: Int, to: Int) -> Bool {
        var i = from
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        while i + 8 <= to {
            let w = UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self)
            let lf = w ^ (ones &* 10), cr = w ^ (ones &* 13)
            if (w | ((lf &- ones) & ~lf) | ((cr &- ones) & ~cr)) & highs != 0 { return false }
            i += 8
        }
        while i < to { let c = b[i]; if c >= 0x80 || c == 10 || c == 13 { return false }; i += 1 }
        return true
    }

    /// The index of the first `byte` in `bytes[from..<to]`, or -1.
    private static func find(_ byte: UInt8, in bytes: [UInt8], from: Int, to: Int) -> Int {
        guard from < to else { return -1 }
        return bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress, let hit = memchr(base + from, Int32(byte), to - from) else { return -1 }
            return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
        }
    }

    /// Whether `bytes[from..<to]` is all ASCII, eight bytes at a time.
    private static func isASCII(_ bytes: [UInt8], from: Int, to: Int) -> Bool {
        bytes.withUnsafeBufferPointer { b in
            var i = from
            while i + 8 <= to {
                if UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
                i += 8
            }
            while i < to { if b[i] >= 0x80 { return false }; i += 1 }
            return true
        }
    }

    /// GS ST SE GE IEA TA1 ISB ISE TA3: the segments the envelope check reads (an ID of `length`
    /// 2 or 3 bytes, `e` unused for 2).
    private static func isEnvelope(_ a: UInt8, _ c: UInt8, _ e: UInt8, length: Int) -> Bool {
        if length == 2 {
            return (a == 0x47 && (c == 0x53 || c == 0x45)) || (a == 0x53 && (c == 0x54 || c == 0x45))
        }
        switch (a, c, e) {
        case (0x49, 0x45, 0x41), (0x54, 0x41, 0x31), (0x49, 0x53, 0x42), (0x49, 0x53, 0x45), (0x54, 0x41, 0x33): return true
        default: return false
        }
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
        while try ensure(1) {
            switch buffer[pos] {
            case 32, 9, 10, 13: consume(1)
            default: return
            }
        }
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
