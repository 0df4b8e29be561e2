import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Dropped file names are bytes chosen by a partner: any byte but `/` and NUL, up to 255 of them.
/// They are stored as they came, shown escaped, and never used as a path of ours unchanged.
public enum FileNames {
    /// The name for the ledger's `name` column: the name itself when it is valid UTF-8, else escaped
    /// (the exact bytes then go to `rawName`).
    public static func ledgerName(_ bytes: [UInt8]) -> (name: String, raw: Data?) {
        if let s = String(validating: bytes, as: UTF8.self) { return (s, nil) }
        return (escaped(bytes), Data(bytes))
    }

    /// A name safe in a log line, a report or a terminal: printable text stays, `\` becomes `\\`,
    /// control characters (newline, ESC …), and bytes that are not UTF-8 become `\xNN`. One-to-one.
    public static func escaped(_ bytes: [UInt8]) -> String {
        var out = ""
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x5C { out += "\\\\"; i += 1; continue }
            if b >= 0x20 && b < 0x7F { out.unicodeScalars.append(Unicode.Scalar(b)); i += 1; continue }
            if b >= 0xC2, let (scalar, length) = decodeScalar(bytes, at: i), !isControl(scalar) {
                out.unicodeScalars.append(scalar); i += length; continue
            }
            out += "\\x" + String(b, radix: 16, uppercase: true).leftPadded(2)
            i += 1
        }
        return out
    }

    public static func escaped(_ name: String) -> String { escaped(Array(name.utf8)) }

    /// Text for one log or `status` line: control characters become `\xNN`, the rest stays.
    public static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || isControl($0) }) else { return text }
        var out = ""
        for s in text.unicodeScalars {
            if s.value < 0x20 || s.value == 0x7F || isControl(s) {
                for b in String(s).utf8 { out += "\\x" + String(b, radix: 16, uppercase: true).leftPadded(2) }
            } else {
                out.unicodeScalars.append(s)
            }
        }
        return out
    }

    /// `"name"`, escaped (the form logs and `status` use).
    public static func quoted(_ name: String) -> String { "\"" + escaped(name).replacingOccurrences(of: "\"", with: "\\\"") + "\"" }

    /// A name for files we write from it (archive, quarantine, records export): the escaped name
    /// with `/`-free, control-free characters, no leading `-` or `.`, at most 160 bytes.
    public static func safe(_ name: String) -> String {
        var s = escaped(name)
        if s.hasPrefix("-") || s.hasPrefix(".") { s = "_" + s.dropFirst() }
        if s.isEmpty { s = "_" }
        while s.utf8.count > 160 { s.removeLast() }
        return s
    }

    /// What a non-regular entry is, for its `rejected` reason.
    public static func kind(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFLNK: return "a symbolic link"
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        default: return "not a regular file"
        }
    }

    private static func isControl(_ s: Unicode.Scalar) -> Bool {
        (0x80...0x9F).contains(s.value) || s.value == 0x2028 || s.value == 0x2029 || (0x202A...0x202E).contains(s.value)
            || (0x2066...0x2069).contains(s.value) || s.value == 0xFEFF
    }

    private static func decodeScalar(_ bytes: [UInt8], at i: Int) -> (Unicode.Scalar, Int)? {
        let b = bytes[i]
        let length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
        guard b < 0xF5, i + length <= bytes.count else { return nil }
        guard let s = String(validating: bytes[i..<(i + length)], as: UTF8.self), let scalar = s.unicodeScalars.first,
              s.unicodeScalars.count == 1 else { return nil }
        return (scalar, length)
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
