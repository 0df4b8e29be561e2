import Foundation
import Canonical
import FormatKit
import Mapping
import Transport

/// Reads one file with its format's reader and maps each unit to a canonical record.
/// All or nothing: the caller receives records through `emit` but must only commit them once
/// `translate` returns without throwing.
public struct Translator: Sendable {
    public let mappings: MappingLibrary

    public init(mappings: MappingLibrary) { self.mappings = mappings }

    /// What to translate and as what.
    public struct Job: Sendable {
        public var path: String
        /// The name recorded in `source.file` (the original name, not a work-folder name).
        public var fileName: String
        public var sha256: String
        public var partner: String
        public var channel: String
        /// nil: detected from the content (or the mapping's format).
        public var format: String?
        /// nil: the format's default mappings, chosen per unit.
        public var mapping: String?
        public var options: FormatOptions

        public init(path: String, fileName: String? = nil, sha256: String, partner: String = "", channel: String = "",
                    format: String? = nil, mapping: String? = nil, options: FormatOptions = FormatOptions()) {
            self.path = path; self.fileName = fileName ?? (path as NSString).lastPathComponent; self.sha256 = sha256
            self.partner = partner; self.channel = channel; self.format = format; self.mapping = mapping; self.options = options
        }
    }

    /// Translates the file; returns the number of records. Throws an `ErrorReport`.
    @discardableResult
    public func translate(_ job: Job, emit: (Record) throws -> Void) throws(ErrorReport) -> Int {
        try units(job) { (mapping, mapped, source, context) throws in
            try emit(try typedRecord(mapping, mapped, source, context))
        }
    }

    /// The bytes path: each record as its canonical JSON line (UTF-8, with the newline), written
    /// without a typed `Record` where the mapping allows (`Mapping.writeLine`). The bytes are only
    /// valid during the call. Same records, ids, order and errors as `translate(_:emit:)`.
    @discardableResult
    public func translate(_ job: Job, lines: (_ id: String, _ type: RecordType, _ json: ArraySlice<UInt8>) throws -> Void) throws(ErrorReport) -> Int {
        var buffer = [UInt8]()
        buffer.reserveCapacity(4096)
        var head = RecordSchema.LineHead()
        return try units(job) { (mapping, mapped, source, context) throws in
            buffer.removeAll(keepingCapacity: true)
            if !mapping.writeLine(mapped, source: source, head: &head, to: &buffer) {
                try JSONLines.append(try typedRecord(mapping, mapped, source, context), to: &buffer)
            }
            try lines(source.recordID, mapping.type, buffer[...])
        }
    }

    /// What the typed path needs to report on a unit.
    struct UnitContext { let formatID: String; let line: Int; let options: FormatOptions }

    /// The typed record of a mapped unit, with the invariants checked (a statement's balance
    /// mismatch flagged in `extra` unless `strictBalances`).
    private func typedRecord(_ mapping: Mapping, _ mapped: Mapping.Mapped, _ source: RecordSource, _ c: UnitContext) throws -> Record {
        var record = try mapping.record(from: mapped, source: source)
        if case .statement = record.body, !c.options.strictBalances, let mismatch = record.invariantViolations().first {
            // Flagged, not rejected (see FormatOptions.strictBalances): the figures travel with the record.
            var extra = record.extra ?? JSONObject()
            extra["balanceMismatch"] = .string(mismatch)
            record.extra = extra
        } else if let violation = record.invariantViolations().first {
            throw ErrorReport(file: source.file, sha256: source.sha256, partner: source.partner, format: c.formatID, stage: .validate, code: "\(record.type.rawValue).invariant",
                              message: violation, line: c.line > 0 ? c.line : nil)
        }
        return record
    }

    /// Reads the file and maps each unit; `each` receives the mapped values.
    private func units(_ job: Job, each: (Mapping, Mapping.Mapped, RecordSource, UnitContext) throws -> Void) throws(ErrorReport) -> Int {
        var formatID = job.format
        func report(_ error: Error, _ stage: ErrorReport.Stage) -> ErrorReport {
            ErrorReport(error, file: job.fileName, sha256: job.sha256, partner: job.partner, format: formatID, stage: stage)
        }
        do {
            let explicitMapping = try job.mapping.map { try mappings.mapping(named: $0) }
            let input = try ByteReader(path: job.path)
            let prefix = try input.peek(4096)
            if prefix.isEmpty { throw ErrorReport(file: job.fileName, sha256: job.sha256, partner: job.partner, format: formatID, stage: .read, code: "input.empty", message: "the file is empty (0 bytes)") }
            if formatID == nil { formatID = FormatRegistry.detect(prefix)?.id ?? explicitMapping?.format }
            guard let formatID, let format = FormatRegistry.format(formatID) else {
                throw ErrorReport(file: job.fileName, sha256: job.sha256, partner: job.partner, format: formatID, stage: .detect, code: "format.unknown",
                                  message: formatID.map { "unknown format \"\($0)\"; known: \(FormatRegistry.ids.joined(separator: ", "))" }
                                    ?? "cannot tell the format from the content; name it with --format (known: \(FormatRegistry.ids.joined(separator: ", "))) or give a mapping")
            }
            if let m = explicitMapping, m.format != formatID {
                throw ErrorReport(file: job.fileName, sha256: job.sha256, partner: job.partner, format: formatID, stage: .map, code: "mapping.format",
                                  message: "mapping \(m.id) is for format \(m.format), but the file is \(formatID)")
            }
            var options = job.options
            for (k, v) in explicitMapping?.options ?? [:] where options.values[k] == nil { options.values[k] = v }
            if options.partner.isEmpty { options.partner = job.partner }
            if options.mappingsDirectory == nil { options.mappingsDirectory = mappings.directory }
            guard let reader = format.reader(options: options) else {
                throw ErrorReport(file: job.fileName, sha256: job.sha256, partner: job.partner, format: formatID, stage: .read, code: "format.no-reader", message: "format \(formatID) is written, not read")
            }
            // One default mapping list per file, not per unit.
            let defaults = explicitMapping == nil ? mappings.defaults(format: formatID) : []
            var index = 0
            try reader.read(input) { unit in
                guard let mapping = explicitMapping ?? defaults.first(where: { $0.matches(unit) }) else {
                    throw ErrorReport(file: job.fileName, sha256: job.sha256, partner: job.partner, format: formatID, stage: .map, code: "mapping.none",
                                      message: "no mapping for this \(unit.name) of format \(formatID); name one with --mapping or in the channel",
                                      line: unit.line > 0 ? unit.line : nil)
                }
                let source = RecordSource(partner: job.partner, channel: job.channel, format: formatID, file: job.fileName, sha256: job.sha256, index: index)
                try each(mapping, try mapping.map(unit), source, UnitContext(formatID: formatID, line: unit.line, options: options))
                index += 1
            }
            return index
        } catch let e as ErrorReport {
            throw e
        } catch {
            throw report(error, error is MappingError ? .map : (error is MappingDefinitionError ? .map : .read))
        }
    }
}

/// SHA-256 of a file, streamed (hex).
public func sha256Hex(ofFileAt path: String) throws -> String { try hashFile(path).0 }
