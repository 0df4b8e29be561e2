import FormatKit

/// CSV (RFC 4180) as accountants and banks export it: `,` `;` tab or `|` delimiters, quoted fields
/// with embedded delimiters, quotes and newlines, a header row or column numbers, UTF-8 (with or
/// without BOM), Windows-1252, ISO-8859-1, Big5/CP950 and the other encodings iconv knows.
///
/// Options (channel or mapping): `delimiter` (`,` `;` `tab` `|` or `auto`, default `auto`),
/// `header` (default true), `skipLines` (preamble lines before the header), `group` (column
/// names: consecutive rows with equal values form one unit, e.g. one statement), `allowRagged`.
public enum CSVFormat: TabularFormat {
    public static let id = "csv"
    public static let summary = "CSV files (RFC 4180), any delimiter and encoding, read through a mapping"
    public static func reader(options: FormatOptions) -> DocumentReader? { CSVReader(options: options) }
    public static func tabularWriter(options: FormatOptions) -> TabularWriter { CSVWriter(options: options) }

    static func delimiter(_ text: String?) -> UInt8? {
        switch text {
        case nil, "auto": return nil
        case "tab", "\\t", "\t": return 9
        case let s? where s.utf8.count == 1: return s.utf8.first
        default: return nil
        }
    }
}
