import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Text in the encodings partners use: UTF-8 (with or without BOM) natively, everything else
/// (WINDOWS-1252, ISO-8859-x, CP852, BIG5/CP950, BIG5-HKSCS…) through glibc's iconv.
/// A byte sequence or character that does not exist in the encoding is an error with its position,
/// never a silent `?` or a dropped byte.
public struct TextEncoding: Sendable, Hashable, CustomStringConvertible {
    /// The iconv name, upper-cased (`UTF-8`, `WINDOWS-1252`, `BIG5`).
    public let name: String

    public static let utf8 = TextEncoding(validating: "UTF-8")!

    /// Accepts the usual spellings (`utf8`, `cp1252`, `latin1`, `big5`, `cp950`); nil when iconv knows no such encoding.
    public init?(_ label: String) {
        let upper = label.uppercased().replacingOccurrences(of: "_", with: "-")
        let aliases = ["UTF8": "UTF-8", "CP1252": "WINDOWS-1252", "WIN1252": "WINDOWS-1252", "LATIN1": "ISO-8859-1",
                       "LATIN-1": "ISO-8859-1", "LATIN2": "ISO-8859-2", "CP950": "BIG5", "BIG-5": "BIG5", "ASCII": "US-ASCII"]
        self.init(validating: aliases[upper] ?? upper)
    }

    private init?(validating name: String) {
        if name != "UTF-8" {
            let cd = iconv_open("UTF-8", name)
            if cd == iconv_t(bitPattern: -1) { return nil }
            iconv_close(cd)
        }
        self.name = name
    }

    public var description: String { name }
    public var isUTF8: Bool { name == "UTF-8" }

    /// Decodes bytes to a String. For UTF-8 a leading BOM is dropped when `dropBOM`.
    /// Throws with the byte offset of the first invalid sequence.
    public func decode(_ bytes: some Collection<UInt8>, dropBOM: Bool = false) throws(TextEncodingError) -> String {
        var bytes = Array(bytes)
        if isUTF8 {
            if dropBOM, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
            if let bad = TextEncoding.firstInvalidUTF8(bytes) {
                throw TextEncodingError(encoding: name, offset: bad, character: nil, message: "invalid UTF-8 byte 0x\(String(bytes[bad], radix: 16, uppercase: true)) at byte \(bad + 1)")
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        let out = try convert(bytes, from: name, to: "UTF-8")
        return String(decoding: out, as: UTF8.self)
    }

    /// Encodes a String; a character that the encoding lacks is an error naming it.
    public func encode(_ text: String) throws(TextEncodingError) -> [UInt8] {
        if isUTF8 { return Array(text.utf8) }
        // Convert character by character on failure, so the error names the character.
        do { return try convert(Array(text.utf8), from: "UTF-8", to: name) } catch {
            var offset = 0
            for ch in text {
                do { _ = try convert(Array(String(ch).utf8), from: "UTF-8", to: name) } catch {
                    let code = ch.unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }.joined(separator: " ")
                    throw TextEncodingError(encoding: name, offset: offset, character: String(ch),
                                            message: "character \"\(ch)\" (\(code)) at position \(offset + 1) does not exist in \(name)")
                }
                offset += 1
            }
            throw error
        }
    }

    private func convert(_ input: [UInt8], from: String, to: String) throws(TextEncodingError) -> [UInt8] {
        let cd = iconv_open(to, from)
        if cd == iconv_t(bitPattern: -1) { throw TextEncodingError(encoding: name, offset: 0, character: nil, message: "iconv cannot convert \(from) to \(to)") }
        defer { iconv_close(cd) }
        var output = [UInt8](repeating: 0, count: max(16, input.count * 4 + 16))
        var input = input
        let result: (Int, Int, Int32) = input.withUnsafeMutableBytes { inBuf in
            output.withUnsafeMutableBytes { outBuf in
                var inPtr = inBuf.baseAddress?.assumingMemoryBound(to: CChar.self)
                var inLeft = inBuf.count
                var outPtr = outBuf.baseAddress?.assumingMemoryBound(to: CChar.self)
                var outLeft = outBuf.count
                let rc = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                let err = rc == -1 ? errno : 0
                if err == 0 { _ = iconv(cd, nil, nil, &outPtr, &outLeft) }  // flush shift state
                return (inBuf.count - inLeft, outBuf.count - outLeft, err)
            }
        }
        let (consumed, produced, err) = result
        if err != 0 {
            let what = err == EILSEQ ? "invalid or unmappable sequence" : (err == EINVAL ? "incomplete sequence at the end" : "conversion failed (errno \(err))")
            throw TextEncodingError(encoding: name, offset: consumed, character: nil, message: "\(what) at byte \(consumed + 1) converting \(from) to \(to)")
        }
        return Array(output[0..<produced])
    }

    /// The offset of the first byte that is not part of valid UTF-8, or nil.
    public static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let len: Int
            let minNext: UInt8, maxNext: UInt8
            switch b {
            case 0xC2...0xDF: len = 2; minNext = 0x80; maxNext = 0xBF
            case 0xE0: len = 3; minNext = 0xA0; maxNext = 0xBF
            case 0xE1...0xEC, 0xEE...0xEF: len = 3; minNext = 0x80; maxNext = 0xBF
            case 0xED: len = 3; minNext = 0x80; maxNext = 0x9F
            case 0xF0: len = 4; minNext = 0x90; maxNext = 0xBF
            case 0xF1...0xF3: len = 4; minNext = 0x80; maxNext = 0xBF
            case 0xF4: len = 4; minNext = 0x80; maxNext = 0x8F
            default: return i
            }
            if i + len > n { return i }
            if bytes[i + 1] < minNext || bytes[i + 1] > maxNext { return i }
            for k in 2..<len where bytes[i + k] & 0xC0 != 0x80 { return i }
            i += len
        }
        return nil
    }
}

public struct TextEncodingError: Error, Sendable, CustomStringConvertible {
    public var encoding: String
    /// Byte offset (decoding) or character offset (encoding), 0-based.
    public var offset: Int
    public var character: String?
    public var message: String
    public var description: String { message }
}
