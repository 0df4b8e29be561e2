import Foundation

/// One entry of a remote directory listing.
public struct RemoteEntry: Sendable, Equatable {
    /// The file name inside the listed directory (no path).
    public var name: String
    /// Size in bytes as the server reports it.
    public var size: Int64
    /// Last modification time as the server reports it (whole seconds in SFTP v3).
    public var modified: Date
    /// True for regular files; directories, links and devices are false.
    public var isRegularFile: Bool

    public init(name: String, size: Int64, modified: Date, isRegularFile: Bool = true) {
        self.name = name
        self.size = size
        self.modified = modified
        self.isRegularFile = isRegularFile
    }
}

/// The few remote file operations the pull and push logic needs.
///
/// `SFTPClient` implements it with libssh2; a second backend (another SSH library, a test
/// double) implements the same protocol and the pipeline does not change. Calls block the
/// calling thread until the server answered or the operation timeout passed.
public protocol RemoteFileStore: Sendable {
    /// Entries of `directory`, without `.` and `..`.
    func list(_ directory: String) throws -> [RemoteEntry]
    /// Copies `remotePath` into the new local file `localPath` (which must not exist) and
    /// returns the byte count. `progress` receives the bytes copied so far after each chunk.
    /// On failure the partial local file is removed before the error is thrown. The data is
    /// not fsynced: callers that need durability sync once per batch.
    func download(_ remotePath: String, to localPath: String, progress: ((Int64) -> Void)?) throws -> Int64
    /// Copies the local file to `remotePath` (created or truncated) and returns the byte count.
    func upload(_ localPath: String, to remotePath: String) throws -> Int64
    /// Renames on the server; fails when `to` exists (no silent overwrite).
    func rename(_ from: String, to: String) throws
    /// Deletes a remote file.
    func remove(_ path: String) throws
    /// Creates a remote directory (one level).
    func makeDirectory(_ path: String) throws
    /// True when `path` exists on the server.
    func exists(_ path: String) throws -> Bool
}

extension RemoteFileStore {
    /// `download` without progress reports.
    public func download(_ remotePath: String, to localPath: String) throws -> Int64 {
        try download(remotePath, to: localPath, progress: nil)
    }
}

/// Joins a remote directory and a name with exactly one `/`.
func remotePath(_ directory: String, _ name: String) -> String {
    if directory.isEmpty { return name }
    return directory.hasSuffix("/") ? directory + name : directory + "/" + name
}
