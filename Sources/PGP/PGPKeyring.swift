import Foundation
import CGPGME
#if canImport(Glibc)
import Glibc
#endif

/// OpenPGP through GPGME on a keyring of the gateway's own (a GNUPGHOME folder, never the
/// user's): keys are imported from files named in the config, signers are pinned to the keys of
/// those files (no web of trust), recipients are the keys of the files named for them.
public final class PGPKeyring: @unchecked Sendable {
    // @unchecked: the GPGME context is only used under `lock`.
    public let home: String
    private let lock = NSLock()
    private let ctx: gpgme_ctx_t

    public init(home: String) throws {
        self.home = home
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        chmod(home, 0o700)
        _ = PGPKeyring.initialized
        var c: gpgme_ctx_t?
        try PGPKeyring.check(gpgme_new(&c), "cannot create a GPGME context")
        ctx = c!
        try PGPKeyring.check(gpgme_ctx_set_engine_info(ctx, GPGME_PROTOCOL_OpenPGP, nil, home), "cannot use the keyring \(home)")
        try PGPKeyring.check(gpgme_set_pinentry_mode(ctx, GPGME_PINENTRY_MODE_LOOPBACK), "cannot set loopback pinentry")
    }

    deinit { gpgme_release(ctx) }

    static let initialized: Bool = {
        setlocale(LC_CTYPE, "")
        _ = cgpgme_init()
        return true
    }()

    // MARK: keys

    /// Imports the keys of an armoured or binary key file; returns the primary fingerprints it holds.
    public func importKeys(file path: String) throws -> [String] {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, let bytes = FileManager.default.contents(atPath: path) else {
            throw PGPError(.keyFile, "cannot read the key file \(path) (a regular file)")
        }
        return try lock.withLock {
            let data = try GPGMEBuffer(bytes: [UInt8](bytes))
            try PGPKeyring.check(gpgme_op_import(ctx, data.handle), "cannot import \(path)")
            guard let result = gpgme_op_import_result(ctx) else { throw PGPError(.keyFile, "no import result for \(path)") }
            var fprs = [String]()
            var item = result.pointee.imports
            while let i = item {
                if i.pointee.result == 0, let f = i.pointee.fpr { fprs.append(String(cString: f)) }
                item = i.pointee.next
            }
            // Subkey fingerprints are reported too when secret keys are imported: keep primaries.
            var primaries = [String]()
            for f in fprs {
                if let key = try? key(f, secret: false), !primaries.contains(key.fingerprint) { primaries.append(key.fingerprint) }
            }
            if primaries.isEmpty { throw PGPError(.keyFile, "\(path) holds no OpenPGP key") }
            return primaries
        }
    }

    /// One key as the keyring has it.
    public struct Key: Sendable, Equatable {
        public var fingerprint: String
        public var userID: String
        /// The earliest expiry of the primary key and its usable subkeys; nil = never.
        public var expires: Date?
        public var hasSecret: Bool
        public var canEncrypt: Bool
        public var canSign: Bool
    }

    public func keys() throws -> [Key] {
        try lock.withLock {
            var out = [Key]()
            for secret in [false, true] {
                try PGPKeyring.check(gpgme_op_keylist_start(ctx, nil, secret ? 1 : 0), "cannot list keys")
                while true {
                    var k: gpgme_key_t?
                    if gpgme_op_keylist_next(ctx, &k) != 0 { break }
                    guard let k else { break }
                    let key = PGPKeyring.describe(k)
                    gpgme_key_unref(k)
                    if let i = out.firstIndex(where: { $0.fingerprint == key.fingerprint }) { out[i].hasSecret = out[i].hasSecret || secret } else { out.append(key) }
                }
                gpgme_op_keylist_end(ctx)
            }
            return out
        }
    }

    /// Must hold `lock`.
    private func key(_ fpr: String, secret: Bool) throws -> Key {
        var k: gpgme_key_t?
        try PGPKeyring.check(gpgme_get_key(ctx, fpr, &k, secret ? 1 : 0), "no key \(fpr) in \(home)")
        defer { gpgme_key_unref(k) }
        return PGPKeyring.describe(k!)
    }

    static func describe(_ k: gpgme_key_t) -> Key {
        let primary = k.pointee.subkeys!
        var expires: Date?
        var sub: gpgme_subkey_t? = primary
        while let s = sub {
            if s.pointee.revoked == 0, s.pointee.expires > 0 {
                let d = Date(timeIntervalSince1970: TimeInterval(s.pointee.expires))
                expires = min(expires ?? d, d)
            }
            sub = s.pointee.next
        }
        return Key(fingerprint: String(cString: primary.pointee.fpr), userID: k.pointee.uids.flatMap { $0.pointee.uid.map { String(cString: $0) } } ?? "",
                   expires: expires, hasSecret: k.pointee.secret != 0, canEncrypt: k.pointee.can_encrypt != 0, canSign: k.pointee.can_sign != 0)
    }

    // MARK: decrypt and verify

    /// What a decryption found out about the signatures.
    public enum Verification: Sendable, Equatable {
        /// Signed by one of the expected keys (its primary fingerprint), and the signature is good.
        case good(signer: String)
        case unsigned
        /// Signed, but the signature is bad or by a key that is not expected (`detail` says which).
        case bad(detail: String)
    }

    /// Decrypts `message` (armoured or binary) with the secret keys of the keyring and checks its
    /// signatures against `signers` (primary fingerprints). Throws `PGPError` when it cannot be decrypted.
    public func decryptVerify(_ message: [UInt8], signers: [String], passphrase: String?) throws -> (plaintext: [UInt8], verification: Verification) {
        let output = try GPGMEBuffer()
        let verification = try open(GPGMEBuffer(bytes: message), into: output, decrypt: true, signers: signers, passphrase: passphrase)
        return (output.bytes(), verification)
    }

    /// Checks a signed, not encrypted message (clearsigned, or signed with `gpg --sign`) and returns
    /// the signed bytes. A message without an OpenPGP signature is `.unsigned`.
    public func verify(_ message: [UInt8], signers: [String]) throws -> (plaintext: [UInt8], verification: Verification) {
        let output = try GPGMEBuffer()
        let verification = try open(GPGMEBuffer(bytes: message), into: output, decrypt: false, signers: signers, passphrase: nil)
        return (output.bytes(), verification)
    }

    /// The same from one open file into another, streamed (memory stays flat however large the file).
    public func open(fileDescriptor input: Int32, into output: Int32, decrypt: Bool, signers: [String], passphrase: String?) throws -> Verification {
        try open(GPGMEBuffer(fileDescriptor: input), into: GPGMEBuffer(fileDescriptor: output), decrypt: decrypt, signers: signers, passphrase: passphrase)
    }

    private func open(_ input: GPGMEBuffer, into output: GPGMEBuffer, decrypt: Bool, signers: [String], passphrase: String?) throws -> Verification {
        try lock.withLock {
            guard decrypt else {
                let err = gpgme_op_verify(ctx, input.handle, nil, output.handle)
                if gpgme_err_code(err) == GPG_ERR_NO_DATA { return .unsigned }
                if err != 0 { throw PGPError(.tampered, "the signed message cannot be read: \(PGPKeyring.message(err))") }
                return verification(signers: signers)
            }
            let box = Passphrase(passphrase)
            gpgme_set_passphrase_cb(ctx, passphraseCallback, Unmanaged.passUnretained(box).toOpaque())
            defer { gpgme_set_passphrase_cb(ctx, nil, nil) }
            let err = gpgme_op_decrypt_verify(ctx, input.handle, output.handle)
            if err != 0 {
                // A message for one of our keys that still fails was changed after it was made.
                let text = PGPKeyring.message(err)
                if recipientsOurs() { throw PGPError(.tampered, "the message does not decrypt with our key although it was encrypted to it (\(text)): changed after it was encrypted") }
                throw PGPError(.decrypt, "cannot decrypt: \(text)\(box.asked && passphrase == nil ? " (the secret key needs a passphrase: passphraseFile)" : "")")
            }
            return verification(signers: signers)
        }
    }

    /// The last operation's signatures against the expected signers. Must hold `lock`.
    private func verification(signers: [String]) -> Verification {
        guard let result = gpgme_op_verify_result(ctx), let first = result.pointee.signatures else { return .unsigned }
        var sig: gpgme_signature_t? = first
        var problems = [String]()
        while let s = sig {
            let fpr = s.pointee.fpr.map { String(cString: $0) } ?? "?"
            if gpgme_err_code(s.pointee.status) == GPG_ERR_NO_ERROR {
                let primary = (try? key(fpr, secret: false))?.fingerprint ?? fpr
                if signers.contains(primary) { return .good(signer: primary) }
                problems.append("signed by \(primary), which is not the expected key (\(signers.joined(separator: ", ")))")
            } else if gpgme_err_code(s.pointee.status) == GPG_ERR_NO_PUBKEY {
                problems.append("signed by an unknown key \(fpr), not the expected key (\(signers.joined(separator: ", ")))")
            } else {
                problems.append("the signature by \(fpr) is bad: \(PGPKeyring.message(s.pointee.status))")
            }
            sig = s.pointee.next
        }
        return .bad(detail: problems.joined(separator: "; "))
    }

    /// Whether the last decryption was for a key whose secret we hold.
    private func recipientsOurs() -> Bool {
        guard let r = gpgme_op_decrypt_result(ctx) else { return false }
        var rec = r.pointee.recipients
        while let x = rec {
            if gpgme_err_code(x.pointee.status) == GPG_ERR_NO_ERROR { return true }
            rec = x.pointee.next
        }
        return false
    }

    // MARK: encrypt and sign

    /// Encrypts `plaintext` to `recipients` (primary fingerprints), signed by `signer` when given.
    public func encrypt(_ plaintext: [UInt8], to recipients: [String], signer: String?, passphrase: String?, armor: Bool) throws -> [UInt8] {
        try lock.withLock {
            var keys = [gpgme_key_t?]()
            defer { for k in keys { gpgme_key_unref(k) } }
            for fpr in recipients {
                var k: gpgme_key_t?
                try PGPKeyring.check(gpgme_get_key(ctx, fpr, &k, 0), "no key \(fpr) to encrypt to")
                keys.append(k)
            }
            keys.append(nil)
            gpgme_signers_clear(ctx)
            defer { gpgme_signers_clear(ctx) }
            if let signer {
                var k: gpgme_key_t?
                try PGPKeyring.check(gpgme_get_key(ctx, signer, &k, 1), "no secret key \(signer) to sign with")
                defer { gpgme_key_unref(k) }
                try PGPKeyring.check(gpgme_signers_add(ctx, k), "cannot sign with \(signer)")
            }
            gpgme_set_armor(ctx, armor ? 1 : 0)
            defer { gpgme_set_armor(ctx, 0) }
            let box = Passphrase(passphrase)
            gpgme_set_passphrase_cb(ctx, passphraseCallback, Unmanaged.passUnretained(box).toOpaque())
            defer { gpgme_set_passphrase_cb(ctx, nil, nil) }
            let input = try GPGMEBuffer(bytes: plaintext), output = try GPGMEBuffer()
            let flags = GPGME_ENCRYPT_ALWAYS_TRUST
            let err = keys.withUnsafeMutableBufferPointer { k in
                signer == nil ? gpgme_op_encrypt(ctx, k.baseAddress, flags, input.handle, output.handle)
                              : gpgme_op_encrypt_sign(ctx, k.baseAddress, flags, input.handle, output.handle)
            }
            if err != 0 {
                throw PGPError(.encrypt, "cannot \(signer == nil ? "encrypt" : "encrypt and sign"): \(PGPKeyring.message(err))\(box.asked && passphrase == nil ? " (the signing key needs a passphrase: passphraseFile)" : "")")
            }
            return output.bytes()
        }
    }

    // MARK: support

    static func check(_ err: gpgme_error_t, _ what: @autoclosure () -> String) throws {
        if err != 0 { throw PGPError(.engine, "\(what()): \(message(err))") }
    }

    static func message(_ err: gpgme_error_t) -> String { String(cString: gpgme_strerror(err)) }
}

/// The passphrase handed to GnuPG's loopback pinentry; never logged.
final class Passphrase {
    let value: String?
    var asked = false
    init(_ value: String?) { self.value = value }
}

private let passphraseCallback: gpgme_passphrase_cb_t = { hook, _, _, prevWasBad, fd in
    let box = Unmanaged<Passphrase>.fromOpaque(hook!).takeUnretainedValue()
    box.asked = true
    guard let value = box.value, prevWasBad == 0 else { return gpgme_error_t(GPG_ERR_CANCELED.rawValue) }
    let line = Array((value + "\n").utf8)
    _ = line.withUnsafeBytes { gpgme_io_writen(fd, $0.baseAddress, $0.count) }
    return 0
}

/// A GPGME data buffer in memory.
final class GPGMEBuffer {
    let handle: gpgme_data_t
    private var keep: [UInt8] = []
    init() throws {
        var h: gpgme_data_t?
        try PGPKeyring.check(gpgme_data_new(&h), "cannot make a buffer")
        handle = h!
    }
    /// Reads from or writes to an open descriptor (not closed here).
    init(fileDescriptor fd: Int32) throws {
        var h: gpgme_data_t?
        try PGPKeyring.check(gpgme_data_new_from_fd(&h, fd), "cannot use descriptor \(fd)")
        handle = h!
    }
    init(bytes: [UInt8]) throws {
        keep = bytes.isEmpty ? [0] : bytes
        let count = bytes.count
        var h: gpgme_data_t?
        let err = keep.withUnsafeBufferPointer { p in
            p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { gpgme_data_new_from_mem(&h, $0, count, 1) }
        }
        try PGPKeyring.check(err, "cannot make a buffer")
        handle = h!
    }
    private var released = false
    deinit { if !released { gpgme_data_release(handle) } }

    /// The buffer's bytes; the buffer is released (call once).
    func bytes() -> [UInt8] {
        var size = 0
        released = true
        guard let p = gpgme_data_release_and_get_mem(handle, &size) else { return [] }
        defer { gpgme_free(p) }
        return [UInt8](UnsafeRawBufferPointer(start: p, count: size))
    }
}

public struct PGPError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case keyFile, engine, decrypt, tampered, encrypt }
    public var kind: Kind
    public var description: String
    public init(_ kind: Kind, _ description: String) { self.kind = kind; self.description = description }
}
