import FormatKit

/// ANSI ASC X12 EDI (4010 and 5010): purchase orders (850), invoices (810), ship notices (856),
/// functional acknowledgments (997, 999) and any other set as a generic tree.
public enum X12Format: Format {
    public static let id = "x12"
    public static let summary = "ANSI X12 EDI interchanges (850, 810, 856, 997, 999…)"

    /// An interchange starts with `ISA` followed by its element separator (after an optional BOM/whitespace).
    public static func detect(_ prefix: [UInt8]) -> Bool {
        let s = significantPrefix(prefix)
        guard s.count >= 4 else { return false }
        let start = s.startIndex
        return s[start] == 0x49 && s[start + 1] == 0x53 && s[start + 2] == 0x41
            && !(48...57).contains(s[start + 3]) && !(65...90).contains(s[start + 3]) && !(97...122).contains(s[start + 3])
    }

    public static func reader(options: FormatOptions) -> DocumentReader? { X12Reader(options: options) }

    /// `grammars:` must name a folder of grammars that load.
    public static func problems(options: FormatOptions) -> [String] {
        guard let folder = X12Reader.grammarFolder(options) else { return [] }
        do { _ = try X12Grammars.cached(directory: folder); return [] } catch { return ["grammars: \(error)"] }
    }
    public static func writer(options: FormatOptions) -> RecordWriter? { X12Writer() }
}
