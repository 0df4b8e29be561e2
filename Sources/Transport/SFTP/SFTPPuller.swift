import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What to do with a remote file once the local ledger has committed it.
public enum RemoteDisposal: Sendable, Equatable {
    case delete
    /// Move into this remote folder (which must exist) under the same name; when that name is
    /// already archived (partners often send "statement.940" every day) a UTC time stamp is
    /// appended: `statement.940.20261121T060000Z`.
    case moveTo(String)
}

/// One pull channel's rules (Camel's vocabulary: readLock, minAge, done files, move).
public struct PullSettings: Sendable, Equatable {
    public var remoteDirectory: String
    /// Local inbox folder the files land in.
    public var inbox: String
    /// A file must be at least this old (by its remote mtime) before it is taken.
    public var minimumAge: TimeInterval
    /// When set (e.g. ".done"), a file `X` with a companion `X.done` is taken at once, without
    /// waiting for stability; the marker is removed with the file.
    public var doneFileSuffix: String?
    public var afterCommit: RemoteDisposal

    public init(remoteDirectory: String, inbox: String, minimumAge: TimeInterval = 60,
                doneFileSuffix: String? = nil, afterCommit: RemoteDisposal = .delete) {
        self.remoteDirectory = remoteDirectory
        self.inbox = inbox
        self.minimumAge = minimumAge
        self.doneFileSuffix = doneFileSuffix
        self.afterCommit = afterCommit
    }

    /// Names starting with a dot are hidden and never taken (partners' temp uploads).
    func isCandidate(_ entry: RemoteEntry) -> Bool {
        guard entry.isRegularFile, !entry.name.hasPrefix(".") else { return false }
        if let suffix = doneFileSuffix, entry.name.hasSuffix(suffix) { return false }
        return true
    }
}

/// A remote file now complete in the local inbox, handed to the caller to commit.
public struct PulledFile: Sendable, Equatable {
    public let remotePath: String
    public let localPath: String
    public let size: Int64
}

/// The outcome of one poll.
public struct PullReport: Sendable, Equatable {
    /// Downloaded, committed by the caller, and deleted/moved on the server.
    public var taken: [String] = []
    /// Seen but not yet stable (still growing, too young, or seen for the first time).
    public var waiting: [String] = []
    /// Downloaded but the caller did not confirm the commit; the remote file stays.
    public var notCommitted: [String] = []
    /// Failed this time (transfer broke, size mismatch…); retried at a later poll.
    public var failed: [String: String] = [:]
}

/// Pulls stable files from one remote folder into a local inbox.
///
/// A file is taken when it is stable: its size and mtime are unchanged since the previous poll
/// and it is older than the minimum age — or its done-file is present. It is downloaded under a
/// hidden temporary name in the inbox and renamed to its own name only when complete and its
/// size matches the listing, so the inbox never shows a half-written file. The remote file is
/// deleted or moved only after the caller's `commit` returned true (the ledger has it).
///
/// Transfers block the calling thread (libssh2 in blocking mode); run pollers from a task
/// per channel rather than on a latency-sensitive executor.
public actor SFTPPuller {
    /// Local temporary names: `.dropgate-<name>.part`, never picked up by the inbox watcher.
    static let temporaryPrefix = ".dropgate-"
    static let temporarySuffix = ".part"

    private let store: any RemoteFileStore
    public let settings: PullSettings
    private let clock: any TimeSource
    /// The previous poll's listing: name → (size, mtime).
    private var lastSeen: [String: RemoteEntry] = [:]
    /// Set after the first poll removed temporary files left by a crashed run.
    private var leftoversRemoved = false

    public init(store: any RemoteFileStore, settings: PullSettings, clock: any TimeSource) {
        self.store = store
        self.settings = settings
        self.clock = clock
    }

    /// Lists the remote folder, takes every stable file, and reports. Listing failures throw
    /// (the endpoint is unreachable); a failure with one file is reported and that file is
    /// retried at the next poll.
    public func poll(commit: @Sendable (PulledFile) async throws -> Bool) async throws -> PullReport {
        if !leftoversRemoved { removeLeftoverTemporaries() }
        let entries = try store.list(settings.remoteDirectory)
        let names = Set(entries.map(\.name))
        let now = clock.now
        var report = PullReport()
        var seen: [String: RemoteEntry] = [:]
        var stable: [RemoteEntry] = []
        for entry in entries where settings.isCandidate(entry) {
            seen[entry.name] = entry
            if isStable(entry, names: names, now: now) { stable.append(entry) } else { report.waiting.append(entry.name) }
        }
        // Download the batch under temporary names, then make each file durable and publish its
        // final name, then make the names durable — all before anything is committed.
        var downloaded: [RemoteEntry] = []
        for entry in stable {
            do {
                try download(entry)
                downloaded.append(entry)
            } catch {
                report.failed[entry.name] = String(describing: error)
            }
        }
        var ready: [(RemoteEntry, PulledFile)] = []
        if !downloaded.isEmpty {
            for entry in downloaded {
                do { ready.append((entry, try publish(entry))) } catch { report.failed[entry.name] = String(describing: error) }
            }
            try sync(settings.inbox, directory: true)
        }
        for (entry, file) in ready {
            do {
                guard try await commit(file) else {
                    report.notCommitted.append(entry.name)
                    continue
                }
                try dispose(entry, names: names)
                seen[entry.name] = nil
                report.taken.append(entry.name)
            } catch {
                report.failed[entry.name] = String(describing: error)
            }
        }
        lastSeen = seen
        return report
    }

    /// A crash during a download can leave `.dropgate-*.part` in the inbox; it is never a
    /// result, so it goes.
    private func removeLeftoverTemporaries() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: settings.inbox)) ?? []
        for name in names where name.hasPrefix(Self.temporaryPrefix) && name.hasSuffix(Self.temporarySuffix) {
            unlink(settings.inbox + "/" + name)
        }
        leftoversRemoved = true
    }

    private func isStable(_ entry: RemoteEntry, names: Set<String>, now: Date) -> Bool {
        if let suffix = settings.doneFileSuffix, names.contains(entry.name + suffix) { return true }
        guard let previous = lastSeen[entry.name], previous.size == entry.size, previous.modified == entry.modified else {
            return false
        }
        return now.timeIntervalSince(entry.modified) >= settings.minimumAge
    }

    private func finalPath(_ entry: RemoteEntry) -> String { settings.inbox + "/" + entry.name }

    private func temporaryPath(_ entry: RemoteEntry) -> String {
        settings.inbox + "/" + Self.temporaryPrefix + entry.name + Self.temporarySuffix
    }

    /// Downloads `entry` under its temporary name and checks the size against the listing.
    /// A file already in the inbox with the same size is the result of an earlier poll whose
    /// commit or disposal did not finish; it is handed over again instead of downloaded twice.
    private func download(_ entry: RemoteEntry) throws {
        let final = finalPath(entry)
        if let existing = localSize(final) {
            guard existing == entry.size else {
                throw SFTPError.conflict(path: final, reason: "the inbox already has a different file of this name (\(existing) bytes, remote \(entry.size))")
            }
            return
        }
        let temporary = temporaryPath(entry)
        let remote = remotePath(settings.remoteDirectory, entry.name)
        let bytes = try store.download(remote, to: temporary)
        guard bytes == entry.size, localSize(temporary) == entry.size else {
            unlink(temporary)
            throw SFTPError.sizeMismatch(path: remote, expected: entry.size, actual: bytes)
        }
    }

    /// Flushes the complete temporary file to disk and renames it to its final inbox name
    /// (atomic on one filesystem).
    private func publish(_ entry: RemoteEntry) throws -> PulledFile {
        let final = finalPath(entry)
        let temporary = temporaryPath(entry)
        if localSize(temporary) != nil {
            do {
                try sync(temporary, directory: false)
                guard Glibc.rename(temporary, final) == 0 else {
                    throw SFTPError.local(operation: "rename into inbox", path: final, reason: String(cString: strerror(errno)))
                }
            } catch {
                unlink(temporary)
                throw error
            }
        }
        return PulledFile(remotePath: remotePath(settings.remoteDirectory, entry.name), localPath: final, size: entry.size)
    }

    /// `fsync` of a file, or of a directory so that renames in it survive a power loss.
    private func sync(_ path: String, directory: Bool) throws {
        let descriptor = Glibc.open(path, directory ? O_RDONLY | O_DIRECTORY : O_RDONLY)
        guard descriptor >= 0, fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            if descriptor >= 0 { close(descriptor) }
            throw SFTPError.local(operation: "fsync", path: path, reason: reason)
        }
        close(descriptor)
    }

    private func dispose(_ entry: RemoteEntry, names: Set<String>) throws {
        let remote = remotePath(settings.remoteDirectory, entry.name)
        switch settings.afterCommit {
        case .delete: try store.remove(remote)
        case .moveTo(let archive):
            var target = remotePath(archive, entry.name)
            if try store.exists(target) { target += "." + Self.archiveStamp(clock.now) }
            try store.rename(remote, to: target)
        }
        if let suffix = settings.doneFileSuffix, names.contains(entry.name + suffix) {
            try store.remove(remote + suffix)
        }
    }

    static func archiveStamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    private func localSize(_ path: String) -> Int64? {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : nil
    }
}
