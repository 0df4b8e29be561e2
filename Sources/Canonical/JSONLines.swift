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
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            do { out.append(try decode(line: trimmed)) } catch {
                throw JSONLinesError(line: n + 1, message: describe(error))
            }
        }
        return out
    }

    public static func decode(fileAt path: String) throws -> [Record] {
        try decode(text: String(contentsOfFile: path, encoding: .utf8))
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
    public var description: String { "line \(line): \(message)" }
}
