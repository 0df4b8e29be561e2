import Foundation
import Ledger
import Transport
#if canImport(Glibc)
import Glibc
#endif

/// Partners who push to us (issue 18): each has a chrooted SFTP account on this host's OpenSSH
/// (`dropgate sshd-config`, see `DropboxLayout`). Uploads land in its inbox channel folders and
/// are picked up like any dropped file (temp names and files still open are left alone); the
/// uploader (the file's owner, and the key sshd logged for that user) is recorded with the file.
/// Files routes write for the partner wait in its outbox channel folders; one the partner fetched
/// and removed is recorded `delivered`.
public final class DropboxPlugin: PipelinePlugin, @unchecked Sendable {
    // @unchecked: `lastLook` is only touched under `lock`.
    private let lock = NSLock()
    /// When each running pipeline last looked (held weakly: a new pipeline may get a freed one's
    /// address, and must not inherit its last look — a `run --once` after another skipped its look).
    private var lastLook: [ObjectIdentifier: (pipeline: Weak, at: Date)] = [:]
    private struct Weak { weak var pipeline: Pipeline? }
    /// Outboxes are looked at this often.
    static let lookInterval: TimeInterval = 1

    public init() {}

    public func beforeTranslate(_ file: FileEntry, channel: GatewayConfig.Channel, pipeline: Pipeline) throws {
        guard let account = pipeline.config.partner(named: channel.partner)?.dropbox else { return }
        var st = stat()
        guard lstat(file.workPath, &st) == 0, let owner = Doctor.userNameIfKnown(st.st_uid), owner == account.user else { return }
        let key = pipeline.config.dropboxes?.sshdLog.flatMap { SSHDLog(path: $0).lastKey(user: owner) }
        try pipeline.ledger.recordUpload(DropboxUpload(fileId: file.id!, user: owner, keyFingerprint: key))
    }

    public func tick(now: Date, pipeline: Pipeline) {
        let config = pipeline.config
        guard !config.dropboxPartners.isEmpty else { return }
        let due: Bool = lock.withLock {
            let key = ObjectIdentifier(pipeline)
            if let last = lastLook[key], last.pipeline.pipeline === pipeline, now.timeIntervalSince(last.at) < Self.lookInterval { return false }
            lastLook = lastLook.filter { $0.value.pipeline.pipeline != nil }
            lastLook[key] = (Weak(pipeline: pipeline), now)
            return true
        }
        guard due else { return }
        for p in config.dropboxPartners {
            for o in p.outbound {
                for file in (try? pipeline.ledger.waitingOutbound(partner: p.name, channel: o.name)) ?? [] where !fileExists(file.path) {
                    let detail = "fetched from the drop box by \(p.dropbox!.user) (removed from its outbox)"
                    do {
                        try pipeline.ledger.markOutboundFetched(path: file.path, detail: detail, now: now)
                        pipeline.logger.info("\(p.name)/\(o.name) \(file.name) state=delivered \(detail)")
                    } catch {
                        pipeline.logger.error("\(p.name)/\(o.name) \(file.name): cannot record the delivery: \(error)")
                    }
                }
            }
        }
    }

    public func statusLines(config: GatewayConfig, ledger: Ledger, now: Date) -> [String] {
        config.dropboxPartners.flatMap { p in
            p.outbound.compactMap { o -> String? in
                let waiting = (try? ledger.waitingOutbound(partner: p.name, channel: o.name).count) ?? 0
                return waiting > 0 ? "dropbox \(p.name)/\(o.name): \(waiting) file(s) waiting for \(p.dropbox!.user) to fetch them" : nil
            }
        }
    }
}

/// What sshd logged (`LogLevel INFO`), read from the end of its log.
struct SSHDLog {
    let path: String
    /// The last this many bytes are read.
    static let tail = 4 << 20

    func lines() -> [Substring] {
        guard let h = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? h.close() }
        let size = (try? h.seekToEnd()) ?? 0
        try? h.seek(toOffset: size > UInt64(Self.tail) ? size - UInt64(Self.tail) : 0)
        let data = (try? h.readToEnd()) ?? Data()
        return String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
    }

    /// `Accepted publickey for <user> from … ssh2: ED25519 SHA256:…`: the key of the user's last login.
    func lastKey(user: String) -> String? {
        for line in lines().reversed() {
            guard let r = line.range(of: "Accepted publickey for \(user) from ") else { continue }
            let words = line[r.upperBound...].split(separator: " ")
            if let i = words.firstIndex(of: "ssh2:"), i + 2 < words.count { return words[i + 1] + " " + words[i + 2] }
        }
        return nil
    }
}

extension Doctor {
    static func userNameIfKnown(_ uid: uid_t) -> String? {
        guard let pw = getpwuid(uid), let name = pw.pointee.pw_name else { return nil }
        return String(cString: name)
    }

    /// Drop boxes: the chroot folders OpenSSH accepts, the accounts exist, the key files are readable.
    func dropboxes(_ config: GatewayConfig) -> [Finding] {
        guard let layout = try? DropboxLayout(config: config) else { return [] }
        var out = [Finding]()
        let problems = layout.chrootProblems(layout.settings.root)
        out.append(problems.isEmpty ? Finding(status: .ok, check: "dropboxes root", message: "\(layout.settings.root): root-owned up to /")
                   : Finding(status: .fail, check: "dropboxes root", message: problems.joined(separator: "; "), fix: "dropboxes.root: a folder such as /srv/dropgate, then dropgate sshd-config"))
        for p in config.dropboxPartners {
            let user = p.dropbox!.user
            if getpwnam(user) == nil {
                out.append(Finding(status: .fail, check: "\(p.name) dropbox user", message: "no system user \(user)", fix: "dropgate sshd-config --create-users"))
            }
            for k in p.dropbox!.keys where !FileManager.default.isReadableFile(atPath: k) {
                out.append(Finding(status: .fail, check: "\(p.name) dropbox keys", message: "cannot read \(k)", fix: "put the partner's OpenSSH public key there"))
            }
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: "\(config.inbox)/\(p.name)")) != layout.chroot(p.name) + "/inbox" {
                out.append(Finding(status: .warn, check: "\(p.name) dropbox", message: "\(config.inbox)/\(p.name) is not linked to \(layout.chroot(p.name))/inbox", fix: "dropgate sshd-config"))
            }
        }
        return out
    }
}
