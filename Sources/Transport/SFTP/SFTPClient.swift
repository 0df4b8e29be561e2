import Foundation

/// The libssh2 implementation of `RemoteFileStore`.
///
/// It opens its session lazily on the first call and again after the connection broke, so a
/// caller simply retries an operation after `SFTPError.connectionLost`.
///
/// Why `@unchecked Sendable` is safe: the only mutable state is `session`, which owns the
/// libssh2 C handles (`OpaquePointer`, not Sendable). Every read or write of `session`, and
/// every libssh2 call made through it, happens inside `lock.withLock`, so exactly one thread
/// uses the C handles at a time — libssh2's own rule for a session.
public final class SFTPClient: RemoteFileStore, @unchecked Sendable {
    public let settings: SFTPSettings
    private let lock = NSLock()
    private var session: SFTPSession?

    public init(settings: SFTPSettings) {
        self.settings = settings
    }

    /// Connects now (if not connected), verifying the host key and credentials; returns the
    /// server's host key fingerprint.
    @discardableResult
    public func connect() throws -> String {
        try withSession { $0.hostKeyFingerprint }
    }

    /// Closes the session; the next operation reconnects.
    public func disconnect() {
        lock.withLock { session = nil }
    }

    private func withSession<T>(_ body: (SFTPSession) throws -> T) throws -> T {
        try lock.withLock {
            let current = try session ?? SFTPSession(settings: settings)
            session = current
            do {
                return try body(current)
            } catch let error as SFTPError {
                if case .connectionLost = error { session = nil }
                throw error
            }
        }
    }

    public func list(_ directory: String) throws -> [RemoteEntry] { try withSession { try $0.list(directory) } }

    public func download(_ remotePath: String, to localPath: String, progress: ((Int64) -> Void)?) throws -> Int64 {
        try withSession { try $0.download(remotePath, to: localPath, progress: progress) }
    }

    public func upload(_ localPath: String, to remotePath: String) throws -> Int64 {
        try withSession { try $0.upload(localPath, to: remotePath) }
    }

    public func rename(_ from: String, to: String) throws { try withSession { try $0.rename(from, to: to) } }
    public func remove(_ path: String) throws { try withSession { try $0.remove(path) } }
    public func makeDirectory(_ path: String) throws { try withSession { try $0.makeDirectory(path) } }
    public func exists(_ path: String) throws -> Bool { try withSession { try $0.exists(path) } }
}
