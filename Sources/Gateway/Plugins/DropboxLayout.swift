import Foundation
import Transport
#if canImport(Glibc)
import Glibc
#endif

/// `dropgate sshd-config`: the OpenSSH side of the partners' drop boxes. Per partner:
///
///     <root>/<partner>/                 root:root 0755   ChrootDirectory (what the partner sees as /)
///     <root>/<partner>/inbox/<channel>/ user:group 2770  uploads; the gateway's inbox/<partner> links here
///     <root>/<partner>/outbox/<channel>/ user:group 2770 files for the partner; outbox/<partner> links here
///     <root>/.authorized_keys/<user>    root:root 0644   the partner's keys from gateway.yaml
///
/// and a `Match User` block that chroots the account, forces `internal-sftp`, and allows no TTY,
/// no forwarding of any kind and no password.
public struct DropboxLayout {
    public let config: GatewayConfig
    public let settings: DropboxSettings

    public init(config: GatewayConfig) throws {
        guard let s = config.dropboxes, !config.dropboxPartners.isEmpty else { throw DropboxError("no partner has a dropbox: in \(config.configFile)") }
        self.config = config
        settings = s
    }

    public func chroot(_ partner: String) -> String { "\(settings.root)/\(partner)" }
    public var keysDir: String { "\(settings.root)/.authorized_keys" }
    public func keysFile(_ user: String) -> String { "\(keysDir)/\(user)" }

    /// The `sshd_config` fragment. Match blocks last until the next Match: include it at the END of
    /// sshd_config (Debian's `Include sshd_config.d/*.conf` is at the top: not there).
    public func sshdConfig() -> String {
        var out = """
            # Written by `dropgate sshd-config` from \(config.configFile); do not edit (run it again).
            # One drop box per partner: chrooted SFTP only. Include this file at the END of sshd_config.

            """
        for p in config.dropboxPartners {
            let user = p.dropbox!.user
            out += """

                Match User \(user)
                    ChrootDirectory \(chroot(p.name))
                    ForceCommand internal-sftp -u 0027 -l INFO
                    AuthorizedKeysFile \(keysFile(user))
                    PubkeyAuthentication yes
                    PasswordAuthentication no
                    KbdInteractiveAuthentication no
                    PermitTTY no
                    PermitUserRC no
                    AllowTcpForwarding no
                    AllowStreamLocalForwarding no
                    AllowAgentForwarding no
                    X11Forwarding no
                    PermitTunnel no
                    GatewayPorts no

                """
        }
        return out
    }

    /// Makes the folders, key files and links (as root); with `createUsers`, the missing system
    /// accounts too (no home, no shell, no password). Returns what it did, one line each.
    @discardableResult
    public func apply(createUsers: Bool) throws -> [String] {
        guard geteuid() == 0 else { throw DropboxError("dropgate sshd-config makes root-owned chroot folders: run it as root (or print the fragment only with --print)") }
        var done = [String]()
        try mkdir(settings.root, uid: 0, gid: 0, mode: 0o755, &done)
        for problem in chrootProblems(settings.root) { throw DropboxError(problem) }
        let gid = try groupID()
        try mkdir(keysDir, uid: 0, gid: 0, mode: 0o755, &done)
        for p in config.dropboxPartners {
            let account = p.dropbox!
            let uid = try userID(account.user, create: createUsers, &done)
            var keys = ""
            for file in account.keys {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw DropboxError("partners.\(p.name).dropbox.keys: cannot read \(file)") }
                let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
                for l in lines where !(l.hasPrefix("ssh-") || l.hasPrefix("ecdsa-") || l.hasPrefix("sk-")) {
                    throw DropboxError("\(file): \"\(l.prefix(20))…\" is not an OpenSSH public key line (ssh-ed25519 AAAA…)")
                }
                keys += lines.joined(separator: "\n") + "\n"
            }
            try AtomicFile.write(Array(keys.utf8), to: keysFile(account.user))
            chown(keysFile(account.user), 0, 0); chmod(keysFile(account.user), 0o644)
            let box = chroot(p.name)
            for dir in [box, box + "/inbox", box + "/outbox"] { try mkdir(dir, uid: 0, gid: 0, mode: 0o755, &done) }
            for c in p.channels { try mkdir("\(box)/inbox/\(c.name)", uid: uid, gid: gid, mode: 0o2770, &done) }
            for o in p.outbound { try mkdir("\(box)/outbox/\(o.name)", uid: uid, gid: gid, mode: 0o2770, &done) }
            try link("\(config.inbox)/\(p.name)", to: box + "/inbox", &done)
            try link("\(config.outbox)/\(p.name)", to: box + "/outbox", &done)
        }
        return done
    }

    /// Why OpenSSH would refuse `path` as (the parent of) a ChrootDirectory: a folder on the way
    /// that is not root-owned or is group/world-writable.
    public func chrootProblems(_ path: String) -> [String] {
        var problems = [String]()
        var current = ""
        for component in [""] + path.split(separator: "/").map(String.init) {
            current = component.isEmpty ? "/" : (current == "/" ? "" : current) + "/" + component
            var st = stat()
            guard stat(current, &st) == 0 else { problems.append("\(current) does not exist"); break }
            if st.st_uid != 0 || st.st_mode & 0o022 != 0 {
                problems.append("\(current) is owned by uid \(st.st_uid) with mode \(String(st.st_mode & 0o7777, radix: 8)): every folder above a ChrootDirectory must be root-owned and not group/world-writable (dropboxes.root: choose e.g. /srv/dropgate)")
            }
        }
        return problems
    }

    private func groupID() throws -> gid_t {
        guard let name = settings.group else { return getegid() }
        guard let g = getgrnam(name) else { throw DropboxError("dropboxes.group: no group \(name) (groupadd --system \(name))") }
        return g.pointee.gr_gid
    }

    private func userID(_ user: String, create: Bool, _ done: inout [String]) throws -> uid_t {
        if let pw = getpwnam(user) { return pw.pointee.pw_uid }
        guard create else {
            throw DropboxError("no system user \(user): run dropgate sshd-config --create-users, or useradd --system --no-create-home --home-dir / --shell /usr/sbin/nologin --password '*' \(user)")
        }
        // "*": no password works, yet the account is not locked (sshd refuses locked accounts).
        let status = try run("/usr/sbin/useradd", ["--system", "--no-create-home", "--home-dir", "/", "--shell", "/usr/sbin/nologin", "--password", "*", user])
        guard status == 0, let pw = getpwnam(user) else { throw DropboxError("useradd \(user) failed (exit \(status))") }
        done.append("created system user \(user) (uid \(pw.pointee.pw_uid))")
        return pw.pointee.pw_uid
    }

    private func mkdir(_ path: String, uid: uid_t, gid: gid_t, mode: mode_t, _ done: inout [String]) throws {
        var st = stat()
        if lstat(path, &st) != 0 {
            guard Glibc.mkdir(path, 0o700) == 0 else { throw DropboxError("cannot create \(path): \(String(cString: strerror(errno)))") }
            done.append("created \(path)")
        } else if (st.st_mode & S_IFMT) != S_IFDIR {
            throw DropboxError("\(path) exists and is not a folder")
        }
        guard chown(path, uid, gid) == 0, chmod(path, mode) == 0 else { throw DropboxError("cannot set owner/mode of \(path): \(String(cString: strerror(errno)))") }
    }

    /// `inbox/<partner>` → the chroot's `inbox`: an existing folder is replaced only when it holds no files.
    private func link(_ path: String, to target: String, _ done: inout [String]) throws {
        if let existing = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
            if existing == target { return }
            unlink(path)
        } else if FileManager.default.fileExists(atPath: path) {
            let files = FileManager.default.enumerator(atPath: path)?.allObjects.compactMap { $0 as? String }.filter { rel in
                var isDir: ObjCBool = false
                return FileManager.default.fileExists(atPath: path + "/" + rel, isDirectory: &isDir) && !isDir.boolValue
            } ?? []
            guard files.isEmpty else { throw DropboxError("\(path) holds files (\(files.prefix(3).joined(separator: ", "))…): move them into \(target) first, it becomes a link there") }
            try FileManager.default.removeItem(atPath: path)
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
        done.append("linked \(path) → \(target)")
    }

    private func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let argv: [UnsafeMutablePointer<CChar>?] = ([tool] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        guard posix_spawn(&child, tool, nil, nil, argv, environ) == 0 else { throw DropboxError("cannot run \(tool)") }
        var status: Int32 = 0
        waitpid(child, &status, 0)
        return status
    }
}

public struct DropboxError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ d: String) { description = d }
}
