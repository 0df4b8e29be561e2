import FormatKit

/// Comma-separated text as RFC 4180 writes it: CRLF row ends, fields with a comma, quote or line
/// break in double quotes, inner quotes doubled.
enum CSVText {
    static func encode(_ rows: [[String]], encoding: TextEncoding) throws -> [UInt8] {
        let text = rows.map { $0.map(quoted).joined(separator: ",") + "\r\n" }.joined()
        do { return try encoding.encode(text) } catch {
            throw FormatError("gl.encoding", "cannot write the journal in \(encoding): \(error.message)")
        }
    }

    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacing("\"", with: "\"\"") + "\""
    }
}
