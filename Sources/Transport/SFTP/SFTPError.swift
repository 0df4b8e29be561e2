import Foundation

/// Why an SFTP operation failed. Messages are written for the operator who sets up a partner.
public enum SFTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// TCP connection failed or timed out.
    case connectFailed(endpoint: String, reason: String)
    /// The server's host key is not the expected one (changed, or unknown to known_hosts).
    case hostKeyRejected(endpoint: String, reason: String)
    /// The server refused our credentials.
    case authenticationFailed(endpoint: String, reason: String)
    /// libssh2 1.10 cannot use RSA with rsa-sha2 signatures, which OpenSSH ≥ 8.8 requires:
    /// code -18/-19 (our RSA key refused) or -5 (key exchange failed, RSA-only host key).
    case rsaUnsupported(endpoint: String, code: Int32)
    /// A passphrase or password could not be read from its environment variable or file.
    case secretUnavailable(String)
    /// The session broke (socket closed, timeout, protocol error); reconnecting may help.
    case connectionLost(operation: String, code: Int32, message: String)
    /// The server answered the request with an SFTP status (no such file, permission…).
    case remote(operation: String, path: String, status: UInt, message: String)
    /// A local file could not be read or written.
    case local(operation: String, path: String, reason: String)
    /// The server already has a different file under the name we would write.
    case conflict(path: String, reason: String)
    /// A transfer ended with a byte count that does not match the expected size.
    case sizeMismatch(path: String, expected: Int64, actual: Int64)

    public var description: String {
        switch self {
        case .connectFailed(let endpoint, let reason):
            return "cannot connect to \(endpoint): \(reason)"
        case .hostKeyRejected(let endpoint, let reason):
            return "host key of \(endpoint) refused: \(reason); connection closed"
        case .authenticationFailed(let endpoint, let reason):
            return "authentication at \(endpoint) failed: \(reason)"
        case .rsaUnsupported(let endpoint, let code):
            let what = code == -5
                ? "key exchange with \(endpoint) failed (libssh2 error \(code)), most likely because the server offers only RSA host keys"
                : "\(endpoint) refused the RSA key (libssh2 error \(code))"
            return what + ": this libssh2 (\(SFTPError.libraryVersion)) cannot sign with rsa-sha2-256/512, which OpenSSH 8.8 "
                + "and later require. Use an ed25519 or ECDSA key (ssh-keygen -t ed25519) and, for host keys, ask the partner "
                + "for an ed25519/ECDSA host key — or run with libssh2 1.11 or later."
        case .secretUnavailable(let reason):
            return "secret unavailable: \(reason)"
        case .connectionLost(let operation, let code, let message):
            return "connection lost during \(operation) (libssh2 error \(code)): \(message)"
        case .remote(let operation, let path, let status, let message):
            return "\(operation) \(path) failed on the server (SFTP status \(status): \(message))"
        case .local(let operation, let path, let reason):
            return "\(operation) \(path) failed locally: \(reason)"
        case .conflict(let path, let reason):
            return "\(path): \(reason); nothing was overwritten"
        case .sizeMismatch(let path, let expected, let actual):
            return "\(path): transferred \(actual) bytes, expected \(expected)"
        }
    }

    /// True for errors that may go away on a later attempt (network, timeouts, server states).
    public var isTransient: Bool {
        switch self {
        case .connectFailed, .connectionLost, .sizeMismatch, .remote: return true
        case .hostKeyRejected, .authenticationFailed, .rsaUnsupported, .secretUnavailable, .local, .conflict: return false
        }
    }

    static var libraryVersion: String { "libssh2 " + SFTPSession.libraryVersion }
}
