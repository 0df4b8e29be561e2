import Foundation

/// Canonical records as JSON Lines: one object a line, UTF-8, keys in a stable order.
public enum JSONLines {
    public static func line(_ record: Record) throws -> String {
        try OrderedJSONEncoder.line(record)
    }

    /// The record's line as UTF-8 bytes, appended to `out` with its newline (no String in between).
    public static func append(_ record: Record, to out: inout [UInt8]) throws {
        try OrderedJSONEncoder.encode(record).write(to: &out)
        out.append(10)
    }

    public static func decode(line: some StringProtocol) throws -> Record {
        try JSONValueDecoder.decode(Record.self, from: try JSONParser.parse(line))
    }

    /// Decodes a whole JSON Lines text; blank lines are skipped. Errors name the line.
    public static func decode(text: String) throws -> [Record] {
        var out = [Record]()
        var text = text
        try text.withUTF8 { try forEachLine(in: $0, firstLine: 1) { out.append($0) } }
        return out
    }

    public static func decode(fileAt path: String) throws -> [Record] {
        var out = [Record]()
        try forEachRecord(fileAt: path) { out.append($0) }
        return out
    }

    /// Streams a JSON Lines file: read in chunks, cut into lines on bytes, one record decoded at a
    /// time and handed to `body` (memory stays flat however long the file). Blank lines are
    /// skipped; errors name the line.
    public static func forEachRecord(fileAt path: String, _ body: (Record) throws -> Void) throws {
        guard let file = fopen(path, "rb") else {
            throw JSONLinesError(line: 0, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)   // one read buffer, reused
        var buffer = [UInt8]()
        var line = 1
        while true {
            let n = chunk.withUnsafeMutableBufferPointer { fread($0.baseAddress!, 1, $0.count, file) }
            let fresh = buffer.count
            buffer.append(contentsOf: chunk[..<n])
            if n == 0 {
                if ferror(file) != 0 { throw JSONLinesError(line: line, message: "cannot read: \(String(cString: strerror(errno)))") }
                try buffer.withUnsafeBufferPointer { try forEachLine(in: $0, firstLine: line, body) }
                return
            }
            // Decode every complete line; keep the unfinished one for the next chunk.
            guard let lastNewline = buffer[fresh...].lastIndex(of: 10) else { continue }   // only the new bytes are searched
            try buffer.withUnsafeBufferPointer { try forEachLine(in: UnsafeBufferPointer(rebasing: $0[..<lastNewline]), firstLine: line, body) }
            line += buffer[..<lastNewline].count(where: { $0 == 10 }) + 1
            buffer.removeSubrange(...lastNewline)
        }
    }

    /// The records of the lines in `bytes` (the first being line `firstLine`).
    static func forEachLine(in bytes: UnsafeBufferPointer<UInt8>, firstLine: Int, _ body: (Record) throws -> Void) throws {
        var n = firstLine
        var start = 0
        while start <= bytes.count {
            let end = bytes[start...].firstIndex(of: 10) ?? bytes.count
            var lo = start, hi = end
            // Spaces and tabs around the record are allowed (as `trimmingCharacters(in: .whitespaces)`).
            while lo < hi, bytes[lo] == 32 || bytes[lo] == 9 { lo += 1 }
            while hi > lo, bytes[hi - 1] == 32 || bytes[hi - 1] == 9 { hi -= 1 }
            if lo < hi {
                let record: Record?
                do {
                    if bytes[lo] >= 0x80 || bytes[hi - 1] >= 0x80 {
                        // Perhaps other Unicode white space: the text path trims it.
                        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[lo..<hi]), as: UTF8.self).trimmingCharacters(in: .whitespaces)
                        record = text.isEmpty ? nil : try decode(line: text)
                    } else {
                        record = try JSONValueDecoder.decode(Record.self, from: try JSONParser.parse(bytes: UnsafeBufferPointer(rebasing: bytes[lo..<hi])))
                    }
                } catch {
                    throw JSONLinesError(line: n, message: describe(error))
                }
                if let record { try body(record) }
            }
            n += 1
            start = end + 1
        }
    }

    /// A decoding error in words a person can act on: the field path and what was wrong.
    public static func describe(_ error: Error) -> String {
        func path(_ c: [CodingKey]) -> String {
            c.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error as? DecodingError {
        case .keyNotFound(let k, let ctx)?: return "missing field \(path(ctx.codingPath + [k]))"
        case .typeMismatch(_, let ctx)?: return "field \(path(ctx.codingPath)): \(ctx.debugDescription)"
        case .valueNotFound(_, let ctx)?: return "field \(path(ctx.codingPath)): value missing"
        case .dataCorrupted(let ctx)?:
            let p = path(ctx.codingPath)
            return p.isEmpty ? ctx.debugDescription : "field \(p): \(ctx.debugDescription)"
        case nil:
            if let e = error as? JSONParser.Error { return e.description }
            return "\(error)"
        default: return "\(error)"
        }
    }
}

public struct JSONLinesError: Error, CustomStringConvertible {
    public var line: Int
    public var message: String
    /// Line 0: the file itself (it cannot be opened or read).
    public var description: String { line > 0 ? "line \(line): \(message)" : message }
}
