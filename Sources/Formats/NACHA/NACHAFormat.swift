import FormatKit

/// NACHA ACH files: the US automated clearing house format, 94-character records.
/// Reading gives one `entry` unit per entry detail; writing makes a balanced file from `payment` records.
public enum NACHAFormat: Format {
    public static let id = "nacha"
    public static let summary = "NACHA ACH files (94-character records; PPD, CCD, CTX, IAT, returns, NOCs…)"

    /// A NACHA file starts with its file header: record type `1`, priority code `01`, then the
    /// immediate destination (a space or digit, then digits).
    public static func detect(_ prefix: [UInt8]) -> Bool {
        let p = Array(significantPrefix(prefix).prefix(RecordText.length))
        guard p.count >= 13, p.starts(with: Array("101".utf8)) else { return false }
        return p[3..<13].allSatisfy { $0 == 32 || ($0 >= 48 && $0 <= 57) }
    }

    public static func reader(options: FormatOptions) -> DocumentReader? {
        NACHAReader(options: NACHAOptions(options), encoding: options.encoding)
    }

    public static func writer(options: FormatOptions) -> RecordWriter? { NACHAWriter() }
}
