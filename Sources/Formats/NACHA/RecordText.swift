/// One 94-character NACHA record as it sat in the file, with where it sat.
///
/// NACHA positions count characters (1-based, as the NACHA Operating Rules print them). Most files
/// are ASCII, where a character is a byte; a line with other characters (UTF-8 `¦`, Windows-1252 `é`)
/// carries a table from character position to byte offset so fields still slice at the right place.
struct RecordText: Sendable {
    /// The record's text as UTF-8, exactly 94 characters.
    let bytes: [UInt8]
    /// Byte offset of each character position (95 entries), or nil when every character is one byte.
    let offsets: [Int]?
    /// The physical line (1-based) and the column where the record starts on it (1-based; >1 only
    /// when several records share one line, as in a file written without line breaks).
    let line: Int
    let column: Int

    static let length = 94

    /// The record type code: the first character (`1`, `5`, `6`, `7`, `8`, `9`).
    var typeCode: UInt8 { bytes[0] }

    /// The bytes of the field at 1-based character `start` of `length` characters.
    func slice(_ start: Int, _ length: Int) -> ArraySlice<UInt8> {
        guard let offsets else { return bytes[(start - 1)..<(start - 1 + length)] }
        return bytes[offsets[start - 1]..<offsets[start - 1 + length]]
    }

    /// The field's text as written (spaces kept).
    func raw(_ start: Int, _ length: Int) -> String { String(decoding: slice(start, length), as: UTF8.self) }

    /// The field's text without leading and trailing spaces.
    func trimmed(_ start: Int, _ length: Int) -> String {
        var s = slice(start, length)
        while s.last == 32 { s = s.dropLast() }
        while s.first == 32 { s = s.dropFirst() }
        return String(decoding: s, as: UTF8.self)
    }

    /// Whether the field holds only the digits 0–9.
    func isDigits(_ start: Int, _ length: Int) -> Bool { slice(start, length).allSatisfy { $0 >= 48 && $0 <= 57 } }
    /// Whether the field holds only spaces.
    func isBlank(_ start: Int, _ length: Int) -> Bool { slice(start, length).allSatisfy { $0 == 32 } }

    /// The field read as an unsigned integer (digits only; nil otherwise or when empty).
    func number(_ start: Int, _ length: Int) -> Int64? {
        var value: Int64 = 0
        var any = false
        for b in slice(start, length) {
            guard b >= 48 && b <= 57 else { return nil }
            value = value &* 10 &+ Int64(b - 48)
            any = true
        }
        return any ? value : nil
    }

    /// Whether the whole record is the filler `9999…` that pads a file to a multiple of ten records.
    var isFiller: Bool { offsets == nil && bytes.allSatisfy { $0 == 57 } }
}

extension RecordText {
    /// A record from decoded characters, exactly 94 of them (the non-ASCII path).
    init(scalars text: [Unicode.Scalar], line: Int, column: Int) {
        var bytes = [UInt8]()
        var offsets = [Int]()
        offsets.reserveCapacity(RecordText.length + 1)
        var ascii = true
        for scalar in text {
            offsets.append(bytes.count)
            if scalar.value >= 0x80 { ascii = false }
            bytes.append(contentsOf: String(scalar).utf8)
        }
        offsets.append(bytes.count)
        self.init(bytes: bytes, offsets: ascii ? nil : offsets, line: line, column: column)
    }
}
