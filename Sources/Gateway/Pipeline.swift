import Foundation
import Canonical
import FormatKit
import Ledger
import Logging
import Mapping
import Transport
#if canImport(Glibc)
import Glibc
#endif

/// Takes one claimed file through its states. Every step is recorded in the ledger before or
/// together with its effect, so a process killed at any moment resumes where it stopped:
/// `received` → hash → duplicate? → translate (records + state in one transaction) →
/// `translated` → JSON Lines export and routes → archive → `archived`; failures → quarantine.
public final class Pipeline: @unchecked Sendable {
    // @unchecked: a pipeline is driven by one thread (the gateway loop or a CLI command).
    public let config: GatewayConfig
    public let ledger: Ledger
    public private(set) var translator: Translator
    private(set) var emitter: Emitter
    public internal(set) var logger: Logger
    let plugins: [any PipelinePlugin]
    /// Told of every file that reached a final state, with when its processing began (the console's
    /// metrics); set before the gateway runs.
    public var onFinished: (@Sendable (FileEntry, _ started: Date) -> Void)?

    public init(config: GatewayConfig, ledger: Ledger, mappings: MappingLibrary, logger: Logger,
                plugins: [any PipelinePlugin] = PluginRegistry.all) {
        self.plugins = plugins
        self.config = config
        self.ledger = ledger
        self.translator = Translator(mappings: mappings)
        self.emitter = Emitter(mappings: mappings, counters: LedgerCounters(ledger: ledger))
        self.logger = logger
    }

    /// Translates and emits with `mappings` from the next file on (a reloaded mappings folder).
    func use(mappings: MappingLibrary) {
        translator = Translator(mappings: mappings)
        emitter = Emitter(mappings: mappings, counters: emitter.counters)
    }

    // MARK: claim

    /// What became of an inbox entry the gateway looked at.
    public enum Claim {
        /// Registered as `received` and moved into `var/work` under a name made from its ledger id.
        case claimed(FileEntry)
        /// Not a regular file: recorded once as `rejected` (and moved aside), never opened.
        case rejected
        /// Changed while being claimed: looked at again on the next scan.
        case changed
    }

    /// Claims a file by path (a name that is text). Throws if it is not a regular file.
    public func claim(_ path: String, channel: GatewayConfig.Channel) throws -> String {
        let folder = (path as NSString).deletingLastPathComponent
        guard case .claimed(let entry) = try claim(folder: folder, name: Array((path as NSString).lastPathComponent.utf8), channel: channel) else {
            throw TransportError("cannot claim \(FileNames.quoted(path)): not a regular file (rejected)")
        }
        return entry.workPath
    }

    /// Takes the entry `name` (bytes) of `folder`. Only a regular file is opened — without following
    /// a link and without blocking — and its type is checked on the opened descriptor. The file is
    /// hashed from that descriptor (at most the channel's size limit), registered in the ledger,
    /// then moved into `var/work/<partner>/<channel>/<ledger id>` by one atomic rename. (A crash
    /// between the two leaves a `received` row whose file is still in the inbox; recovery claims it.)
    public func claim(folder: String, name: [UInt8], channel: GatewayConfig.Channel) throws -> Claim {
        let path = Array(folder.utf8) + [0x2F] + name
        var st = stat()
        guard lstatBytes(path, &st) == 0 else { return .changed }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            try reject(folder: folder, name: name, channel: channel, st: st, reason: FileNames.kind(of: st.st_mode))
            return .rejected
        }
        let fd = openRegularBytes(path)
        if fd < 0 {
            if errno == ELOOP { try reject(folder: folder, name: name, channel: channel, st: st, reason: "a symbolic link"); return .rejected }
            return .changed
        }
        defer { close(fd) }
        var opened = stat()
        guard fstat(fd, &opened) == 0, (opened.st_mode & S_IFMT) == S_IFREG, opened.st_ino == st.st_ino, opened.st_dev == st.st_dev else { return .changed }
        let hashed = Int64(opened.st_size) <= channel.limits.fileSize ? try? hashDescriptor(fd, limit: channel.limits.fileSize) : nil
        let display = FileNames.ledgerName(name)
        let workFolder = "\(config.workDir)/\(channel.partner)/\(channel.name)"
        let entry = try ledger.receive(partner: channel.partner, channel: channel.name, name: display.name, rawName: display.raw,
                                       size: hashed?.1 ?? Int64(opened.st_size), sha256: hashed?.0) { "\(workFolder)/\($0)" }
        try FileManager.default.createDirectory(atPath: workFolder, withIntermediateDirectories: true)
        guard renameBytes(path, Array(entry.workPath.utf8)) == 0 else {
            let reason = "cannot claim: \(String(cString: strerror(errno)))"
            try ledger.finish(entry.id!, state: .rejected, finalPath: nil, error: reason)
            throw TransportError("cannot claim \(FileNames.quoted(display.name)) into \(entry.workPath): \(reason)")
        }
        var moved = stat()
        if lstat(entry.workPath, &moved) != 0 || moved.st_ino != opened.st_ino || moved.st_dev != opened.st_dev {
            // Replaced between the open and the rename: hash what was actually claimed.
            if let (sha, size) = try? hashFile(entry.workPath) { try ledger.setHash(entry.id!, sha256: sha, size: size) }
        }
        return .claimed(try ledger.file(id: entry.id!) ?? entry)
    }

    /// Records a non-regular inbox entry once (keyed by its device and inode) and moves it aside
    /// into `var/quarantine/<partner>/<channel>/<id>-<name>.rejected`; it is never opened.
    func reject(folder: String, name: [UInt8], channel: GatewayConfig.Channel, st: stat, reason: String) throws {
        let display = FileNames.ledgerName(name)
        let key = "rejected:\(channel.partner)/\(channel.name)/\(FileNames.escaped(name))@\(st.st_dev):\(st.st_ino)"
        if try ledger.file(workPath: key) != nil { return }
        let message = "\(FileNames.quoted(display.name)) is \(reason), not a regular file: not read"
        let target = "\(config.quarantineDir)/\(channel.partner)/\(channel.name)"
        var entry = try ledger.reject(partner: channel.partner, channel: channel.name, name: display.name, rawName: display.raw,
                                      key: key, reason: message, finalPath: nil)
        let final = "\(target)/\(entry.id!)-\(FileNames.safe(display.name)).rejected"
        try? FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        if renameBytes(Array(folder.utf8) + [0x2F] + name, Array(final.utf8)) == 0 {
            try ledger.finish(entry.id!, state: .rejected, finalPath: final)
            entry.finalPath = final
        }
        logger.warning("\(channel.partner)/\(channel.name) \(FileNames.quoted(display.name)) → rejected: \(reason), not a regular file\(entry.finalPath.map { ", moved to " + $0 } ?? "")")
    }

    /// The dropped name of a work file from before claims were named by ledger id (`<claim>-<name>`).
    static func originalName(ofWorkFile path: String) -> String {
        let base = (path as NSString).lastPathComponent
        guard let dash = base.firstIndex(of: "-") else { return base }
        return String(base[base.index(after: dash)...])
    }

    // MARK: process

    /// A file that waits for its translation: the job, and its entry and channel to finish with.
    public struct Pending: Sendable {
        public var entry: FileEntry
        public let channel: GatewayConfig.Channel
        public let job: Translator.Job
        let started: Date
    }

    /// How a translation outside this process ended.
    public enum Outcome: Sendable {
        /// The records are in `inline` or else in `recordFile` (see `RecordFile`), in order.
        case records(format: String, count: Int, recordFile: String, inline: [UInt8]?)
        case failed(ErrorReport)
        /// The gateway stopped it (shutdown); the file stays `received` for the next run.
        /// `started`: a worker had it (its attempt is taken back).
        case cancelled(started: Bool)
    }

    /// Processes a work file from whatever state the ledger has for it, translating in this process.
    /// `fresh`: the file was claimed just now, outside `claim` (the ledger may not know it yet).
    public func process(workPath: String, channel: GatewayConfig.Channel, originalName: String? = nil, fresh: Bool = false) {
        guard let pending = begin(workPath: workPath, channel: channel, originalName: originalName, fresh: fresh) else { return }
        var entry = pending.entry
        do {
            try ledger.beginAttempt(entry.id!)
            try translate(&entry, channel: channel, job: pending.job)
            try advance(&entry, channel: channel, started: pending.started)
        } catch {
            let report = ErrorReport(error, file: entry.name, sha256: entry.sha256, partner: entry.partner, format: entry.format ?? channel.format, stage: .commit)
            quarantine(&entry, report: report, started: pending.started, channel: channel)
        }
    }

    /// Takes a work file as far as it goes without translating: returns what is left to translate,
    /// or nil when the file reached a final state (or the ledger is unavailable).
    public func begin(workPath: String, channel: GatewayConfig.Channel, originalName: String? = nil, fresh: Bool = false) -> Pending? {
        let started = Date()
        let name = originalName ?? Pipeline.originalName(ofWorkFile: workPath)
        var entry: FileEntry
        do {
            if let existing = try ledger.file(workPath: workPath) {
                entry = existing
            } else {
                // A work file from before claims were named by ledger id (or an outside claim).
                let hashed = try? hashFile(workPath)
                let size = hashed?.1 ?? ((try? FileManager.default.attributesOfItem(atPath: workPath)[.size] as? Int64) ?? nil)
                entry = try ledger.receive(partner: channel.partner, channel: channel.name, name: name, workPath: workPath,
                                           size: size, sha256: hashed?.0)
            }
        } catch {
            logger.error("ledger unavailable for \(workPath): \(error)")
            return nil
        }
        do {
            if let job = try advance(&entry, channel: channel, started: started) {
                return Pending(entry: entry, channel: channel, job: job, started: started)
            }
        } catch {
            let report = ErrorReport(error, file: entry.name, sha256: entry.sha256, partner: entry.partner, format: entry.format ?? channel.format, stage: .commit)
            quarantine(&entry, report: report, started: started, channel: channel)
        }
        return nil
    }

    /// Finishes a file whose translation ran elsewhere (a worker): commits its records in the
    /// file's one transaction, then exports, routes and archives it; a failure quarantines it.
    public func finish(_ pending: Pending, outcome: Outcome) { finish([(pending, outcome)]) }

    /// Group commit of finished translations: every file's records in one durable ledger
    /// transaction (a savepoint each, so one file's failure stores nothing of it and spares the
    /// others); only then is each file exported, routed and archived. (The JSON Lines exports are
    /// not flushed one by one: the ledger holds the records, and a file not yet archived is
    /// exported again on recovery.)
    public func finish(_ batch: [(Pending, Outcome)]) {
        struct Commit { var entry: FileEntry; let pending: Pending; let format: String; let recordFile: String; let inline: [UInt8]? }
        var commits = [Commit](), later = [(Pending, Outcome)]()
        var contents = Set<String>()
        for (pending, outcome) in batch {
            var entry = pending.entry
            do {
                switch outcome {
                case .cancelled(let started):
                    if started { try ledger.cancelAttempt(entry.id!) }
                case .failed(let report):
                    quarantine(&entry, report: report, started: pending.started, channel: pending.channel)
                case .records(let format, let count, let recordFile, let inline):
                    // Two files with the same content in one batch: the second waits for the first.
                    if !contents.insert("\(entry.partner)/\(entry.sha256 ?? "")").inserted { later.append((pending, outcome)); continue }
                    // A twin translated while this one was in a worker.
                    if try archiveIfDuplicate(&entry, started: pending.started) { if inline == nil { unlink(recordFile) }; continue }
                    if count == 0 && !pending.channel.allowEmpty { if inline == nil { unlink(recordFile) }; throw noRecords(entry) }
                    commits.append(Commit(entry: entry, pending: pending, format: format, recordFile: recordFile, inline: inline))
                }
            } catch {
                fail(&entry, error, pending)
            }
        }
        var results: [Result<Int, Error>]
        do {
            results = try ledger.commitTranslations(commits.map { c in
                (id: c.entry.id!, body: { sink in
                    if let inline = c.inline {
                        try RecordFile.read(bytes: inline) { id, type, json in try sink.insert(id: id, type: type, json: json) }
                    } else {
                        try RecordFile.read(c.recordFile) { id, type, json in try sink.insert(id: id, type: type, json: json) }
                    }
                    return c.format
                })
            })
        } catch {
            results = commits.map { _ in .failure(error) }
        }
        var translated = [Commit]()
        for (var c, result) in zip(commits, results) {
            if c.inline == nil { unlink(c.recordFile) }
            do {
                c.entry.recordCount = try result.get()
                c.entry.state = .translated
                c.entry.format = c.format
                try exportRecords(c.entry, sync: false)
                translated.append(c)
            } catch {
                fail(&c.entry, error, c.pending)
            }
        }
        for var c in translated {
            do { try advance(&c.entry, channel: c.pending.channel, started: c.pending.started, exported: true) } catch { fail(&c.entry, error, c.pending) }
        }
        if !later.isEmpty { finish(later) }
    }

    private func fail(_ entry: inout FileEntry, _ error: Error, _ pending: Pending) {
        let report = ErrorReport(error, file: entry.name, sha256: entry.sha256, partner: entry.partner, format: entry.format ?? pending.channel.format, stage: .commit)
        quarantine(&entry, report: report, started: pending.started, channel: pending.channel)
    }

    func noRecords(_ entry: FileEntry) -> ErrorReport {
        ErrorReport(file: entry.name, sha256: entry.sha256, partner: entry.partner, format: entry.format, stage: .read, code: "input.no-records",
                    message: "the file holds no records (allow such files with `allowEmpty: true` on the channel)")
    }

    /// Moves the file on from its state; returns the job when it needs translating next.
    @discardableResult
    private func advance(_ entry: inout FileEntry, channel: GatewayConfig.Channel, started: Date, exported: Bool = false) throws -> Translator.Job? {
        let id = entry.id!
        while true {
            switch entry.state {
            case .received:
                if !fileExists(entry.workPath) { try reclaim(&entry, channel: channel) }
                if entry.attempts >= channel.pickup.poisonAfter {
                    throw ErrorReport(file: entry.name, sha256: entry.sha256, partner: entry.partner, format: channel.format, stage: .read, code: "reader.poison",
                                      message: "the gateway stopped \(entry.attempts) times while translating this file; it is not tried again")
                }
                if let size = entry.size, size > channel.limits.fileSize {
                    throw ErrorReport(file: entry.name, partner: entry.partner, format: channel.format, stage: .pickup, code: "input.too-large",
                                      message: "the file has \(size) bytes, over the channel's limit of \(channel.limits.fileSize) (limits.fileSize); not read")
                }
                if entry.sha256 == nil {
                    let (sha, size) = try hashFile(entry.workPath, limit: channel.limits.fileSize)
                    try ledger.setHash(id, sha256: sha, size: size)
                    entry.sha256 = sha; entry.size = size
                }
                if try archiveIfDuplicate(&entry, started: started) { return nil }
                for plugin in plugins { try plugin.beforeTranslate(entry, channel: channel, pipeline: self) }
                if entry.size == 0 {
                    guard channel.allowEmpty else {
                        throw ErrorReport(file: entry.name, sha256: entry.sha256, partner: entry.partner, format: channel.format, stage: .read,
                                          code: "input.empty", message: "the file is empty (0 bytes)")
                    }
                    try ledger.commitTranslation(id) { _ in channel.format ?? "" }
                    entry.state = .translated
                    continue
                }
                var input = entry.workPath
                for plugin in plugins { if let other = try plugin.translationInput(entry, channel: channel, pipeline: self) { input = other } }
                return Translator.Job(path: input, fileName: entry.name, sha256: entry.sha256!, partner: entry.partner,
                                      channel: entry.channel, format: channel.format, mapping: channel.mapping, options: channel.options)
            case .translated:
                if !exported { try exportRecords(entry) }
                let translated = entry
                let records = StoredRecords { [unowned self] in try storedRecords(translated) }
                for plugin in plugins { plugin.afterTranslate(entry, channel: channel, records: records, pipeline: self) }
                emitter.runRoutes(for: entry, config: config, ledger: ledger, logger: logger, takeOver: { records, route in
                    try plugins.contains { try $0.handleEmit(records, route: route, source: entry, pipeline: self) }
                }, seal: { file, partner, channel in
                    try plugins.reduce(file) { try $1.sealOutbound($0, partner: partner, channel: channel, pipeline: self) ?? $0 }
                }) { path, format, partner, channel in
                    for plugin in plugins { plugin.afterEmit(path, format: format, partner: partner, channel: channel, pipeline: self) }
                }
                let target = entry.finalPath ?? finalPath(config.archiveDir, entry)
                try ledger.finish(id, state: .archived, finalPath: target)
                if fileExists(entry.workPath) { try AtomicFile.move(entry.workPath, to: target) }
                entry.state = .archived
                entry.finalPath = target
                log(entry, "archived", started)
                return nil
            case .archived, .duplicate, .quarantined, .rejected:
                // A crash after the ledger said where the file goes, before it went there.
                if fileExists(entry.workPath), let target = entry.finalPath {
                    try AtomicFile.move(entry.workPath, to: target)
                }
                return nil
            }
        }
    }

    /// Archives the file as `duplicate` if the same partner's same content was translated before.
    private func archiveIfDuplicate(_ entry: inout FileEntry, started: Date) throws -> Bool {
        let id = entry.id!
        guard let sha = entry.sha256, let twin = try ledger.translatedTwin(partner: entry.partner, sha256: sha, excluding: id) else { return false }
        let target = finalPath(config.archiveDir, entry)
        try ledger.finish(id, state: .duplicate, finalPath: target, duplicateOf: twin.id)
        try AtomicFile.move(entry.workPath, to: target)
        entry.state = .duplicate
        entry.finalPath = target
        log(entry, "duplicate of file \(twin.id!)", started)
        return true
    }

    /// A `received` file that is not in `var/work`: the process died between registering it and the
    /// rename, so it is still in the inbox under its dropped name — claimed now (and hashed again).
    private func reclaim(_ entry: inout FileEntry, channel: GatewayConfig.Channel) throws {
        let name = entry.rawName.map { [UInt8]($0) } ?? Array(entry.name.utf8)
        let inbox = Array(channel.path.utf8) + [0x2F] + name
        var st = stat()
        guard !channel.path.isEmpty, lstatBytes(inbox, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw ErrorReport(file: entry.name, partner: entry.partner, stage: .pickup, code: "pickup.lost", message: "the claimed file is missing from \(entry.workPath)")
        }
        try FileManager.default.createDirectory(atPath: (entry.workPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard renameBytes(inbox, Array(entry.workPath.utf8)) == 0 else {
            throw ErrorReport(file: entry.name, partner: entry.partner, stage: .pickup, code: "pickup.lost", message: "cannot claim it again: \(String(cString: strerror(errno)))")
        }
        entry.sha256 = nil
    }

    private func translate(_ entry: inout FileEntry, channel: GatewayConfig.Channel, job: Translator.Job) throws {
        let id = entry.id!
        var format = channel.format ?? ""
        let count = try ledger.commitTranslation(id) { sink in
            try translator.translate(job) { record in
                format = record.source?.format ?? format
                try sink.insert(id: record.id, type: record.type.rawValue, json: try JSONLines.line(record))
            }
            if sink.count == 0 && !channel.allowEmpty { throw noRecords(entry) }
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
    func exportRecords(_ entry: FileEntry, sync: Bool = true) throws {
        let path = "\(config.recordsDir)/\(entry.partner)/\(entry.channel)/\(FileNames.safe(entry.name)).\(entry.id!).jsonl"
        try AtomicFile.write(to: path, sync: sync) { put in
            var chunk = [UInt8]()
            chunk.reserveCapacity(1 << 16)
            try ledger.forEachRecord(fileId: entry.id!) { line in
                chunk.append(contentsOf: line.utf8); chunk.append(0x0A)
                if chunk.count >= 1 << 16 { try put(chunk); chunk.removeAll(keepingCapacity: true) }
            }
            try put(chunk)
        }
    }

    func quarantine(_ entry: inout FileEntry, report: ErrorReport, started: Date, channel: GatewayConfig.Channel? = nil) {
        let target = finalPath(config.quarantineDir, entry, dated: false)
        do {
            try AtomicFile.write(Array((report.json + "\n").utf8), to: target + ".error.json")
            try ledger.finish(entry.id!, state: .quarantined, finalPath: target, error: report.json)
            if fileExists(entry.workPath) { try AtomicFile.move(entry.workPath, to: target) }
            entry.state = .quarantined
            entry.finalPath = target
            if let channel { for plugin in plugins { plugin.afterQuarantine(entry, channel: channel, report: report, pipeline: self) } }
            onFinished?(entry, started)
            logger.warning("\(entry.partner)/\(entry.channel) \(FileNames.quoted(entry.name)) → quarantined, \(ms(started)) ms: \(FileNames.printable(FormatError.located(report.message, code: report.code, line: report.line, column: report.column, segment: report.segment, field: report.field))) (\(target).error.json)")
        } catch {
            logger.error("cannot quarantine \(entry.workPath): \(error) (original error: \(report.description))")
        }
    }

    /// Archive: `var/archive/<yyyy-mm-dd>/<partner>/<channel>/<id>-<name>`; quarantine without the date.
    func finalPath(_ base: String, _ entry: FileEntry, dated: Bool = true) -> String {
        let day = dated ? "/" + Pipeline.dayFormatter.string(from: entry.receivedAt) : ""
        return "\(base)\(day)/\(entry.partner)/\(entry.channel)/\(entry.id!)-\(FileNames.safe(entry.name))"
    }

    static let dayFormatter: DateFormatter = {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd"
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        return f
    }()

    /// The one summary line per file: `partner/channel "name" → state, N records, ms`.
    func log(_ e: FileEntry, _ state: String, _ started: Date) {
        let place = e.finalPath.map { " (\($0))" } ?? ""
        onFinished?(e, started)
        logger.info("\(e.partner)/\(e.channel) \(FileNames.quoted(e.name)) → \(state), \(e.recordCount) records, \(ms(started)) ms, sha256 \(e.sha256?.prefix(12) ?? "-")\(place)")
    }

    // MARK: recovery

    /// What a previous run left in hand: every file in `var/work/` (registered or not, in any
    /// state) and every ledger row still `received` or `translated`, each with its channel.
    public func leftInHand() -> [(workPath: String, channel: GatewayConfig.Channel, originalName: String?)] {
        removeStaleTempFiles(under: config.outbox)
        removeStaleTempFiles(under: config.workDir)
        var found = [(workPath: String, channel: GatewayConfig.Channel, originalName: String?)]()
        var handled = Set<String>()
        let work = config.workDir
        let fm = FileManager.default
        for p in ((try? fm.contentsOfDirectory(atPath: work)) ?? []).sorted() {
            for c in ((try? fm.contentsOfDirectory(atPath: "\(work)/\(p)")) ?? []).sorted() {
                let names = ((try? fm.contentsOfDirectory(atPath: "\(work)/\(p)/\(c)")) ?? []).filter { !$0.hasPrefix(".") }
                for f in names.sorted(by: { (Int64($0) ?? .max, $0) < (Int64($1) ?? .max, $1) }) {
                    let path = "\(work)/\(p)/\(c)/\(f)"
                    handled.insert(path)
                    found.append((path, config.channel(partner: p, name: c) ?? orphanChannel(p, c), nil))
                }
            }
        }
        for entry in (try? ledger.files(in: [.received, .translated])) ?? [] where !handled.contains(entry.workPath) {
            found.append((entry.workPath, config.channel(partner: entry.partner, name: entry.channel) ?? orphanChannel(entry.partner, entry.channel), entry.name))
        }
        return found
    }

    /// At startup: finishes every file a previous run left in hand, in this process.
    public func recover() {
        for item in leftInHand() {
            logger.info("recovering \(item.workPath)")
            process(workPath: item.workPath, channel: item.channel, originalName: item.originalName)
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

/// SHA-256 and size of a regular file (never a link, FIFO or device), streamed in chunks.
func hashFile(_ path: String, limit: Int64 = .max) throws -> (String, Int64) {
    let fd = openRegularBytes(Array(path.utf8))
    guard fd >= 0 else { throw TransportError("cannot open \(FileNames.quoted(path)) as a regular file: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { throw TransportError("\(FileNames.quoted(path)) is not a regular file") }
    return try hashDescriptor(fd, limit: limit)
}

/// SHA-256 and size of what an open descriptor reads, stopping once past `limit` bytes.
func hashDescriptor(_ fd: Int32, limit: Int64) throws -> (String, Int64) {
    var hasher = SHA256Stream()
    var buffer = [UInt8](repeating: 0, count: 1 << 18)
    var size: Int64 = 0
    while size <= limit {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 { if errno == EINTR || errno == EAGAIN { continue }; throw TransportError("cannot read: \(String(cString: strerror(errno)))") }
        if n == 0 { break }
        size += Int64(n)
        buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }
    return (hasher.finalizeHex(), size)
}

/// Opens a regular file for reading without following a final symlink and without blocking (a
/// FIFO or device would return at once; callers check `fstat`). -1 with errno on failure.
func openRegularBytes(_ path: [UInt8]) -> Int32 {
    (path + [0]).withUnsafeBufferPointer { p in
        p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { open($0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) }
    }
}

func lstatBytes(_ path: [UInt8], _ st: inout stat) -> Int32 {
    (path + [0]).withUnsafeBufferPointer { p in p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { lstat($0, &st) } }
}

func renameBytes(_ from: [UInt8], _ to: [UInt8]) -> Int32 {
    (from + [0]).withUnsafeBufferPointer { f in
        (to + [0]).withUnsafeBufferPointer { t in
            f.baseAddress!.withMemoryRebound(to: CChar.self, capacity: f.count) { fp in
                t.baseAddress!.withMemoryRebound(to: CChar.self, capacity: t.count) { rename(fp, $0) }
            }
        }
    }
}

/// Whether a path names anything (a link counts; it is not followed).
func fileExists(_ path: String) -> Bool { var st = stat(); return lstat(path, &st) == 0 }

/// Ledger counters as the writers' `CounterSource`.
public struct LedgerCounters: CounterSource {
    public let ledger: Ledger
    public init(ledger: Ledger) { self.ledger = ledger }
    public func next(_ name: String) throws -> Int64 { try ledger.nextCounter(name) }
    public func next(_ name: String, count: Int) throws -> Int64 { try ledger.nextCounter(name, count: count) }
}
