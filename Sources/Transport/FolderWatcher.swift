import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Wakes the gateway when something changes in watched folders: inotify on Linux, with a polling
/// interval as the fallback (and as a safety net, since inotify can overflow or miss NFS changes).
/// With inotify it also knows which names a writer still holds open: created or modified, and
/// not yet closed (`IN_CLOSE_WRITE`) or renamed in (`IN_MOVED_TO`).
public final class FolderWatcher: @unchecked Sendable {
    // @unchecked: the inotify descriptor is only read by the one thread that calls `wait`.
    private var fd: Int32 = -1
    private var watches: [Int32: String] = [:]
    private var open: [String: Set<[UInt8]>] = [:]
    private var changed = true
    public let pollInterval: TimeInterval

    public init(pollInterval: TimeInterval) {
        self.pollInterval = pollInterval
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
    }

    deinit { if fd >= 0 { close(fd) } }

    public var usesInotify: Bool { fd >= 0 }

    /// Starts watching a folder (creating it if needed). Without inotify, polling covers it.
    public func watch(_ path: String) {
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard fd >= 0 else { return }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_MODIFY | IN_ATTRIB | IN_DELETE)
        let wd = inotify_add_watch(fd, path, mask)
        if wd >= 0 { watches[wd] = path }
    }

    /// Whether a writer may still have `name` in `folder` open (seen created or written, not yet
    /// closed). Files that were there before the watch began are not known to be open.
    /// Whether something may have arrived since the last call (an event other than a file leaving;
    /// always true without inotify). Resets.
    public func takeChanged() -> Bool {
        defer { changed = fd < 0 }
        return changed
    }

    public func isOpenForWriting(_ folder: String, _ name: [UInt8]) -> Bool { open[folder]?.contains(name) ?? false }

    /// Sleeps until a watched folder changes, `also` becomes readable, or `timeout` passes (at most
    /// the poll interval). Returns whether an event arrived.
    @discardableResult
    public func wait(timeout: TimeInterval, also extra: Int32 = -1) -> Bool {
        let t = max(0, min(timeout, pollInterval))
        var fds = [pollfd]()
        if fd >= 0 { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
        if extra >= 0 { fds.append(pollfd(fd: extra, events: Int16(POLLIN), revents: 0)) }
        if fds.isEmpty { Thread.sleep(forTimeInterval: t); return false }
        let rc = poll(&fds, nfds_t(fds.count), Int32(t * 1000))
        drain()
        return rc > 0
    }

    /// Reads the pending events (without waiting) and updates which names are open for writing.
    public func drain() {
        guard fd >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            var at = 0
            while at + 16 <= n {
                let (wd, mask, length) = buffer.withUnsafeBytes { raw in
                    (raw.loadUnaligned(fromByteOffset: at, as: Int32.self), raw.loadUnaligned(fromByteOffset: at + 4, as: UInt32.self),
                     Int(raw.loadUnaligned(fromByteOffset: at + 12, as: UInt32.self)))
                }
                var name = Array(buffer[(at + 16)..<min(n, at + 16 + length)])
                while name.last == 0 { name.removeLast() }
                at += 16 + length
                if mask & UInt32(IN_Q_OVERFLOW) != 0 { open.removeAll(); changed = true; continue }
                if mask & UInt32(IN_MOVED_FROM | IN_DELETE) == 0 { changed = true }
                guard let folder = watches[wd], !name.isEmpty, mask & UInt32(IN_ISDIR) == 0 else { continue }
                if mask & UInt32(IN_CREATE | IN_MODIFY) != 0 {
                    open[folder, default: []].insert(name)
                } else if mask & UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE) != 0 {
                    open[folder]?.remove(name)
                }
            }
        }
    }
}

/// The entries of a folder with their names as the bytes they are (not every name is UTF-8).
public func directoryEntries(_ path: String) -> [[UInt8]]? {
    guard let dir = opendir(path) else { return nil }
    defer { closedir(dir) }
    var names = [[UInt8]]()
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: &entry.pointee.d_name) { raw -> [UInt8] in
            let bytes = raw.bindMemory(to: UInt8.self)
            return Array(bytes.prefix { $0 != 0 })
        }
        if name == [0x2E] || name == [0x2E, 0x2E] { continue }
        names.append(name)
    }
    return names
}

/// Decides when a dropped file is complete: its size and mtime unchanged for `minAge`, measured
/// from when the gateway first saw it (not from the file's own mtime, which a sender may set).
public struct StabilityTracker {
    struct Seen { var size: Int64; var mtime: TimeInterval; var since: TimeInterval }
    private var seen: [String: Seen] = [:]
    public let minAge: TimeInterval

    public init(minAge: TimeInterval) { self.minAge = minAge }

    /// Feeds one observation; returns true when the file is stable.
    public mutating func observe(_ path: String, size: Int64, mtime: TimeInterval, now: TimeInterval) -> Bool {
        if let s = seen[path], s.size == size, s.mtime == mtime {
            return now - s.since >= minAge
        }
        seen[path] = Seen(size: size, mtime: mtime, since: now)
        return minAge <= 0
    }

    /// When the earliest tracked file could become stable (for the watcher's timeout).
    public func nextDeadline() -> TimeInterval? { seen.values.map { $0.since + minAge }.min() }

    public mutating func forget(_ path: String) { seen[path] = nil }
    /// Drops entries for files that are gone.
    public mutating func retain(only paths: Set<String>) { seen = seen.filter { paths.contains($0.key) } }
}

/// File moves that either happen whole or not at all.
public enum AtomicFile {
    /// Names of files being written start with this; readers and pickers skip them.
    public static let tempPrefix = ".tmp-"

    /// Renames within one filesystem, creating the target folder. Throws if the target exists.
    public static func move(_ from: String, to: String) throws {
        try FileManager.default.createDirectory(atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if rename(from, to) != 0 {
            throw TransportError("cannot move \(from) to \(to): \(String(cString: strerror(errno)))")
        }
    }

    /// Writes bytes to `path` through a temp file in the same folder, fsynced, then renamed.
    /// `sync: false` for what can be written again from the ledger (the records export).
    public static func write(_ bytes: some Collection<UInt8>, to path: String, sync: Bool = true) throws {
        try write(to: path, sync: sync) { put in try put(Array(bytes)) }
    }

    /// The same, streaming: `body` hands chunks to `put` (memory stays flat however large the file).
    public static func write(to path: String, sync: Bool = true, _ body: (_ put: ([UInt8]) throws -> Void) throws -> Void) throws {
        let parent = (path as NSString).deletingLastPathComponent
        let dir = parent.isEmpty ? "." : parent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let tmp = dir + "/" + tempPrefix + "\(getpid())-\(UUID().uuidString.prefix(8))-" + (path as NSString).lastPathComponent
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TransportError("cannot create \(tmp): \(String(cString: strerror(errno)))") }
        do {
            try body { data in
                var written = 0
                while written < data.count {
                    let n = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, data.count - written) }
                    if n <= 0 { throw TransportError("cannot write \(tmp): \(String(cString: strerror(errno)))") }
                    written += n
                }
            }
        } catch {
            close(fd); unlink(tmp)
            throw error
        }
        if sync { fsync(fd) }
        close(fd)
        if rename(tmp, path) != 0 { unlink(tmp); throw TransportError("cannot rename \(tmp) to \(path): \(String(cString: strerror(errno)))") }
    }
}

public struct TransportError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ d: String) { description = d }
}
