import Foundation
import Canonical
import FormatKit
import Ledger
import Logging
import Mapping
import Posting
import Transport

/// Writes canonical records as partner files: through a format's `RecordWriter`, or for tabular
/// formats (CSV) through an outbound mapping that turns records into rows.
public struct Emitter: Sendable {
    public let mappings: MappingLibrary
    public let counters: CounterSource

    public init(mappings: MappingLibrary, counters: CounterSource) { self.mappings = mappings; self.counters = counters }

    public struct Request: Sendable {
        public var format: String
        public var mapping: String?
        public var partner: String
        /// Partner settings, with command-line overrides already applied.
        public var settings: [String: String]
        public var options: FormatOptions
        public var now: Date

        public init(format: String, mapping: String? = nil, partner: String = "", settings: [String: String] = [:],
                    options: FormatOptions = FormatOptions(), now: Date = Date()) {
            self.format = format; self.mapping = mapping; self.partner = partner; self.settings = settings
            self.options = options; self.now = now
        }
    }

    /// All or nothing: every record is written, or an error says which could not be.
    public func emit(_ records: [Record], _ request: Request) throws -> [OutputFile] {
        guard let format = FormatRegistry.format(request.format) else {
            throw EmitError("unknown format \"\(request.format)\"; known: \(FormatRegistry.ids.joined(separator: ", "))")
        }
        let (initial, settings) = prepared(request)
        var options = initial
        let context = WriteContext(settings: settings, partner: request.partner, counters: counters, now: request.now, encoding: options.encoding)
        if let tabular = format as? any TabularFormat.Type {
            let mapping = try outboundMapping(request, records: records)
            for (k, v) in mapping.options where options.values[k] == nil { options.values[k] = v }
            var rows = [[String]]()
            for r in records {
                guard r.type == mapping.type else {
                    throw EmitError("record \(r.id) is a \(r.type.rawValue); mapping \(mapping.id) writes \(mapping.type.rawValue) records")
                }
                rows += try mapping.rows(for: r)
            }
            return [try tabular.tabularWriter(options: options).write(header: mapping.columns, rows: rows, context: context)]
        }
        guard let writer = format.writer(options: options) else { throw EmitError("format \(request.format) is read, not written") }
        return try writer.write(records, context: context)
    }

    /// The same from a stream of records: a format whose writer streams never holds them all
    /// (errors the stream throws, such as a line that does not decode, come through unchanged).
    public func emit(_ request: Request, records: RecordStream) throws -> [OutputFile] {
        if let format = FormatRegistry.format(request.format), !(format is any TabularFormat.Type) {
            let (options, settings) = prepared(request)
            if let streaming = format.writer(options: options) as? any StreamingRecordWriter {
                let context = WriteContext(settings: settings, partner: request.partner, counters: counters, now: request.now, encoding: options.encoding)
                return try streaming.write(context: context, records: records)
            }
        }
        var all = [Record]()
        try records { all.append($0) }
        return try emit(all, request)
    }

    /// The writer's options and settings: the partner's settings under the request's options, and
    /// the schemas installed with dropgate (make schemas / make install) when none are named.
    func prepared(_ request: Request) -> (options: FormatOptions, settings: [String: String]) {
        var options = request.options
        var settings = request.settings
        if request.format == "pain001", settings["xsdDirectory"] == nil, options["xsdDirectory"] == nil,
           let schemas = ResourceLocator().pain001Schemas(mappingsDir: mappings.directory) {
            settings["xsdDirectory"] = schemas
        }
        for (k, v) in settings where options.values[k] == nil { options.values[k] = v }
        return (options, settings)
    }

    func outboundMapping(_ request: Request, records: [Record]) throws -> Mapping {
        if let id = request.mapping {
            let m = try mappings.mapping(named: id)
            guard m.direction == .outbound, m.format == request.format else { throw EmitError("mapping \(id) is not an outbound \(request.format) mapping") }
            return m
        }
        let type = records.first?.type
        let candidates = mappings.mappings.values.filter { $0.direction == .outbound && $0.format == request.format && $0.type == type }.sorted { $0.id < $1.id }
        guard let m = candidates.first else {
            throw EmitError("format \(request.format) needs an outbound mapping (--mapping) for \(type?.rawValue ?? "these") records")
        }
        return m
    }

    /// The gateway's routes for one translated file: matching records are emitted into the target
    /// partner's outbox channel, once (a repeat after a crash finds the outbound row and skips).
    func runRoutes(for entry: FileEntry, config: GatewayConfig, ledger: Ledger, logger: Logger,
                   takeOver: (_ records: [Record], _ route: GatewayConfig.Route) throws -> Bool = { _, _ in false },
                   seal: (_ file: OutputFile, _ partner: String, _ channel: String) throws -> OutputFile = { file, _, _ in file },
                   emitted: (_ path: String, _ format: String, _ partner: String, _ channel: String) -> Void = { _, _, _, _ in }) {
        let routes = config.routes.filter { r in
            (r.fromPartner == nil || r.fromPartner == entry.partner) && (r.fromChannel == nil || r.fromChannel == entry.channel)
        }
        guard !routes.isEmpty, let fileId = entry.id else { return }
        var records = [Record]()
        do { try ledger.forEachRecord(fileId: fileId) { records.append(try JSONLines.decode(line: $0)) } } catch {
            logger.error("routes for \(FileNames.quoted(entry.name)): cannot read its records: \(error)")
            return
        }
        for route in routes {
            var selected = records.filter { route.fromType == nil || $0.type.rawValue == route.fromType }
            guard !selected.isEmpty else { continue }
            let base = (FileNames.safe(entry.name) as NSString).deletingPathExtension
            do {
                if try ledger.outboundExists(sourceFileId: fileId, route: route.name) { continue }
                if try takeOver(selected, route) {
                    try ledger.recordOutbound(partner: route.toPartner, channel: route.toChannel, format: route.format, name: "(handed to a plugin)",
                                              path: "", sourceFileId: fileId, route: route.name, recordCount: selected.count)
                    continue
                }
                if route.post {
                    // Voids and cancels reverse an entry posted from an earlier file: posting is
                    // deterministic, so the original invoice, found in the ledger, is posted again.
                    let poster = try Poster(rulesDirectory: mappings.directory + "/gl")
                    selected = try poster.post(records: selected) { number in
                        guard let original = try? ledger.invoiceRecord(number: number).flatMap({ try? JSONLines.decode(line: $0) }),
                              let entry = try? poster.post(records: [original]).first, case .journalEntry(let j) = entry.body else { return nil }
                        return j
                    }
                    if selected.isEmpty { continue }
                }
                let partner = config.partner(named: route.toPartner)
                var request = Request(format: route.format, mapping: route.mapping, partner: route.toPartner, settings: partner?.settings ?? [:])
                request.options.values["fileName"] = "\(base).\(fileId).\(route.format)"
                let files = try emit(selected, request)
                for written in files {
                    var f = written
                    if files.count == 1 && f.name == "records.csv" { f.name = "\(base).\(fileId).csv" }
                    f = try seal(f, route.toPartner, route.toChannel)
                    let name = f.name
                    let path = "\(config.outbox)/\(route.toPartner)/\(route.toChannel)/\(name)"
                    try AtomicFile.write(f.bytes, to: path)
                    try ledger.recordOutbound(partner: route.toPartner, channel: route.toChannel, format: route.format, name: name, path: path,
                                              sourceFileId: fileId, route: route.name, recordCount: selected.count)
                    emitted(path, route.format, route.toPartner, route.toChannel)
                    logger.info("\(route.toPartner) \(name) state=emitted route=\(route.name) records=\(selected.count)")
                }
            } catch {
                try? ledger.recordOutbound(partner: route.toPartner, channel: route.toChannel, format: route.format, name: "(failed)", path: "",
                                           sourceFileId: fileId, route: route.name, recordCount: 0, error: "\(error)")
                logger.error("route \(route.name) for \(FileNames.quoted(entry.name)): \(error)")
            }
        }
    }
}

public struct EmitError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ d: String) { description = d }
}
