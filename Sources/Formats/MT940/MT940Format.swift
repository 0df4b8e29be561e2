import FormatKit

/// SWIFT customer statements: MT940 (end of day), MT942 (interim report) and MT950, one reader.
///
/// Options (per channel): the channel's `encoding` (UTF-8 by default; CP852, WINDOWS-1252,
/// ISO-8859-2… for legacy exports) and `checkBalances: false` to accept statements whose
/// opening balance plus lines does not equal the closing balance (on by default).
public enum MT940Format: Format {
    public static let id = "mt940"
    public static let summary = "SWIFT MT940/MT942/MT950 bank statements (with or without SWIFT blocks)"

    /// `{1:` (a SWIFT envelope) or a first field `:20:`, after blank lines, a BOM or SOH framing.
    /// `{1:` or `:20:` first; or, after a bank's banner lines (ABN AMRO's `ABNANL2A` / `940`), lines
    /// starting `:20:` and `:25:` within the first few kilobytes.
    public static func detect(_ prefix: [UInt8]) -> Bool {
        let start = significantPrefix(prefix)
        if start.starts(with: Array("{1:".utf8)) || start.starts(with: Array(":20:".utf8)) { return true }
        let lines = prefix.split(whereSeparator: { $0 == 10 || $0 == 13 })
        func hasLine(_ tag: String) -> Bool { lines.contains { $0.starts(with: Array(tag.utf8)) } }
        return hasLine(":20:") && hasLine(":25:")
    }

    public static func reader(options: FormatOptions) -> DocumentReader? { MT940Reader(options: options) }
}

/// Reads statement files into one `statement` unit per message, streaming (one message in memory).
public struct MT940Reader: DocumentReader {
    public let encoding: TextEncoding
    public let checkBalances: Bool
    /// Whether `read` rejects an unbalanced statement (`strictBalances`); `validate` always reports it.
    public let rejectUnbalanced: Bool
    public let limits: ReaderLimits

    public init(options: FormatOptions = FormatOptions()) {
        encoding = options.encoding
        checkBalances = options["checkBalances"].map { !["false", "no", "0", "off"].contains($0.lowercased()) } ?? true
        rejectUnbalanced = checkBalances && options.strictBalances
        limits = options.limits
    }

    public func read(_ input: ByteReader, emit: (Node) throws -> Void) throws {
        var scanner = MessageScanner(input, encoding: encoding, limits: limits)
        let builder = StatementBuilder(checkBalances: rejectUnbalanced)
        var count = 0
        while let message = try scanner.next() {
            for statement in PracticeRules.prepare(message) { try emit(try builder.build(statement)) }
            count += 1
        }
        if count == 0 { throw Self.noStatement }
    }

    /// Every finding: each message is checked on its own, so one bad statement does not hide the next.
    public func validate(_ input: ByteReader) -> [FormatError] {
        var scanner = MessageScanner(input, encoding: encoding, limits: limits)
        let builder = StatementBuilder(checkBalances: checkBalances)
        var findings: [FormatError] = []
        var count = 0
        do {
            while let message = try scanner.next() {
                count += 1
                for statement in PracticeRules.prepare(message) {
                    do {
                        let unit = try builder.build(statement)
                        for w in unit.children where w.name == "warning" {
                            findings.append(FormatError("mt940.warning", w.value ?? "", line: w.line, column: w.column, severity: .warning))
                        }
                    } catch let error as FormatError { findings.append(error) }
                }
            }
        } catch let error as FormatError {
            return findings + [error]
        } catch {
            return findings + [FormatError("mt940.read", "\(error)")]
        }
        return count == 0 ? [Self.noStatement] : findings
    }

    private static let noStatement = FormatError("mt940.no-statement", "no MT940/MT942/MT950 message in the file (no :20: field found)",
                                                 line: 1, column: 1, segment: "20")
}
