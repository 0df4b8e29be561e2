import Foundation
import FormatKit
import Ledger
import PGP
import Transport
#if canImport(Glibc)
import Glibc
#endif

/// OpenPGP for partners who ask for it (issue 18), on the gateway's own keyring (`var/gnupg`):
/// an inbound channel with `pgp:` has its files decrypted (and their signer checked) before they
/// are read — the decrypted bytes are translated, the file as received is archived; an outbound
/// channel with `pgp:` gets the writer's bytes encrypted (and signed) before they reach the outbox,
/// so delivery (SFTP push or drop box) only ever sees the sealed file.
public final class PGPPlugin: PipelinePlugin, @unchecked Sendable {
    // @unchecked: `keyrings`, `imported` and `lastSweep` are only touched under `lock`.
    private let lock = NSLock()
    private var keyrings: [String: PGPKeyring] = [:]
    /// Key file → (its modification time, the primary fingerprints it holds), once imported.
    private var imported: [String: (Date, [String])] = [:]
    private var lastSweep: Date?

    public init() {}

    /// Key expiry is warned this long before.
    public static let expiryWarning: TimeInterval = 30 * 86400

    func keyring(_ config: GatewayConfig) throws -> PGPKeyring {
        try lock.withLock {
            if let k = keyrings[config.pgpHome] { return k }
            let k = try PGPKeyring(home: config.pgpHome)
            keyrings[config.pgpHome] = k
            return k
        }
    }

    /// The primary fingerprints of a key file, importing it into the keyring when new or changed.
    func fingerprints(_ path: String, keyring: PGPKeyring) throws -> [String] {
        let mtime = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? nil
        if let mtime, let known = lock.withLock({ imported[path] }), known.0 == mtime { return known.1 }
        let fprs = try keyring.importKeys(file: path)
        if let mtime { lock.withLock { imported[path] = (mtime, fprs) } }
        return fprs
    }

    /// `var/work/.tmp-pgp-<id>`: the decrypted bytes while the file is translated (0600, streamed
    /// by GnuPG; removed after translation or quarantine; a crash leaves it to the next start's sweep).
    static func plaintextPath(_ config: GatewayConfig, _ file: FileEntry) -> String { "\(config.workDir)/\(AtomicFile.tempPrefix)pgp-\(file.id!)" }

    public func translationInput(_ file: FileEntry, channel: GatewayConfig.Channel, pipeline: Pipeline) throws -> String? {
        guard let pgp = channel.pgp else { return nil }
        func report(_ code: String, _ message: String) -> ErrorReport {
            ErrorReport(file: file.name, sha256: file.sha256, partner: file.partner, format: channel.format, stage: .read, code: code, message: message)
        }
        let passphrase: String?
        do { passphrase = try pgp.passphrase?.read() } catch { throw report("pgp.passphrase", "\(error)") }
        let keyring: PGPKeyring, signers: [String]
        do {
            keyring = try self.keyring(pipeline.config)
            for k in pgp.decryptWith { _ = try fingerprints(k, keyring: keyring) }
            signers = try pgp.verifyWith.flatMap { try fingerprints($0, keyring: keyring) }
        } catch { throw report("pgp.keys", "\(error)") }
        let path = Self.plaintextPath(pipeline.config, file)
        unlink(path)
        let input = openRegularBytes(Array(file.workPath.utf8))
        guard input >= 0 else { throw report("pgp.decrypt", "cannot open \(file.workPath): \(String(cString: strerror(errno)))") }
        defer { close(input) }
        let output = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw report("pgp.decrypt", "cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(output) }
        let verification: PGPKeyring.Verification
        do {
            verification = try keyring.open(fileDescriptor: input, into: output, decrypt: pgp.decrypt, signers: signers, passphrase: passphrase)
        } catch let e as PGPError {
            throw report(e.kind == .tampered ? "pgp.bad-signature" : "pgp.decrypt", e.description)
        }
        if !pgp.verifyWith.isEmpty {
            switch verification {
            case .good: break
            case .unsigned:
                throw report("pgp.unsigned", "the file is not signed; the channel accepts files signed by \(pgp.verifyWith.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")) only")
            case .bad(let detail): throw report("pgp.bad-signature", detail)
            }
        }
        if case .good(let signer) = verification {
            try? pipeline.ledger.audit(fileId: file.id, "pgp-verified", "\(pgp.decrypt ? "decrypted, " : "")signed by \(signer)")
        } else {
            try? pipeline.ledger.audit(fileId: file.id, "pgp-decrypted", "decrypted (signature not required)")
        }
        return path
    }

    public func afterTranslate(_ file: FileEntry, channel: GatewayConfig.Channel, records: StoredRecords, pipeline: Pipeline) {
        if channel.pgp != nil { unlink(Self.plaintextPath(pipeline.config, file)) }
    }

    public func afterQuarantine(_ file: FileEntry, channel: GatewayConfig.Channel, report: ErrorReport, pipeline: Pipeline) {
        if channel.pgp != nil { unlink(Self.plaintextPath(pipeline.config, file)) }
    }

    /// Plaintexts of files that ended without the hooks above (a twin archived as duplicate after
    /// its worker finished) are removed on a later turn.
    public func tick(now: Date, pipeline: Pipeline) {
        let config = pipeline.config
        guard config.channels.contains(where: { $0.pgp != nil }) else { return }
        let due: Bool = lock.withLock {
            if let last = lastSweep, now.timeIntervalSince(last) < 30 { return false }
            lastSweep = now
            return true
        }
        guard due else { return }
        let prefix = AtomicFile.tempPrefix + "pgp-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: config.workDir)) ?? [] where name.hasPrefix(prefix) {
            guard let id = Int64(name.dropFirst(prefix.count)), let file = try? pipeline.ledger.file(id: id), file.state != .received else { continue }
            unlink(config.workDir + "/" + name)
        }
    }

    public func sealOutbound(_ file: OutputFile, partner: String, channel: String, pipeline: Pipeline) throws -> OutputFile? {
        guard let pgp = pipeline.config.partner(named: partner)?.outbound.first(where: { $0.name == channel })?.pgp else { return nil }
        let keyring = try self.keyring(pipeline.config)
        let recipients = try pgp.encryptTo.flatMap { try fingerprints($0, keyring: keyring) }
        let signer = try pgp.signWith.map { try fingerprints($0, keyring: keyring)[0] }
        let sealed = try keyring.encrypt(file.bytes, to: recipients, signer: signer, passphrase: try pgp.passphrase?.read(), armor: pgp.armor)
        return OutputFile(name: file.name + pgp.suffix, bytes: sealed)
    }

    /// Keys of the gateway keyring that expire within 30 days (or have), for status and doctor.
    public static func expiringKeys(_ config: GatewayConfig, now: Date) throws -> [PGPKeyring.Key] {
        guard config.usesPGP, FileManager.default.fileExists(atPath: config.pgpHome) else { return [] }
        return try PGPKeyring(home: config.pgpHome).keys().filter { k in k.expires.map { $0.timeIntervalSince(now) < expiryWarning } ?? false }
    }

    static func expiryLine(_ key: PGPKeyring.Key, now: Date) -> String {
        let days = Int((key.expires!.timeIntervalSince(now) / 86400).rounded(.down))
        let when = days < 0 ? "expired \(isoTime(key.expires!))" : "expires \(isoTime(key.expires!)) (in \(days) day(s))"
        return "WARN pgp key \(key.fingerprint) \(key.userID): \(when)"
    }

    public func statusLines(config: GatewayConfig, ledger: Ledger, now: Date) -> [String] {
        guard config.usesPGP else { return [] }
        do {
            return try Self.expiringKeys(config, now: now).map { Self.expiryLine($0, now: now) }
        } catch { return ["WARN pgp keyring \(config.pgpHome): \(error)"] }
    }
}

extension Doctor {
    /// Key files readable and importable; secret keys and passphrase files private; keys not about to expire.
    func pgpKeys(_ config: GatewayConfig, now: Date = Date()) -> [Finding] {
        guard config.usesPGP else { return [] }
        var out = [Finding]()
        let keyring: PGPKeyring
        do { keyring = try PGPKeyring(home: config.pgpHome) } catch {
            return [Finding(status: .fail, check: "pgp keyring", message: "\(error)", fix: "make \(config.pgpHome) a folder the gateway user owns (mode 700)")]
        }
        for (label, path) in config.pgpKeyFiles {
            do {
                let fprs = try keyring.importKeys(file: path)
                out.append(Finding(status: .ok, check: "\(label) key", message: "\(path): \(fprs.joined(separator: ", "))"))
            } catch {
                out.append(Finding(status: .fail, check: "\(label) key", message: "\(error)", fix: "export the key with gpg --armor --export (or --export-secret-keys for ours) into \(path)"))
            }
        }
        var secrets = [(String, SecretSource)]()
        for c in config.channels {
            if let p = c.pgp?.passphrase { secrets.append(("\(c.partner)/\(c.name) pgp", p)) }
            for k in c.pgp?.decryptWith ?? [] { out.append(Self.secretFile(what: "secret key file", path: k, label: "\(c.partner)/\(c.name) pgp")) }
        }
        for o in config.outboundChannels {
            if let p = o.pgp?.passphrase { secrets.append(("\(o.partner)/\(o.name) pgp", p)) }
            if let s = o.pgp?.signWith { out.append(Self.secretFile(what: "secret key file", path: s, label: "\(o.partner)/\(o.name) pgp")) }
        }
        for (label, source) in secrets { if case .file(let p) = source { out.append(Self.secretFile(what: "passphrase file", path: p, label: label)) } }
        for key in (try? keyring.keys()) ?? [] {
            guard let expires = key.expires else { continue }
            if expires.timeIntervalSince(now) < PGPPlugin.expiryWarning {
                out.append(Finding(status: expires < now ? .fail : .warn, check: "pgp key \(key.fingerprint)", message: String(PGPPlugin.expiryLine(key, now: now).dropFirst(5)),
                                   fix: "extend it (gpg --quick-set-expire) or get the partner's new key, and export it into the key file again"))
            }
        }
        return out
    }
}
