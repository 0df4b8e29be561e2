import Foundation
import Canonical

/// Per-channel options for a format: the channel's declared encoding and format-specific switches
/// (`allowMissingFileControl: true`, `dialect: ing`…), as written under the channel in gateway.yaml.
public struct FormatOptions: Sendable {
    public var encoding: TextEncoding
    public var values: [String: String]
    /// Whose file is read (a format may narrow its rules per partner, as X12 companion guides do).
    public var partner = ""
    /// The mappings folder in use: option values that name files (`grammars: x12/grammar`) are
    /// found below it.
    public var mappingsDirectory: String?

    public init(encoding: TextEncoding = .utf8, values: [String: String] = [:]) {
        self.encoding = encoding; self.values = values
    }

    public subscript(_ key: String) -> String? { values[key] }

    /// `strictBalances: true`: a statement whose opening balance plus its lines differs from its
    /// closing balance is rejected (the file goes to quarantine). By default it is still read and
    /// its record carries `extra.balanceMismatch` naming both figures; `validate` always reports it
    /// as an error.
    public var strictBalances: Bool { flag("strictBalances") }
    /// Line, field, segment, XML depth and attribute limits (`maxLineBytes`, `maxFieldBytes`,
    /// `maxSegments`, `maxXMLDepth`, `maxXMLAttributes`; see `ReaderLimits`).
    public var limits: ReaderLimits { ReaderLimits(values) }
    public func flag(_ key: String) -> Bool { ["true", "yes", "1", "on"].contains(values[key]?.lowercased() ?? "") }
}

/// Reads a format's bytes into document trees, one unit at a time, streaming.
public protocol DocumentReader {
    /// Reads the whole input and hands each finished unit to `emit`. Throws the first `FormatError`;
    /// nothing of a file is committed unless the whole file reads.
    func read(_ input: ByteReader, emit: (Node) throws -> Void) throws
    /// Every finding in the input, not just the first (for `dropgate validate`).
    func validate(_ input: ByteReader) -> [FormatError]
}

extension DocumentReader {
    public func validate(_ input: ByteReader) -> [FormatError] {
        do { try read(input) { _ in }; return [] } catch let e as FormatError { return [e] } catch let e as FormatErrors { return e.errors } catch {
            return [FormatError("read.failed", "\(error)")]
        }
    }
}

/// A numbered sequence the ledger keeps (trace numbers, control numbers, file ID modifiers),
/// never reused and gap-free per name.
public protocol CounterSource: Sendable {
    func next(_ name: String) throws -> Int64
    /// Takes `count` (≥ 1) consecutive values at once and returns the first: what `count` calls of
    /// `next` would have returned, in one step (one ledger transaction for a file's trace numbers).
    func next(_ name: String, count: Int) throws -> Int64
}

extension CounterSource {
    public func next(_ name: String, count: Int) throws -> Int64 {
        let first = try next(name)
        for _ in 1..<max(count, 1) { _ = try next(name) }
        return first
    }
}

/// In-memory counters for tests and one-shot CLI runs without a ledger.
public final class MemoryCounters: CounterSource, @unchecked Sendable {
    private var values: [String: Int64] = [:]
    private let lock = NSLock()
    public init() {}
    public func next(_ name: String) throws -> Int64 { try next(name, count: 1) }
    public func next(_ name: String, count: Int) throws -> Int64 {
        lock.lock(); defer { lock.unlock() }
        let first = (values[name] ?? 0) + 1
        values[name] = first + Int64(max(count, 1)) - 1
        return first
    }
}

/// What a writer needs besides the records: partner settings, counters, the clock.
public struct WriteContext: Sendable {
    /// Partner settings from gateway.yaml (`immediateDestination`, `isaSenderId`…) and CLI overrides.
    public var settings: [String: String]
    public var partner: String
    public var counters: CounterSource
    public var now: Date
    public var timeZone: TimeZone
    public var encoding: TextEncoding

    public init(settings: [String: String] = [:], partner: String = "", counters: CounterSource = MemoryCounters(),
                now: Date = Date(), timeZone: TimeZone = .current, encoding: TextEncoding = .utf8) {
        self.settings = settings; self.partner = partner; self.counters = counters
        self.now = now; self.timeZone = timeZone; self.encoding = encoding
    }
}

/// One file a writer produced.
public struct OutputFile: Sendable {
    public var name: String
    public var bytes: [UInt8]
    public init(name: String, bytes: [UInt8]) { self.name = name; self.bytes = bytes }
}

/// Writes canonical records in a partner's format.
public protocol RecordWriter {
    /// All-or-nothing: throws (writing nothing) if any record cannot be written.
    func write(_ records: [Record], context: WriteContext) throws -> [OutputFile]
}

/// Records handed over one at a time: the stream calls its argument once per record, in order
/// (a JSON Lines file decoded line by line, say), so nobody holds them all.
public typealias RecordStream = ((Record) throws -> Void) throws -> Void

/// A writer that takes its records as a stream and keeps only what its file needs, so memory
/// stays flat however many records there are. Same all-or-nothing contract as `RecordWriter`.
public protocol StreamingRecordWriter: RecordWriter {
    func write(context: WriteContext, records: RecordStream) throws -> [OutputFile]
}

extension StreamingRecordWriter {
    public func write(_ records: [Record], context: WriteContext) throws -> [OutputFile] {
        try write(context: context) { each in for r in records { try each(r) } }
    }
}

/// A format family as the gateway knows it: an id, content detection, a reader and/or a writer.
/// The gateway's registry lists these; adding a format is one folder and one registry line.
public protocol Format: Sendable {
    /// `csv`, `mt940`, `nacha`, `x12`, `camt053`, `pain001`, `tw-einvoice`, `gl-csv`…
    static var id: String { get }
    static var summary: String { get }
    /// Whether these first bytes look like this format (for `translate` without `--format`).
    static func detect(_ prefix: [UInt8]) -> Bool
    static func reader(options: FormatOptions) -> DocumentReader?
    static func writer(options: FormatOptions) -> RecordWriter?
    /// What is wrong with a channel's options for this format, checked when the config loads
    /// (a folder an option names that is not there…); empty when nothing is.
    static func problems(options: FormatOptions) -> [String]
}

extension Format {
    public static func problems(options: FormatOptions) -> [String] { [] }
    public static func detect(_ prefix: [UInt8]) -> Bool { false }
    public static func reader(options: FormatOptions) -> DocumentReader? { nil }
    public static func writer(options: FormatOptions) -> RecordWriter? { nil }
}

/// Bytes with a UTF-8 BOM and leading whitespace skipped: where detection should look.
public func significantPrefix(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
    var s = bytes[...]
    if s.starts(with: [0xEF, 0xBB, 0xBF]) { s = s.dropFirst(3) }
    while let f = s.first, f == 32 || f == 9 || f == 10 || f == 13 || f == 1 { s = s.dropFirst() }
    return s
}

/// Writes rows (column name → text, in column order) as a table: CSV-like outbound formats, fed by
/// an outbound mapping that turns canonical records into rows.
public protocol TabularWriter {
    func write(header: [String], rows: [[String]], context: WriteContext) throws -> OutputFile
}

/// A format that can write tables (see `TabularWriter`).
public protocol TabularFormat: Format {
    static func tabularWriter(options: FormatOptions) -> TabularWriter
}
