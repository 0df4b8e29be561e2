import CLibSSH2
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// libssh2 must be initialised once per process before the first session.
private let libssh2Ready: Int32 = libssh2_init(0)

/// One open, verified, authenticated SFTP session: socket, SSH session and SFTP channel.
/// Not thread-safe on its own; `SFTPClient` serialises every use behind its lock.
final class SFTPSession {
    static var libraryVersion: String { libssh2_version(0).map { String(cString: $0) } ?? "unknown" }

    private let socketDescriptor: Int32
    private let session: OpaquePointer
    private let sftp: OpaquePointer
    /// The server's host key fingerprint (`SHA256:…`), checked against the channel's policy.
    let hostKeyFingerprint: String

    /// Connects, runs the SSH handshake, verifies the host key, authenticates and opens SFTP.
    init(settings: SFTPSettings) throws {
        _ = libssh2Ready
        let endpoint = settings.endpoint
        let fd = try connectTCP(host: settings.host, port: settings.port, timeout: settings.connectTimeout, endpoint: endpoint)
        guard let session = libssh2_session_init_ex(nil, nil, nil, nil) else {
            close(fd)
            throw SFTPError.connectFailed(endpoint: endpoint, reason: "libssh2 could not allocate a session")
        }
        libssh2_session_set_blocking(session, 1)
        libssh2_session_set_timeout(session, Int(settings.operationTimeout * 1000))
        func fail(_ error: SFTPError) -> SFTPError {
            libssh2_session_free(session)
            close(fd)
            return error
        }
        let handshake = libssh2_session_handshake(session, libssh2_socket_t(fd))
        if handshake != 0 {
            if handshake == LIBSSH2_ERROR_KEX_FAILURE {
                throw fail(.rsaUnsupported(endpoint: endpoint, code: handshake))
            }
            throw fail(.connectFailed(endpoint: endpoint, reason: "SSH handshake failed: \(Self.lastError(session))"))
        }
        do {
            try HostKeyVerifier.verify(session, policy: settings.hostKey, settings: settings)
            try Self.authenticate(session, settings: settings)
        } catch let error as SFTPError {
            libssh2_session_disconnect_ex(session, SSH_DISCONNECT_BY_APPLICATION, "refused", "")
            throw fail(error)
        }
        guard let sftp = libssh2_sftp_init(session) else {
            throw fail(.connectFailed(endpoint: endpoint, reason: "the server refused the SFTP subsystem: \(Self.lastError(session))"))
        }
        self.socketDescriptor = fd
        self.session = session
        self.sftp = sftp
        self.hostKeyFingerprint = HostKeyVerifier.fingerprint(session) ?? ""
    }

    deinit {
        libssh2_sftp_shutdown(sftp)
        libssh2_session_disconnect_ex(session, SSH_DISCONNECT_BY_APPLICATION, "bye", "")
        libssh2_session_free(session)
        close(socketDescriptor)
    }

    private static func authenticate(_ session: OpaquePointer, settings: SFTPSettings) throws {
        let user = settings.username
        let endpoint = settings.endpoint
        let result: Int32
        switch settings.authentication {
        case .privateKey(let path, let passphraseSource):
            let passphrase = try passphraseSource?.read()
            result = libssh2_userauth_publickey_fromfile_ex(session, user, UInt32(user.utf8.count), nil, path, passphrase)
            if result == 0 { return }
            if (result == LIBSSH2_ERROR_AUTHENTICATION_FAILED || result == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED)
                && PrivateKeyFile.isRSA(path: path) {
                throw SFTPError.rsaUnsupported(endpoint: endpoint, code: result)
            }
            if result == LIBSSH2_ERROR_FILE {
                throw SFTPError.authenticationFailed(endpoint: endpoint,
                    reason: "cannot load private key \(path) (missing, unsupported type or wrong passphrase): \(lastError(session))")
            }
        case .password(let source):
            let password = try source.read()
            result = libssh2_userauth_password_ex(session, user, UInt32(user.utf8.count), password, UInt32(password.utf8.count), nil)
            if result == 0 { return }
        }
        throw SFTPError.authenticationFailed(endpoint: endpoint, reason: "user \(user): \(lastError(session)) (libssh2 error \(result))")
    }

    private static func lastError(_ session: OpaquePointer) -> String {
        var message: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        libssh2_session_last_error(session, &message, &length, 0)
        return message.map { String(cString: $0) } ?? "unknown error"
    }

    // MARK: operations (raw, no reconnect)

    /// The error for the failed call just made: an SFTP status answer, or a broken session.
    private func failure(_ operation: String, _ path: String) -> SFTPError {
        let code = libssh2_session_last_errno(session)
        if code == LIBSSH2_ERROR_SFTP_PROTOCOL {
            let status = libssh2_sftp_last_error(sftp)
            return .remote(operation: operation, path: path, status: status, message: Self.statusName(status))
        }
        return .connectionLost(operation: "\(operation) \(path)", code: code, message: Self.lastError(session))
    }

    private static func statusName(_ status: UInt) -> String {
        switch status {
        case UInt(LIBSSH2_FX_NO_SUCH_FILE): return "no such file"
        case UInt(LIBSSH2_FX_PERMISSION_DENIED): return "permission denied"
        case UInt(LIBSSH2_FX_FAILURE): return "failure (for rename: the target may exist)"
        case UInt(LIBSSH2_FX_FILE_ALREADY_EXISTS): return "file already exists"
        case UInt(LIBSSH2_FX_OP_UNSUPPORTED): return "operation unsupported"
        default: return "status \(status)"
        }
    }

    private func open(_ path: String, flags: Int32, mode: Int, type: Int32, operation: String) throws -> OpaquePointer {
        guard let handle = libssh2_sftp_open_ex(sftp, path, UInt32(path.utf8.count), UInt(flags), mode, type) else {
            throw failure(operation, path)
        }
        return handle
    }

    func list(_ directory: String) throws -> [RemoteEntry] {
        let handle = try open(directory, flags: 0, mode: 0, type: LIBSSH2_SFTP_OPENDIR, operation: "list")
        defer { libssh2_sftp_close_handle(handle) }
        var entries: [RemoteEntry] = []
        var name = [CChar](repeating: 0, count: 1024)
        while true {
            var attributes = LIBSSH2_SFTP_ATTRIBUTES()
            let length = libssh2_sftp_readdir_ex(handle, &name, name.count, nil, 0, &attributes)
            if length == 0 { break }
            if length < 0 { throw failure("list", directory) }
            let entryName = String(decoding: name[0..<Int(length)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if entryName == "." || entryName == ".." { continue }
            let isRegular = attributes.flags & UInt(LIBSSH2_SFTP_ATTR_PERMISSIONS) != 0
                && attributes.permissions & UInt(LIBSSH2_SFTP_S_IFMT) == UInt(LIBSSH2_SFTP_S_IFREG)
            entries.append(RemoteEntry(name: entryName, size: Int64(attributes.filesize),
                                       modified: Date(timeIntervalSince1970: TimeInterval(attributes.mtime)),
                                       isRegularFile: isRegular))
        }
        return entries.sorted { $0.name < $1.name }
    }

    /// Transfer buffer: libssh2 pipelines read/write requests up to the buffer size.
    private static let chunkSize = 2 * 1024 * 1024
    /// Downloads start with a small read and double it up to `chunkSize` (like OpenSSH's
    /// client): a large first read makes libssh2 send ~70 read requests even for a 4 KiB file.
    private static let firstReadSize = 32 * 1024

    func download(_ remote: String, to local: String, progress: ((Int64) -> Void)?) throws -> Int64 {
        let handle = try open(remote, flags: LIBSSH2_FXF_READ, mode: 0, type: LIBSSH2_SFTP_OPENFILE, operation: "download")
        defer { libssh2_sftp_close_handle(handle) }
        let fd = Glibc.open(local, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw SFTPError.local(operation: "create", path: local, reason: String(cString: strerror(errno))) }
        var completed = false
        defer {
            close(fd)
            if !completed { unlink(local) }
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var readSize = Self.firstReadSize
        var total: Int64 = 0
        while true {
            let count = libssh2_sftp_read(handle, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), readSize)
            readSize = min(readSize * 2, Self.chunkSize)
            if count == 0 { break }
            if count < 0 { throw failure("download", remote) }
            try writeAll(fd, buffer.baseAddress!, count, path: local)
            total += Int64(count)
            progress?(total)
        }
        completed = true
        return total
    }

    func upload(_ local: String, to remote: String) throws -> Int64 {
        let fd = Glibc.open(local, O_RDONLY)
        guard fd >= 0 else { throw SFTPError.local(operation: "read", path: local, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let handle = try open(remote, flags: LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC,
                              mode: 0o644, type: LIBSSH2_SFTP_OPENFILE, operation: "upload")
        defer { libssh2_sftp_close_handle(handle) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        let bytes = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
        var total: Int64 = 0
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count == 0 { break }
            if count < 0 { throw SFTPError.local(operation: "read", path: local, reason: String(cString: strerror(errno))) }
            var sent = 0
            while sent < count {
                let written = libssh2_sftp_write(handle, bytes + sent, count - sent)
                if written < 0 { throw failure("upload", remote) }
                sent += written
            }
            total += Int64(count)
        }
        return total
    }

    func rename(_ from: String, to: String) throws {
        let flags = Int(LIBSSH2_SFTP_RENAME_ATOMIC | LIBSSH2_SFTP_RENAME_NATIVE)
        if libssh2_sftp_rename_ex(sftp, from, UInt32(from.utf8.count), to, UInt32(to.utf8.count), flags) != 0 {
            throw failure("rename to \(to)", from)
        }
    }

    func remove(_ path: String) throws {
        if libssh2_sftp_unlink_ex(sftp, path, UInt32(path.utf8.count)) != 0 { throw failure("remove", path) }
    }

    func makeDirectory(_ path: String) throws {
        if libssh2_sftp_mkdir_ex(sftp, path, UInt32(path.utf8.count), 0o755) != 0 { throw failure("mkdir", path) }
    }

    func exists(_ path: String) throws -> Bool {
        var attributes = LIBSSH2_SFTP_ATTRIBUTES()
        if libssh2_sftp_stat_ex(sftp, path, UInt32(path.utf8.count), LIBSSH2_SFTP_STAT, &attributes) == 0 { return true }
        let error = failure("stat", path)
        if case .remote(_, _, let status, _) = error, status == UInt(LIBSSH2_FX_NO_SUCH_FILE) { return false }
        throw error
    }
}

/// Writes all `count` bytes, continuing after short writes.
private func writeAll(_ fd: Int32, _ start: UnsafeRawPointer, _ count: Int, path: String) throws {
    var done = 0
    while done < count {
        let written = write(fd, start.advanced(by: done), count - done)
        if written < 0 {
            if errno == EINTR { continue }
            throw SFTPError.local(operation: "write", path: path, reason: String(cString: strerror(errno)))
        }
        done += written
    }
}
