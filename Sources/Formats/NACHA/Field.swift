import FormatKit

/// One field of a NACHA record: its name, its 1-based start position and length as printed in the
/// NACHA Operating Rules, and what characters it may hold.
struct Field: Sendable {
    enum Kind: Sendable, Equatable {
        /// Digits only, right-justified and zero-filled.
        case numeric
        /// Digits, or all spaces when the sender has nothing to say (settlement date, counts in returns).
        case numericOrBlank
        /// Upper- and lower-case letters, digits, punctuation and space; left-justified, space-filled.
        case alphanumeric
        /// Alphanumeric that must not be blank nor all zeros (company name, entry description).
        case mandatoryAlphanumeric
        /// A calendar date `YYMMDD`.
        case date
        /// A date `YYMMDD` or blank.
        case dateOrBlank
        /// A time `HHMM` or blank.
        case timeOrBlank
        /// A routing number written ` bTTTTAAAAC` or `TTTTAAAAC` right-justified in 10 (file header).
        case routing
        /// Fixed text every record carries (`094`, `10`, `1`).
        case constant(String)
        /// Reserved by NACHA: written as spaces, not read.
        case reserved
    }

    let name: String
    let start: Int
    let length: Int
    let kind: Kind

    init(_ name: String, _ start: Int, _ length: Int, _ kind: Kind) {
        self.name = name; self.start = start; self.length = length; self.kind = kind
    }
}

/// The fields of one record type, in order, covering all 94 positions. Parsing, writing and
/// field-format validation are all driven by the same table, so they cannot disagree.
struct RecordLayout: Sendable {
    /// What a person calls the record (`file header`, `batch control`), for messages.
    let recordName: String
    /// The node name a parsed record gets (`fileHeader`, `entryDetail`).
    let nodeName: String
    let fields: [Field]

    /// The record as a node: one leaf per field (reserved fields left out), values trimmed of spaces.
    /// Blank fields are left out too, so a mapping sees "absent" rather than "".
    func node(_ record: RecordText) -> Node {
        var node = Node(nodeName, line: record.line, column: record.column)
        node.children.reserveCapacity(fields.count)
        for field in fields where field.kind != .reserved && field.start > 1 {
            let value = record.trimmed(field.start, field.length)
            if !value.isEmpty {
                node.children.append(Node(field.name, value: value, line: record.line, column: record.column + field.start - 1))
            }
        }
        return node
    }

    /// The 94 characters of a record made from `values` (field name → text). Numbers are right-justified
    /// and zero-filled, text left-justified and space-filled. A value that does not fit is an error,
    /// never silently cut.
    func write(_ values: [String: String]) throws(FormatError) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(RecordText.length)
        try write(into: &out) { values[fields[$0].name] }
        return out
    }

    /// Appends the record's 94 characters to `out`, the text of the field at each index of
    /// `fields` from `value` (nil: empty), justified and checked as `write(_:)` says. Nothing is
    /// appended when a value is refused.
    func write(into out: inout [UInt8], _ value: (Int) -> String?) throws(FormatError) {
        let start = out.count
        do {
            for (i, field) in fields.enumerated() { try write(field, value(i) ?? "", into: &out) }
        } catch {
            out.removeSubrange(start...)
            throw error
        }
    }

    private func write(_ field: Field, _ value: String, into out: inout [UInt8]) throws(FormatError) {
        let utf8 = value.utf8
        guard utf8.count <= field.length else {
            throw FormatError("nacha.write.too-long", "\(recordName) \(field.name) \"\(value)\" is longer than \(field.length) characters",
                              segment: nodeName, field: field.name)
        }
        for b in utf8 where b < 0x20 || b >= 0x7F {
            throw FormatError("nacha.write.characters", "\(recordName) \(field.name) \"\(value)\" has characters outside ASCII, which NACHA files cannot carry",
                              segment: nodeName, field: field.name)
        }
        let pad = field.length - utf8.count
        switch field.kind {
        case .constant(let text):
            out.append(contentsOf: text.utf8)
        case .reserved:
            out.append(contentsOf: repeatElement(32, count: field.length))
        case .numeric, .numericOrBlank, .date, .dateOrBlank, .timeOrBlank:
            if utf8.isEmpty && field.kind != .numeric {
                out.append(contentsOf: repeatElement(32, count: field.length))
            } else {
                for b in utf8 where b < 48 || b > 57 {
                    throw FormatError("nacha.write.numeric", "\(recordName) \(field.name) \"\(value)\" must be digits",
                                      segment: nodeName, field: field.name)
                }
                out.append(contentsOf: repeatElement(48, count: pad))
                out.append(contentsOf: utf8)
            }
        case .routing:
            out.append(contentsOf: repeatElement(32, count: pad))
            out.append(contentsOf: utf8)
        case .alphanumeric, .mandatoryAlphanumeric:
            out.append(contentsOf: utf8)
            out.append(contentsOf: repeatElement(32, count: pad))
        }
    }

    /// Checks every field's format (digits, characters, dates, constants) and reports each problem.
    func validateFields(_ record: RecordText, _ findings: Findings) throws(FormatErrors) {
        for field in fields {
            if let problem = problem(field, record, findings.options) {
                try findings.add(error(problem.code, problem.message, record, field))
            }
        }
    }

    /// A finding about one field of this record, located at the field's first character.
    func error(_ code: String, _ message: String, _ record: RecordText, _ field: Field,
               severity: FormatError.Severity = .error) -> FormatError {
        FormatError(code, "\(recordName) \(field.name): \(message)", line: record.line,
                    column: record.column + field.start - 1, segment: nodeName, field: field.name, severity: severity)
    }

    /// A finding about the field named `name`. When this layout has no such field (an entry of one
    /// SEC code checked by another's rule — found by fuzz-nacha, it trapped), the finding is
    /// located at the record instead of trapping.
    func error(_ code: String, _ message: String, _ record: RecordText, field name: String,
               severity: FormatError.Severity = .error) -> FormatError {
        guard let field = fields.first(where: { $0.name == name }) else {
            return FormatError(code, "\(recordName) \(name): \(message)", line: record.line, column: record.column,
                               segment: nodeName, field: name, severity: severity)
        }
        return error(code, message, record, field, severity: severity)
    }

    subscript(_ name: String) -> Field {
        guard let field = fields.first(where: { $0.name == name }) else { preconditionFailure("no field \(name) in \(recordName)") }
        return field
    }

    /// The trimmed text of the field named `name`.
    func value(_ name: String, _ record: RecordText) -> String {
        let field = self[name]
        return record.trimmed(field.start, field.length)
    }

    private func problem(_ field: Field, _ record: RecordText, _ options: NACHAOptions) -> (code: String, message: String)? {
        let (s, n) = (field.start, field.length)
        switch field.kind {
        case .reserved:
            return nil
        case .constant(let text):
            return record.raw(s, n) == text ? nil : ("nacha.field.constant", "must be \"\(text)\", found \"\(record.raw(s, n))\"")
        case .numeric:
            if record.isBlank(s, n) { return ("nacha.field.mandatory", "is a mandatory field and is blank") }
            return record.isDigits(s, n) ? nil : ("nacha.field.numeric", "\"\(record.raw(s, n))\" must be numeric")
        case .numericOrBlank:
            return record.isDigits(s, n) || record.isBlank(s, n) ? nil : ("nacha.field.numeric", "\"\(record.raw(s, n))\" must be numeric or blank")
        case .date, .dateOrBlank:
            if field.kind == .dateOrBlank && record.isBlank(s, n) { return nil }
            return ACHDate.isValidYYMMDD(record.slice(s, n)) ? nil : ("nacha.field.date", "\"\(record.raw(s, n))\" is not a date YYMMDD")
        case .timeOrBlank:
            if record.isBlank(s, n) { return nil }
            let t = record.slice(s, n)
            let ok = record.isDigits(s, n) && (t.first! - 48) * 10 + (t.dropFirst().first! - 48) < 24
                && (t.dropFirst(2).first! - 48) * 10 + (t.dropFirst(3).first! - 48) < 60
            return ok ? nil : ("nacha.field.time", "\"\(record.raw(s, n))\" is not a time HHMM")
        case .routing:
            let text = record.trimmed(s, n)
            if text.isEmpty { return ("nacha.field.mandatory", "is a mandatory field and is blank") }
            return text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) ? nil : ("nacha.field.numeric", "\"\(record.raw(s, n))\" must be a routing number (digits)")
        case .alphanumeric, .mandatoryAlphanumeric:
            if let bad = ACHCharacters.firstDisallowed(record.slice(s, n), allowSpecial: options.allowSpecialCharacters) {
                return ("nacha.field.characters", "\"\(record.raw(s, n))\" has a character that is not alphanumeric: \(bad)")
            }
            if field.kind == .mandatoryAlphanumeric && !options.allowEmptyIndividualName {
                if record.isBlank(s, n) { return ("nacha.field.mandatory", "is a mandatory field and is blank") }
                if record.slice(s, n).allSatisfy({ $0 == 48 || $0 == 32 }) { return ("nacha.field.only-zeros", "\"\(record.raw(s, n))\" has only zeros") }
            }
            return nil
        }
    }
}

/// NACHA dates: `YYMMDD` in the file, `YYYY-MM-DD` in canonical records (years 00–99 are 2000–2099).
enum ACHDate {
    static func isValidYYMMDD(_ text: some Collection<UInt8>) -> Bool {
        guard text.count == 6, text.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return false }
        let d = text.map { Int($0 - 48) }
        let (year, month, day) = (2000 + d[0] * 10 + d[1], d[2] * 10 + d[3], d[4] * 10 + d[5])
        return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(month: month, year: year)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// `YYMMDD` → `YYYY-MM-DD`, nil when not a valid date.
    static func iso(_ yymmdd: String) -> String? {
        guard isValidYYMMDD(yymmdd.utf8) else { return nil }
        let c = Array(yymmdd)
        return "20\(c[0])\(c[1])-\(c[2])\(c[3])-\(c[4])\(c[5])"
    }

    /// `YYYY-MM-DD` → `YYMMDD`, nil when not that shape or outside 2000–2099.
    static func yymmdd(_ iso: String) -> String? {
        let c = Array(iso.utf8)
        guard c.count == 10, c[4] == UInt8(ascii: "-"), c[7] == UInt8(ascii: "-"), c[0] == UInt8(ascii: "2"), c[1] == UInt8(ascii: "0") else { return nil }
        let out = [c[2], c[3], c[5], c[6], c[8], c[9]]
        return isValidYYMMDD(out) ? String(decoding: out, as: UTF8.self) : nil
    }
}

/// Which characters an alphanumeric field may hold: printable ASCII and, as moov-io/ach accepts,
/// the printable Latin-1 range (`¦`, `é`). With `allowSpecialCharacters` any printable character.
enum ACHCharacters {
    /// A description of the first character not allowed, or nil.
    static func firstDisallowed(_ bytes: ArraySlice<UInt8>, allowSpecial: Bool) -> String? {
        if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return nil }
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            let v = scalar.value
            let printableASCII = v >= 0x20 && v < 0x7F
            let latin1 = v >= 0xA0 && v <= 0xFF
            let otherPrintable = v > 0xFF && v != 0xFFFD
            if printableASCII || latin1 || (allowSpecial && otherPrintable) { continue }
            return "U+" + String(v, radix: 16, uppercase: true).leftPadded(to: 4)
        }
        return nil
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
