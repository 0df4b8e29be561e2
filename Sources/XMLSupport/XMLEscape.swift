/// Escaping for XML text and attribute values we write (`&`, `<`, `>`, `"`, `'`).
public enum XMLEscape {
    public static func text(_ value: String) -> String {
        var out = [UInt8]()
        out.reserveCapacity(value.utf8.count)
        append(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the escaped UTF-8 of `value` (the five characters are ASCII, so bytes ≥ 0x80 pass as they are).
    public static func append(_ value: String, to out: inout [UInt8]) {
        for b in value.utf8 {
            switch b {
            case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): out.append(contentsOf: "&apos;".utf8)
            default: out.append(b)
            }
        }
    }
}
