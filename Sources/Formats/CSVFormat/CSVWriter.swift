import Foundation
import FormatKit

/// Writes a table as CSV: a header row, RFC 4180 quoting where a value needs it, CRLF line ends
/// (the RFC's; option `lineEnding: lf`), in the context's encoding (an unmappable character is an error).
struct CSVWriter: TabularWriter {
    let options: FormatOptions

    func write(header: [String], rows: [[String]], context: WriteContext) throws -> OutputFile {
        let d = CSVFormat.delimiter(options["delimiter"]) ?? 44
        let eol = options["lineEnding"] == "lf" ? "\n" : "\r\n"
        let delim = String(UnicodeScalar(d))
        func quote(_ s: String) -> String {
            let needs = s.utf8.contains { $0 == d || $0 == 34 || $0 == 10 || $0 == 13 } || s.hasPrefix(" ") || s.hasSuffix(" ")
            return needs ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var text = ""
        if options["header"].map({ !["false", "no", "0"].contains($0) }) ?? true {
            text += header.map(quote).joined(separator: delim) + eol
        }
        for row in rows { text += row.map(quote).joined(separator: delim) + eol }
        do {
            return OutputFile(name: options["fileName"] ?? "records.csv", bytes: try context.encoding.encode(text))
        } catch {
            throw FormatError("csv.encoding", "cannot write in \(context.encoding.name): \(error.message)")
        }
    }
}
