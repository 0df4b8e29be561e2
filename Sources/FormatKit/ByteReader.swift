import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a file (or bytes in memory) in fixed chunks, so memory stays flat however large the file.
public final class ByteReader {
    public static let chunkSize = 1 << 16

    private var fd: Int32 = -1
    private var memory: [UInt8]?
    private var memoryOffset = 0
    /// The file's path, or a label for bytes in memory.
    public let name: String

    public init(path: String) throws {
        name = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            throw FormatError("io.open", "cannot open \(path): \(String(cString: strerror(errno)))")
        }
    }

    public init(bytes: [UInt8], name: String = "<memory>") {
        self.name = name
        memory = bytes
    }

    public convenience init(text: String, name: String = "<memory>") { self.init(bytes: Array(text.utf8), name: name) }

    deinit { if fd >= 0 { close(fd) } }

    /// Appends up to `max` bytes to `buffer`; returns how many (0 at the end).
    @discardableResult
    public func read(appendingTo buffer: inout [UInt8], max: Int = ByteReader.chunkSize) throws -> Int {
        if let memory {
            let n = min(max, memory.count - memoryOffset)
            if n > 0 { buffer.append(contentsOf: memory[memoryOffset..<memoryOffset + n]); memoryOffset += n }
            return n
        }
        let start = buffer.count
        buffer.reserveCapacity(start + max)
        var got = 0
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max) { tmp in
            while true {
                let n = Glibc.read(fd, tmp.baseAddress, max)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FormatError("io.read", "cannot read \(name): \(String(cString: strerror(errno)))")
                }
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: tmp[0..<n]))
                got = n
                return
            }
        }
        return got
    }

    /// The first `count` bytes, then rewinds (for content detection).
    public func peek(_ count: Int) throws -> [UInt8] {
        if let memory { return Array(memory[memoryOffset..<min(memory.count, memoryOffset + count)]) }
        var out = [UInt8]()
        out.reserveCapacity(count)
        while out.count < count {
            if try read(appendingTo: &out, max: count - out.count) == 0 { break }
        }
        lseek(fd, 0, SEEK_SET)
        return out
    }

    /// Everything that is left. Only for inputs known to be small (XML documents, tests).
    public func readAll() throws -> [UInt8] {
        var out = [UInt8]()
        while try read(appendingTo: &out) > 0 {}
        return out
    }
}

/// Splits a byte stream into lines (LF, CRLF or a lone CR end a line), counting them from 1.
/// The line's bytes exclude the terminator. Works for any ASCII-compatible encoding.
public struct LineReader {
    private let source: ByteReader
    private var buffer: [UInt8] = []
    private var position = 0
    /// Where the search for the next line end resumes (bytes before it hold no CR or LF), so a
    /// long line is scanned once, not once per chunk.
    private var scanned = 0
    private var atEnd = false
    /// Longest line accepted; a longer one is refused (`input.line-too-long`) before it is buffered whole.
    public let maxLineBytes: Int
    public private(set) var lineNumber = 0
    /// Whether the last line returned had no terminator (the file did not end with a newline).
    public private(set) var lastLineUnterminated = false

    public init(_ source: ByteReader, maxLineBytes: Int = ReaderLimits.default.maxLineBytes) {
        self.source = source
        self.maxLineBytes = maxLineBytes
    }

    /// The next line, or nil at the end of the input.
    public mutating func next() throws -> ArraySlice<UInt8>? {
        while true {
            if let i = buffer[max(position, scanned)...].firstIndex(where: { $0 == 10 || $0 == 13 }) {
                // A CR at the very end of the buffer may be the first half of CRLF.
                if buffer[i] == 13 && i + 1 == buffer.count && !atEnd {
                    scanned = i
                    try fill()
                    continue
                }
                try check(length: i - position)
                let line = buffer[position..<i]
                position = i + 1
                if buffer[i] == 13 && position < buffer.count && buffer[position] == 10 { position += 1 }
                scanned = position
                lineNumber += 1
                lastLineUnterminated = false
                return line
            }
            scanned = buffer.count
            try check(length: buffer.count - position)
            if atEnd {
                if position < buffer.count {
                    let line = buffer[position...]
                    position = buffer.count
                    scanned = position
                    lineNumber += 1
                    lastLineUnterminated = true
                    return line
                }
                return nil
            }
            try fill()
        }
    }

    private func check(length: Int) throws {
        guard length > maxLineBytes else { return }
        throw FormatError("input.line-too-long", "line is longer than \(maxLineBytes) bytes (limit maxLineBytes)",
                          line: lineNumber + 1, column: maxLineBytes + 1)
    }

    private mutating func fill() throws {
        if position > 0 && position >= buffer.count / 2 {
            buffer.removeSubrange(0..<position)
            scanned -= position
            position = 0
        }
        if try source.read(appendingTo: &buffer) == 0 { atEnd = true }
    }
}
