import Foundation

/// `dropgate sftp check PARTNER/CHANNEL`: for an operator setting up a partner. Connects with the
/// channel's settings, verifies the host key, lists the remote folder and says what a pull
/// would take. Never downloads, deletes or moves anything.
public enum SFTPCheck {
    /// Report lines, one fact each; a failure is a line starting with "FAILED:" and ends the check.
    public static func run(_ settings: SFTPSettings, pull: PullSettings, clock: any TimeSource = SystemTime()) -> [String] {
        connected(settings) { describeFolder($0, pull: pull, now: clock.now) }
    }

    /// The check for a delivery folder: lists what is there and says how files would be written;
    /// `waiting` names the local files a delivery would upload.
    public static func run(_ settings: SFTPSettings, push: PushSettings, waiting: [String]) -> [String] {
        connected(settings) { store in
            let entries: [RemoteEntry]
            do { entries = try store.list(push.remoteDirectory) } catch { return ["FAILED: \(error)"] }
            var lines = ["\(push.remoteDirectory): \(entries.count) entries"] + entries.map { "  \($0.name) (\($0.size) bytes)" }
            lines.append(push.uploadUnderTemporaryName
                         ? "files are uploaded as \(SFTPPusher.temporaryPrefix)<name>\(SFTPPusher.temporarySuffix) and renamed when complete"
                         : "files are written under their final name (rename: false)")
            lines.append("\(waiting.count) local file(s) waiting" + (waiting.isEmpty ? "" : ": " + waiting.joined(separator: ", ")))
            return lines
        }
    }

    /// Connects (host key, credentials), then describes with `body`; a failure ends the report.
    private static func connected(_ settings: SFTPSettings, _ body: (any RemoteFileStore) -> [String]) -> [String] {
        let client = SFTPClient(settings: settings)
        defer { client.disconnect() }
        var lines = ["connecting to \(settings.endpoint) (\(SFTPError.libraryVersion))"]
        do {
            let fingerprint = try client.connect()
            lines.append("host key \(fingerprint) verified against \(describe(settings.hostKey))")
            lines.append("authenticated as \(settings.username)")
        } catch {
            return lines + ["FAILED: \(error)"]
        }
        return lines + body(client)
    }

    /// The listing part of the check, for any `RemoteFileStore`.
    static func describeFolder(_ store: any RemoteFileStore, pull: PullSettings, now: Date) -> [String] {
        let entries: [RemoteEntry]
        do {
            entries = try store.list(pull.remoteDirectory)
        } catch {
            return ["FAILED: \(error)"]
        }
        let names = Set(entries.map(\.name))
        var lines = ["\(pull.remoteDirectory): \(entries.count) entries"]
        for entry in entries {
            guard pull.isCandidate(entry) else {
                lines.append("  skip \(entry.name) (\(entry.isRegularFile ? "hidden or done marker" : "not a regular file"))")
                continue
            }
            let age = Int(now.timeIntervalSince(entry.modified))
            if let suffix = pull.doneFileSuffix, names.contains(entry.name + suffix) {
                lines.append("  take \(entry.name) (\(entry.size) bytes, done-file present)")
            } else if Double(age) >= pull.minimumAge {
                lines.append("  take \(entry.name) (\(entry.size) bytes, \(age) s old) if unchanged at the next poll")
            } else {
                lines.append("  wait \(entry.name) (\(entry.size) bytes, \(age) s old, minimum age \(Int(pull.minimumAge)) s)")
            }
        }
        let disposal: String
        switch pull.afterCommit {
        case .delete: disposal = "deleted"
        case .moveTo(let archive): disposal = "moved to \(archive)"
        }
        lines.append("after the ledger commits a file it is \(disposal) on the server")
        return lines
    }

    private static func describe(_ policy: HostKeyPolicy) -> String {
        switch policy {
        case .knownHosts(let path): return "known_hosts \(path)"
        case .fingerprint(let pinned): return "pinned fingerprint \(pinned)"
        }
    }
}
