import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One push channel's rules.
public struct PushSettings: Sendable, Equatable {
    public var remoteDirectory: String
    /// True (default): upload as `.dropgate-<name>.part` and rename when complete, so the
    /// partner never sees a partial file. False: write the final name directly, for servers
    /// that forbid rename.
    public var uploadUnderTemporaryName: Bool

    public init(remoteDirectory: String, uploadUnderTemporaryName: Bool = true) {
        self.remoteDirectory = remoteDirectory
        self.uploadUnderTemporaryName = uploadUnderTemporaryName
    }
}

/// What a push did.
public enum PushOutcome: Sendable, Equatable {
    /// Uploaded (and renamed) now; the caller marks the file delivered.
    case delivered(bytes: Int64)
    /// Nothing uploaded: the ledger or the server already has it.
    case alreadyDelivered(reason: String)
}

/// Delivers outbound files to one remote folder, at most once.
///
/// Idempotent across crashes: before uploading it asks the caller's ledger (`isDelivered`) and
/// then the server (a file with the same name and size in the folder means an earlier run got
/// as far as the rename but crashed before the ledger was updated).
public struct SFTPPusher: Sendable {
    static let temporaryPrefix = ".dropgate-"
    static let temporarySuffix = ".part"

    private let store: any RemoteFileStore
    public let settings: PushSettings

    public init(store: any RemoteFileStore, settings: PushSettings) {
        self.store = store
        self.settings = settings
    }

    /// Uploads `localPath` as `remoteName`. Returns `.delivered` only after the final name is
    /// in place on the server.
    public func push(_ localPath: String, as remoteName: String,
                     isDelivered: @Sendable () async throws -> Bool) async throws -> PushOutcome {
        if try await isDelivered() { return .alreadyDelivered(reason: "the ledger marks it delivered") }
        var info = stat()
        guard stat(localPath, &info) == 0 else {
            throw SFTPError.local(operation: "read", path: localPath, reason: String(cString: strerror(errno)))
        }
        let size = Int64(info.st_size)
        let final = remotePath(settings.remoteDirectory, remoteName)
        if let present = try store.list(settings.remoteDirectory).first(where: { $0.name == remoteName }) {
            if present.size == size { return .alreadyDelivered(reason: "the server already has \(remoteName) with \(size) bytes") }
            guard !settings.uploadUnderTemporaryName else {
                throw SFTPError.conflict(path: final, reason: "the server has \(present.size) bytes under this name, ours has \(size)")
            }
            // Direct writes: a shorter file of ours is an upload that broke; it is rewritten below.
        }
        guard settings.uploadUnderTemporaryName else {
            return .delivered(bytes: try uploadChecked(localPath, to: final, size: size))
        }
        let temporary = remotePath(settings.remoteDirectory, Self.temporaryPrefix + remoteName + Self.temporarySuffix)
        let bytes = try uploadChecked(localPath, to: temporary, size: size)
        try store.rename(temporary, to: final)
        return .delivered(bytes: bytes)
    }

    private func uploadChecked(_ localPath: String, to remote: String, size: Int64) throws -> Int64 {
        let bytes = try store.upload(localPath, to: remote)
        guard bytes == size else { throw SFTPError.sizeMismatch(path: remote, expected: size, actual: bytes) }
        return bytes
    }
}
