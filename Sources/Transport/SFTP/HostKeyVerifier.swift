import CLibSSH2
import Foundation

/// Checks the server's host key right after the SSH handshake, before any credential is sent.
/// An unknown key (no known_hosts entry) and a changed key both refuse the connection.
enum HostKeyVerifier {
    /// The SHA-256 fingerprint of the session's host key, printed like OpenSSH: `SHA256:` and
    /// base64 without `=` padding.
    static func fingerprint(_ session: OpaquePointer) -> String? {
        guard let hash = libssh2_hostkey_hash(session, LIBSSH2_HOSTKEY_HASH_SHA256) else { return nil }
        let bytes = Data(UnsafeRawBufferPointer(start: hash, count: 32))
        return "SHA256:" + bytes.base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    static func verify(_ session: OpaquePointer, policy: HostKeyPolicy, settings: SFTPSettings) throws {
        let endpoint = settings.endpoint
        guard let actual = fingerprint(session) else {
            throw SFTPError.hostKeyRejected(endpoint: endpoint, reason: "the server sent no host key")
        }
        switch policy {
        case .fingerprint(let pinned):
            if normalized(pinned) != normalized(actual) {
                throw SFTPError.hostKeyRejected(endpoint: endpoint,
                    reason: "fingerprint is \(actual) but the channel pins \(pinned) — the key changed or this is another server")
            }
        case .knownHosts(let path):
            try checkKnownHosts(session, path: path, settings: settings, actual: actual)
        }
    }

    /// Accepts `SHA256:abc`, `abc`, with or without base64 padding.
    private static func normalized(_ fingerprint: String) -> String {
        var text = fingerprint.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("SHA256:") { text.removeFirst("SHA256:".count) }
        return text.replacingOccurrences(of: "=", with: "")
    }

    private static func checkKnownHosts(_ session: OpaquePointer, path: String, settings: SFTPSettings, actual: String) throws {
        let endpoint = settings.endpoint
        guard let hosts = libssh2_knownhost_init(session) else {
            throw SFTPError.hostKeyRejected(endpoint: endpoint, reason: "cannot initialise known_hosts checking")
        }
        defer { libssh2_knownhost_free(hosts) }
        if libssh2_knownhost_readfile(hosts, path, LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0 {
            throw SFTPError.hostKeyRejected(endpoint: endpoint, reason: "cannot read known_hosts file \(path)")
        }
        var keyLength = 0
        var keyType: Int32 = 0
        guard let key = libssh2_session_hostkey(session, &keyLength, &keyType) else {
            throw SFTPError.hostKeyRejected(endpoint: endpoint, reason: "the server sent no host key")
        }
        let typeMask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | knownHostKeyBit(keyType)
        var entry: UnsafeMutablePointer<libssh2_knownhost>?
        let result = libssh2_knownhost_checkp(hosts, settings.host, Int32(settings.port), key, keyLength, Int32(typeMask), &entry)
        switch result {
        case LIBSSH2_KNOWNHOST_CHECK_MATCH:
            return
        case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
            throw SFTPError.hostKeyRejected(endpoint: endpoint,
                reason: "the key (\(actual)) differs from the one in \(path) — it CHANGED; verify with the partner before updating known_hosts")
        case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
            throw SFTPError.hostKeyRejected(endpoint: endpoint,
                reason: "unknown host: \(path) has no entry for it; its key fingerprint is \(actual) — confirm it with the partner, then add it")
        default:
            throw SFTPError.hostKeyRejected(endpoint: endpoint, reason: "known_hosts check failed for \(path)")
        }
    }

    /// The known_hosts key-type bits for a libssh2 host key type.
    private static func knownHostKeyBit(_ hostKeyType: Int32) -> Int32 {
        switch hostKeyType {
        case LIBSSH2_HOSTKEY_TYPE_RSA: return LIBSSH2_KNOWNHOST_KEY_SSHRSA
        case LIBSSH2_HOSTKEY_TYPE_DSS: return LIBSSH2_KNOWNHOST_KEY_SSHDSS
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return LIBSSH2_KNOWNHOST_KEY_ECDSA_256
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return LIBSSH2_KNOWNHOST_KEY_ECDSA_384
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return LIBSSH2_KNOWNHOST_KEY_ECDSA_521
        case LIBSSH2_HOSTKEY_TYPE_ED25519: return LIBSSH2_KNOWNHOST_KEY_ED25519
        default: return LIBSSH2_KNOWNHOST_KEY_UNKNOWN
        }
    }
}
