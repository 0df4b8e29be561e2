import Foundation

/// Where a secret (key passphrase, password) comes from. Secrets are never written inline in
/// gateway.yaml: they are read from an environment variable or a file at connect time.
public enum SecretSource: Sendable, Equatable {
    case environment(String)
    case file(String)

    /// The secret's text; a file's single trailing newline is dropped.
    public func read() throws -> String {
        switch self {
        case .environment(let name):
            guard let value = ProcessInfo.processInfo.environment[name] else {
                throw SFTPError.secretUnavailable("environment variable \(name) is not set")
            }
            return value
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path),
                  var text = String(data: data, encoding: .utf8) else {
                throw SFTPError.secretUnavailable("cannot read secret file \(path)")
            }
            if text.hasSuffix("\r\n") { text.removeLast(2) } else if text.hasSuffix("\n") { text.removeLast() }
            return text
        }
    }
}

/// How dropgate proves who it is to the server.
public enum SFTPAuthentication: Sendable, Equatable {
    /// An OpenSSH private key file (ed25519 or ECDSA with libssh2 1.10), optionally encrypted.
    case privateKey(path: String, passphrase: SecretSource?)
    case password(SecretSource)
}

/// How dropgate checks that the server is the one it claims to be. There is no "accept any".
public enum HostKeyPolicy: Sendable, Equatable {
    /// An OpenSSH known_hosts file; `[host]:port` entries are used for non-22 ports.
    case knownHosts(path: String)
    /// The SHA-256 fingerprint as `ssh-keygen -lf` prints it: `SHA256:` + unpadded base64.
    case fingerprint(String)
}

/// Everything needed to open an SFTP session with one endpoint.
public struct SFTPSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String
    public var authentication: SFTPAuthentication
    public var hostKey: HostKeyPolicy
    /// Seconds allowed for the TCP connection to be established.
    public var connectTimeout: TimeInterval
    /// Seconds allowed for any single blocking call (handshake, read, write, listing…).
    public var operationTimeout: TimeInterval

    public init(host: String, port: Int = 22, username: String, authentication: SFTPAuthentication,
                hostKey: HostKeyPolicy, connectTimeout: TimeInterval = 15, operationTimeout: TimeInterval = 60) {
        self.host = host
        self.port = port
        self.username = username
        self.authentication = authentication
        self.hostKey = hostKey
        self.connectTimeout = connectTimeout
        self.operationTimeout = operationTimeout
    }

    /// `user@host:port`, the endpoint name used for circuit breakers and messages.
    public var endpoint: String { "\(username)@\(host):\(port)" }
}
