import Foundation
import Ledger
import Logging
import Mapping
import Transport
import Canonical
import Events
#if canImport(Glibc)
import Glibc
#endif

/// The running gateway: watches every inbound channel folder, takes files once they are stable
/// (and, with inotify, closed by their writer), translates them in worker processes side by side,
/// and commits, exports and archives each in the pipeline, on this one thread.
public final class GatewayRunner: @unchecked Sendable {
    // @unchecked: run() is called once, on one thread.
    public let config: GatewayConfig
    public let pipeline: Pipeline
    let logger: Logger
    let isolation: Isolation
    /// Jobs handed to workers so far (makes each record file's name unique).
    var dispatched = 0
    /// Held for the runner's life: one gateway per var folder (the kernel drops it if the process dies).
    let lockFD: Int32
    /// The events publisher loop (`events:` in the config), on its own thread while `run` runs.
    public let events: EventRelay?
    /// Channels switched off and retries asked for by the console (read on every turn).
    public let control: RunnerControl
    /// The mapping files as they were when the mappings in use were loaded, and those mappings
    /// (MappingsReload.swift).
    var mappingsStamp: MappingsStamp
    var mappings: MappingsInUse

    /// Where files are translated.
    public enum Isolation: Sendable {
        /// In the gateway's own process, one at a time (tests; a reader's trap ends the gateway).
        case inProcess
        /// In `count` processes running `executable worker …` (the gateway's default).
        case workers(executable: String, count: Int)
    }

    public init(config: GatewayConfig, logger: Logger, isolation: Isolation = .inProcess) throws {
        self.config = config
        self.logger = logger
        if case .workers(_, let n) = isolation, n == 0 { self.isolation = .inProcess } else { self.isolation = isolation }
        let fm = FileManager.default
        for dir in [config.varDir, config.workDir, config.archiveDir, config.quarantineDir, config.recordsDir] + config.channels.map(\.path) {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        lockFD = try GatewayRunner.lock(config.varDir + "/gateway.lock")
        let ledger = try Ledger(path: config.ledgerPath)
        events = config.events.map { EventRelay(config: $0, ledger: ledger, logger: logger) }
        mappingsStamp = MappingsStamp(directory: config.mappingsDir)   // before the load: a change during it is seen next turn
        try? fm.removeItem(atPath: MappingsInUse.root(config))          // copies of an earlier run
        mappings = try MappingsInUse.take(config, generation: 1)
        pipeline = Pipeline(config: config, ledger: ledger, mappings: mappings.library, logger: logger)
        control = RunnerControl(disabled: try ledger.disabledChannels())
    }

    deinit { close(lockFD) }

    static func lock(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TransportError("cannot open \(path): \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let other = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            close(fd)
            throw TransportError("another gateway (pid \(other)) is running on \((path as NSString).deletingLastPathComponent)")
        }
        ftruncate(fd, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(fd, $0, strlen($0)) }
        return fd
    }

    /// Runs until `shouldStop` says so, or with `once` until nothing is waiting. On stop, workers
    /// are ended at once; the files they had stay `received` for the next run.
    public func run(once: Bool, shouldStop: () -> Bool) {
        events?.start()
        defer { events?.stop(drain: once ? 15 : 0) }   // --once: what is waiting goes out first
        let intake = QueueIntake(config: config, logger: logger)
        defer { intake?.close() }
        var pool: WorkerPool?
        if case .workers(let executable, let count) = isolation {
            pool = WorkerPool(executable: executable, mappingsDirectory: mappings.copy, count: count)
        }
        defer {
            if let pool {
                pool.stop()
                pipeline.finish(pool.takeFinished())
            }
        }
        var queue = [Pipeline.Pending]()
        func translateOrQueue(_ pending: Pipeline.Pending?) {
            guard let pending else { return }
            if pool != nil { queue.append(pending) } else { translateHere(pending) }
        }
        for item in pipeline.leftInHand() {
            if shouldStop() { return }
            logger.info("recovering \(FileNames.quoted(item.workPath))")
            translateOrQueue(pipeline.begin(workPath: item.workPath, channel: item.channel, originalName: item.originalName))
        }
        let watcher = FolderWatcher(pollInterval: config.pickup.pollInterval)
        for c in config.channels { watcher.watch(c.path) }
        logger.info("watching \(config.channels.count) channel folder(s) with \(watcher.usesInotify ? "inotify" : "polling every \(config.pickup.pollInterval)s"), translating \(pool.map { "in \($0.count) worker process(es)" } ?? "in process")")
        var trackers = Dictionary(uniqueKeysWithValues: config.channels.map { ("\($0.partner)/\($0.name)", StabilityTracker(minAge: $0.pickup.minAge)) })
        let claimsPerTurn = 16 * (pool?.count ?? 1) + 16
        // Ready names not yet claimed, per channel: a burst is claimed a slice per turn (so that
        // workers and commits start at once) without listing the folder again for every slice.
        var backlog = [String: [[UInt8]]]()
        var settling = false
        var nextScan = 0.0, nextMappingsCheck = 0.0
        while !shouldStop() {
            var waiting = false, more = false
            watcher.drain()
            if Date().timeIntervalSinceReferenceDate >= nextMappingsCheck {
                reloadMappingsIfChanged(pool: pool)
                nextMappingsCheck = Date().timeIntervalSinceReferenceDate + GatewayRunner.mappingsCheckInterval
            }
            for (id, actor) in control.takeRetries() { retry(id, actor: actor, pool: pool) }
            let now = Date().timeIntervalSinceReferenceDate
            if watcher.takeChanged() || now >= nextScan {
                settling = false
                for channel in config.channels where isEnabled(channel) {
                    let key = "\(channel.partner)/\(channel.name)"
                    let (ready, pending) = scan(channel, tracker: &trackers[key]!, watcher: watcher)
                    backlog[key] = ready
                    settling = settling || pending
                }
                let deadline = trackers.values.compactMap { $0.nextDeadline() }.filter { $0 > now }.min()
                nextScan = min(now + config.pickup.pollInterval, deadline ?? .infinity)
                if settling { nextScan = min(nextScan, now + 0.05) }
            }
            waiting = settling
            // Files about to be claimed (or taken from a queue) are translated with the mappings on disk now.
            if intake != nil || backlog.values.contains(where: { !$0.isEmpty }) {
                reloadMappingsIfChanged(pool: pool)
            }
            for channel in config.channels {
                let key = "\(channel.partner)/\(channel.name)"
                let ready = isEnabled(channel) ? backlog[key] ?? [] : []
                let slice = pool == nil ? ready.count : max(0, claimsPerTurn - queue.count)
                for name in ready.prefix(slice) {
                    if shouldStop() { break }
                    translateOrQueue(take(name, channel: channel))
                    trackers[key]!.forget(FileNames.escaped(name))
                }
                backlog[key] = Array(ready.dropFirst(slice))
                if !backlog[key]!.isEmpty { waiting = true; more = more || slice > 0 }
            }
            if let intake {
                let taken = intake.poll(pipeline)
                for pending in taken { translateOrQueue(pending) }
                more = more || !taken.isEmpty
            }
            if let pool {
                // More in flight than workers, so that finished files commit in groups.
                while !queue.isEmpty && pool.busy < 8 * pool.count && !shouldStop() {
                    let next = queue.removeFirst()
                    dispatch(next, to: pool)
                }
                pipeline.finish(pool.takeFinished())
                waiting = waiting || !queue.isEmpty || pool.busy > 0
            }
            pipeline.tick()
            if shouldStop() || (once && !waiting && !more) { break }
            if more { continue }
            let timeout = max(0.005, nextScan - Date().timeIntervalSinceReferenceDate)
            watcher.wait(timeout: timeout, also: pool?.wakeFD ?? -1)
        }
        logger.info("stopped")
    }

    /// Queues a file for the workers: counted as an attempt (in hand) when a worker takes it.
    func dispatch(_ pending: Pipeline.Pending, to pool: WorkerPool) {
        let id = pending.entry.id!
        dispatched += 1
        let ledger = pipeline.ledger, logger = logger
        let j = pending.job
        let job = WorkerJob(fileId: id, path: j.path, fileName: j.fileName, sha256: j.sha256, partner: j.partner, channel: j.channel,
                            format: j.format, mapping: j.mapping, encoding: j.options.encoding.name, options: j.options.values,
                            recordFile: "\(config.workDir)/\(AtomicFile.tempPrefix)records-\(id)-\(getpid())-\(dispatched)", memoryLimit: pending.channel.limits.memory)
        pool.submit(WorkerPool.Task(pending: pending, job: job, timeLimit: pending.channel.limits.time) {
            do { try ledger.beginAttempt(id) } catch { logger.error("ledger unavailable: \(error)") }
        })
    }

    /// In-process translation of one file (isolation `.inProcess`).
    func translateHere(_ pending: Pipeline.Pending) {
        pipeline.process(workPath: pending.entry.workPath, channel: pending.channel, originalName: pending.entry.name)
    }

    /// Claims a stable file (and its done-file); returns what is left to translate.
    func take(_ name: [UInt8], channel: GatewayConfig.Channel) -> Pipeline.Pending? {
        do {
            guard case .claimed(let entry) = try pipeline.claim(folder: channel.path, name: name, channel: channel) else { return nil }
            if let text = String(validating: name, as: UTF8.self), let marker = GatewayRunner.doneFile(for: text, pattern: channel.pickup.doneFile) {
                unlink(channel.path + "/" + marker)
            }
            return pipeline.begin(workPath: entry.workPath, channel: channel)
        } catch {
            logger.error("cannot claim \(FileNames.quoted(FileNames.escaped(name))): \(error)")
            return nil
        }
    }

    /// The names in a channel folder that are ready, and whether others are still settling.
    /// Entries that are not regular files are rejected here (recorded once, never opened).
    func scan(_ channel: GatewayConfig.Channel, tracker: inout StabilityTracker, watcher: FolderWatcher) -> (ready: [[UInt8]], pending: Bool) {
        guard let names = directoryEntries(channel.path) else { return ([], false) }
        // Events of files created before the listing are queued by now: read them, so that a file
        // created between the loop's drain and the listing is known to be open.
        watcher.drain()
        let now = Date().timeIntervalSinceReferenceDate
        let textNames = Set(names.compactMap { String(validating: $0, as: UTF8.self) })
        let markers = Set(textNames.compactMap { GatewayRunner.doneFile(for: $0, pattern: channel.pickup.doneFile) }.filter(textNames.contains))
        var ready = [[UInt8]](), seen = Set<String>()
        var pending = false
        for name in names.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let text = String(validating: name, as: UTF8.self)
            if name.first == 0x2E || text.map({ GatewayRunner.ignored($0, patterns: channel.pickup.ignore) || markers.contains($0) }) == true { continue }
            let path = Array(channel.path.utf8) + [0x2F] + name
            var st = stat()
            guard lstatBytes(path, &st) == 0 else { continue }
            if (st.st_mode & S_IFMT) != S_IFREG {
                if (st.st_mode & S_IFMT) == S_IFDIR && isChannelFolder(String(decoding: path, as: UTF8.self)) { continue }
                _ = try? pipeline.claim(folder: channel.path, name: name, channel: channel)   // → rejected, once
                continue
            }
            if let text, let marker = GatewayRunner.doneFile(for: text, pattern: channel.pickup.doneFile), !textNames.contains(marker) {
                continue   // not announced yet: not pending either (the sender decides when)
            }
            let key = FileNames.escaped(name)
            seen.insert(key)
            if watcher.isOpenForWriting(channel.path, name) { pending = true; continue }   // its writer has not closed it
            let mtime = TimeInterval(st.st_mtim.tv_sec) + TimeInterval(st.st_mtim.tv_nsec) / 1e9
            if tracker.observe(key, size: Int64(st.st_size), mtime: mtime, now: now) { ready.append(name) } else { pending = true }
        }
        tracker.retain(only: seen)
        return (ready, pending)
    }

    /// A folder inside a channel folder that is (or holds) another channel's folder.
    func isChannelFolder(_ path: String) -> Bool { config.channels.contains { $0.path == path || $0.path.hasPrefix(path + "/") } }

    /// Temp and hidden files are never taken: dot-files and the channel's ignore patterns.
    static func ignored(_ name: String, patterns: [String]) -> Bool {
        name.hasPrefix(".") || patterns.contains { fnmatch($0, name, 0) == 0 }
    }

    /// The done-file a data file waits for: `{name}` is the whole name, `{base}` the name without extension.
    static func doneFile(for name: String, pattern: String?) -> String? {
        guard let pattern else { return nil }
        let marker = pattern.replacingOccurrences(of: "{name}", with: name)
            .replacingOccurrences(of: "{base}", with: (name as NSString).deletingPathExtension)
        return marker == name ? nil : marker
    }
}
