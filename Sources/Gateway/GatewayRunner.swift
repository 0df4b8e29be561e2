import Foundation
import Ledger
import Logging
import Mapping
import Transport
#if canImport(Glibc)
import Glibc
#endif

/// The running gateway: watches every inbound channel folder, takes files once they are stable,
/// and hands each to the pipeline, one at a time. Stopping finishes the file in hand.
public final class GatewayRunner: @unchecked Sendable {
    // @unchecked: run() is called once, on one thread.
    public let config: GatewayConfig
    public let pipeline: Pipeline
    let logger: Logger
    /// Held for the runner's life: one gateway per var folder (the kernel drops it if the process dies).
    let lockFD: Int32

    public init(config: GatewayConfig, logger: Logger) throws {
        self.config = config
        self.logger = logger
        let fm = FileManager.default
        for dir in [config.varDir, config.workDir, config.archiveDir, config.quarantineDir, config.recordsDir] + config.channels.map(\.path) {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        lockFD = try GatewayRunner.lock(config.varDir + "/gateway.lock")
        let ledger = try Ledger(path: config.ledgerPath)
        pipeline = Pipeline(config: config, ledger: ledger, mappings: try MappingLibrary(directory: config.mappingsDir), logger: logger)
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

    /// Runs until `shouldStop` says so, or with `once` until nothing is waiting.
    public func run(once: Bool, shouldStop: () -> Bool) {
        pipeline.recover()
        let watcher = FolderWatcher(pollInterval: config.pickup.pollInterval)
        for c in config.channels { watcher.watch(c.path) }
        logger.info("watching \(config.channels.count) channel folder(s) with \(watcher.usesInotify ? "inotify" : "polling every \(config.pickup.pollInterval)s")")
        var trackers = Dictionary(uniqueKeysWithValues: config.channels.map { ("\($0.partner)/\($0.name)", StabilityTracker(minAge: $0.pickup.minAge)) })
        while !shouldStop() {
            var waiting = false
            for channel in config.channels {
                let key = "\(channel.partner)/\(channel.name)"
                let (ready, pending) = scan(channel, tracker: &trackers[key]!)
                waiting = waiting || pending
                for file in ready {
                    if shouldStop() { break }
                    take(file, channel: channel)
                    trackers[key]!.forget(file)
                }
            }
            pipeline.tick()
            if shouldStop() || (once && !waiting) { break }
            let now = Date().timeIntervalSinceReferenceDate
            let deadline = trackers.values.compactMap { $0.nextDeadline() }.min().map { max(0.01, $0 - now) } ?? config.pickup.pollInterval
            watcher.wait(timeout: deadline)
        }
        logger.info("stopped")
    }

    /// Claims a stable file (and its done-file) and processes it.
    func take(_ path: String, channel: GatewayConfig.Channel) {
        do {
            let work = try pipeline.claim(path, channel: channel)
            if let marker = GatewayRunner.doneFile(for: (path as NSString).lastPathComponent, pattern: channel.pickup.doneFile) {
                unlink((path as NSString).deletingLastPathComponent + "/" + marker)
            }
            pipeline.process(workPath: work, channel: channel, originalName: (path as NSString).lastPathComponent, fresh: true)
        } catch {
            logger.error("cannot claim \(path): \(error)")
        }
    }

    /// The files of a channel folder that are ready, and whether others are still settling.
    func scan(_ channel: GatewayConfig.Channel, tracker: inout StabilityTracker) -> (ready: [String], pending: Bool) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: channel.path) else { return ([], false) }
        let now = Date().timeIntervalSinceReferenceDate
        let nameSet = Set(names)
        let markers = Set(names.compactMap { GatewayRunner.doneFile(for: $0, pattern: channel.pickup.doneFile) }.filter(nameSet.contains))
        var ready = [String](), seen = Set<String>()
        var pending = false
        for name in names.sorted() where !GatewayRunner.ignored(name, patterns: channel.pickup.ignore) && !markers.contains(name) {
            let path = channel.path + "/" + name
            var st = stat()
            guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            if let marker = GatewayRunner.doneFile(for: name, pattern: channel.pickup.doneFile), !nameSet.contains(marker) {
                continue   // not announced yet: not pending either (the sender decides when)
            }
            seen.insert(path)
            let mtime = TimeInterval(st.st_mtim.tv_sec) + TimeInterval(st.st_mtim.tv_nsec) / 1e9
            if tracker.observe(path, size: Int64(st.st_size), mtime: mtime, now: now) { ready.append(path) } else { pending = true }
        }
        tracker.retain(only: seen)
        return (ready, pending)
    }

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
