import Foundation
import Canonical
import FormatKit
import Ledger
import Logging
import Mapping
import Transport

/// Takes one claimed file through its states. Every step is recorded in the ledger before or
/// together with its effect, so a process killed at any moment resumes where it stopped:
/// `received` → hash → duplicate? → translate (records + state in one transaction) →
/// `translated` → JSON Lines export and routes → archive → `archived`; failures → quarantine.
public final class Pipeline: @unchecked Sendable {
    // @unchecked: a pipeline is driven by one thread (the gateway loop or a CLI command).
    public let config: GatewayConfig
    public let ledger: Ledger
    public let translator: Translator
    let emitter: Emitter
    public internal(set) var logger: Logger
    let plugins: [any PipelinePlugin]

    public init(config: GatewayConfig, ledger: Ledger, mappings: MappingLibrary, logger: Logger,
                plugins: [any PipelinePlugin] = PluginRegistry.all) {
        self.plugins = plugins
        self.config = config
        self.ledger = ledger
        self.translator = Translator(mappings: mappings)
        self.emitter = Emitter(mappings: mappings, counters: LedgerCounters(ledger: ledger))
        self.logger = logger
    }

    // MARK: claim

    /// Moves a stable inbox file into `var/work/<partner>/<channel>/<claim>-<name>` by one atomic
    /// rename, then registers it. (A crash between the two leaves a work file without a ledger
    /// row, which recovery registers.) The claim prefix keeps every file in hand distinct.
    public func claim(_ path: String, channel: GatewayConfig.Channel) throws -> String {
        let name = (path as NSString).lastPathComponent
        let claim = String(UInt64(Date().timeIntervalSince1970 * 1_000_000), radix: 36)
        let work = "\(config.workDir)/\(channel.partner)/\(channel.name)/\(claim)-\(name)"
        try AtomicFile.move(path, to: work)
        return work
    }

    /// The dropped name of a work file (without its claim prefix).
    static func originalName(ofWorkFile path: String) -> String {
        let base = (path as NSString).lastPathComponent
        guard let dash = base.firstIndex(of: "-") else { return base }
        return String(base[base.index(after: dash)...])
    }

    // MARK: process

    /// Processes a work file from whatever state the ledger has for it.
    /// `fresh`: the file was claimed just now, so the ledger cannot know it yet.
    public func process(workPath: String, channel: GatewayConfig.Channel, originalName: String? = nil, fresh: Bool = false) {
        let started = Date()
        let name = originalName ?? Pipeline.originalName(ofWorkFile: workPath)
        var entry: FileEntry
        do {
            if !fresh, let existing = try ledger.file(workPath: workPath) {
                entry = existing
            } else {
                // Hashed before it is registered: one ledger write instead of two. (If hashing fails,
                // the received state does it again and reports why.)
                let hashed = try? hashFile(workPath)
                let size = hashed?.1 ?? ((try? FileManager.default.attributesOfItem(atPath: workPath)[.size] as? Int64) ?? nil)
                entry = try ledger.receive(partner: channel.partner, channel: channel.name, name: name, workPath: workPath,
                                           size: size, sha256: hashed?.0)
                log(entry, "received", started)
            }
        } catch {
            logger.error("ledger unavailable for \(workPath): \(error)")
            return
        }
        do {
            try advance(&entry, channel: channel, started: started)
        } catch {
            let report = ErrorReport(error, file: entry.name, sha256: entry.sha256, partner: entry.partner, format: entry.format ?? channel.format, stage: .commit)
            quarantine(&entry, report: report, started: started, channel: channel)
        }
    }

    private func advance(_ entry: inout FileEntry, channel: GatewayConfig.Channel, started: Date) throws {
        let id = entry.id!
        while true {
            switch entry.state {
            case .received:
                let fileExists = FileManager.default.fileExists(atPath: entry.workPath)
                guard fileExists else {
                    throw ErrorReport(file: entry.name, partner: entry.partner, stage: .pickup, code: "pickup.lost", message: "the claimed file is missing from \(entry.workPath)")
                }
                if entry.sha256 == nil {
                    let (sha, size) = try hashFile(entry.workPath)
                    try ledger.setHash(id, sha256: sha, size: size)
                    entry.sha256 = sha; entry.size = size
                }
                if let twin = try ledger.translatedTwin(partner: entry.partner, sha256: entry.sha256!, excluding: id) {
                    let target = finalPath(config.archiveDir, entry)
                    try ledger.finish(id, state: .duplicate, finalPath: target, duplicateOf: twin.id)
                    try AtomicFile.move(entry.workPath, to: target)
                    entry.state = .duplicate
                    log(entry, "duplicate of file \(twin.id!)", started)
                    return
                }
                for plugin in plugins { try plugin.beforeTranslate(entry, channel: channel, pipeline: self) }
                try translate(&entry, channel: channel)
            case .translated:
                try exportRecords(entry)
                let translated = entry
                let records = StoredRecords { [unowned self] in try storedRecords(translated) }
                for plugin in plugins { plugin.afterTranslate(entry, channel: channel, records: records, pipeline: self) }
                emitter.runRoutes(for: entry, config: config, ledger: ledger, logger: logger, takeOver: { records, route in
                    try plugins.contains { try $0.handleEmit(records, route: route, source: entry, pipeline: self) }
                }) { path, format, partner, channel in
                    for plugin in plugins { plugin.afterEmit(path, format: format, partner: partner, channel: channel, pipeline: self) }
                }
                let target = entry.finalPath ?? finalPath(config.archiveDir, entry)
                try ledger.finish(id, state: .archived, finalPath: target)
                if FileManager.default.fileExists(atPath: entry.workPath) { try AtomicFile.move(entry.workPath, to: target) }
                entry.state = .archived
                log(entry, "archived", started)
                return
            case .archived, .duplicate, .quarantined:
                // A crash after the ledger said where the file goes, before it went there.
                if FileManager.default.fileExists(atPath: entry.workPath), let target = entry.finalPath {
                    try AtomicFile.move(entry.workPath, to: target)
                }
                return
            }
        }
    }

    private func translate(_ entry: inout FileEntry, channel: GatewayConfig.Channel) throws {
        let id = entry.id!
        let job = Translator.Job(path: entry.workPath, fileName: entry.name, sha256: entry.sha256!, partner: entry.partner,
                                 channel: entry.channel, format: channel.format, mapping: channel.mapping, options: channel.options)
        var format = channel.format ?? ""
        let count = try ledger.commitTranslation(id) { sink in
            try translator.translate(job) { record in
                format = record.source?.format ?? format
                try sink.insert(id: record.id, type: record.type.rawValue, json: try JSONLines.line(record))
            }
            return format
        }
        entry.state = .translated
        entry.format = format
        entry.recordCount = count
    }

    /// A translated file's records, as stored.
    public func storedRecords(_ entry: FileEntry) throws -> [Record] {
        var records = [Record]()
        try ledger.forEachRecord(fileId: entry.id!) { records.append(try JSONLines.decode(line: $0)) }
        return records
    }

    /// Runs every plugin's periodic work.
    public func tick(now: Date = Date()) { for plugin in plugins { plugin.tick(now: now, pipeline: self) } }

    /// `outbox/records/<partner>/<channel>/<name>.<file id>.jsonl`, written whole (temp + rename), so
    /// a repeat after a crash replaces it instead of adding to it.
    func exportRecords(_ entry: FileEntry) throws {
        let path = "\(config.recordsDir)/\(entry.partner)/\(entry.channel)/\(entry.name).\(entry.id!).jsonl"
        var text = ""
        try ledger.forEachRecord(fileId: entry.id!) { text += $0; text += "\n" }
        try AtomicFile.write(Array(text.utf8), to: path)
    }

    func quarantine(_ entry: inout FileEntry, report: ErrorReport, started: Date, channel: GatewayConfig.Channel? = nil) {
        let target = finalPath(config.quarantineDir, entry, dated: false)
        do {
            try AtomicFile.write(Array((report.json + "\n").utf8), to: target + ".error.json")
            try ledger.finish(entry.id!, state: .quarantined, finalPath: target, error: report.json)
            if FileManager.default.fileExists(atPath: entry.workPath) { try AtomicFile.move(entry.workPath, to: target) }
            entry.state = .quarantined
            entry.finalPath = target
            if let channel { for plugin in plugins { plugin.afterQuarantine(entry, channel: channel, report: report, pipeline: self) } }
            logger.warning("\(entry.partner) \(entry.name) sha256=\(entry.sha256?.prefix(12) ?? "-") state=quarantined ms=\(ms(started)) \(report.description)")
        } catch {
            logger.error("cannot quarantine \(entry.workPath): \(error) (original error: \(report.description))")
        }
    }

    /// Archive: `var/archive/<yyyy-mm-dd>/<partner>/<channel>/<id>-<name>`; quarantine without the date.
    func finalPath(_ base: String, _ entry: FileEntry, dated: Bool = true) -> String {
        let day = dated ? "/" + Pipeline.dayFormatter.string(from: entry.receivedAt) : ""
        return "\(base)\(day)/\(entry.partner)/\(entry.channel)/\(entry.id!)-\(entry.name)"
    }

    static let dayFormatter: DateFormatter = {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd"
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        return f
    }()

    func log(_ e: FileEntry, _ state: String, _ started: Date) {
        logger.info("\(e.partner) \(e.name) sha256=\(e.sha256?.prefix(12) ?? "-") state=\(state) records=\(e.recordCount) ms=\(ms(started))")
    }

    // MARK: recovery

    /// At startup: finishes every file a previous run left in hand — whatever sits in `var/work/`
    /// (registered or not, in any state) and any ledger row still `received` or `translated`.
    public func recover() {
        removeStaleTempFiles(under: config.outbox)
        var handled = Set<String>()
        let work = config.workDir
        let fm = FileManager.default
        for p in ((try? fm.contentsOfDirectory(atPath: work)) ?? []).sorted() {
            for c in ((try? fm.contentsOfDirectory(atPath: "\(work)/\(p)")) ?? []).sorted() {
                for f in ((try? fm.contentsOfDirectory(atPath: "\(work)/\(p)/\(c)")) ?? []).sorted() where !f.hasPrefix(".") {
                    let path = "\(work)/\(p)/\(c)/\(f)"
                    handled.insert(path)
                    logger.info("recovering \(path)")
                    process(workPath: path, channel: config.channel(partner: p, name: c) ?? orphanChannel(p, c))
                }
            }
        }
        for entry in (try? ledger.files(in: [.received, .translated])) ?? [] where !handled.contains(entry.workPath) {
            process(workPath: entry.workPath, channel: config.channel(partner: entry.partner, name: entry.channel) ?? orphanChannel(entry.partner, entry.channel),
                    originalName: entry.name)
        }
    }

    /// Temp files of writes a killed run did not finish (`AtomicFile.write` renames only complete ones).
    func removeStaleTempFiles(under dir: String) {
        guard let walker = FileManager.default.enumerator(atPath: dir) else { return }
        for case let rel as String in walker where (rel as NSString).lastPathComponent.hasPrefix(AtomicFile.tempPrefix) {
            try? FileManager.default.removeItem(atPath: dir + "/" + rel)
        }
    }

    /// A channel that no longer exists in the config: its files go to quarantine with that reason.
    func orphanChannel(_ partner: String, _ channel: String) -> GatewayConfig.Channel {
        GatewayConfig.Channel(name: channel, partner: partner, path: "", format: "(channel removed from config)", mapping: nil,
                              options: FormatOptions(), pickup: config.pickup)
    }
}

func ms(_ since: Date) -> Int { Int(Date().timeIntervalSince(since) * 1000) }

/// SHA-256 and size of a file, streamed in chunks.
func hashFile(_ path: String) throws -> (String, Int64) {
    let input = try ByteReader(path: path)
    var hasher = SHA256Stream()
    var buffer = [UInt8]()
    var size: Int64 = 0
    while true {
        buffer.removeAll(keepingCapacity: true)
        let n = try input.read(appendingTo: &buffer)
        if n == 0 { break }
        size += Int64(n)
        hasher.update(buffer)
    }
    return (hasher.finalizeHex(), size)
}

/// Ledger counters as the writers' `CounterSource`.
public struct LedgerCounters: CounterSource {
    public let ledger: Ledger
    public init(ledger: Ledger) { self.ledger = ledger }
    public func next(_ name: String) throws -> Int64 { try ledger.nextCounter(name) }
    public func next(_ name: String, count: Int) throws -> Int64 { try ledger.nextCounter(name, count: count) }
}
