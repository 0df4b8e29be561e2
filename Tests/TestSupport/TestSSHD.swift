import Foundation
import Transport
#if canImport(Glibc)
import Glibc
#endif

/// A real OpenSSH sshd on 127.0.0.1 for tests (shared by TransportTests and GatewayTests): its own config, ed25519 host key and
/// authorized keys in a temporary folder. Started on a free port; stopped by PID.
public final class TestSSHD {
    public let folder: String
    public let port: Int
    /// The sshd's PID while it runs. (Foundation's `Process` is not used: on Linux its single
    /// reaper thread blocks on a long-running child and then never sees ssh-keygen exit.)
    private var pid: pid_t?

    public var hostKeyPublic: String { folder + "/host_ed25519.pub" }
    public var clientKey: String { folder + "/client_ed25519" }
    public var rsaClientKey: String { folder + "/client_rsa" }
    public var knownHosts: String { folder + "/known_hosts" }
    /// A folder on the "server" (same machine) for remote files.
    public var remoteRoot: String { folder + "/remote" }

    public init() throws {
        folder = NSTemporaryDirectory() + "dropgate-sshd-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/remote", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        try Self.shell("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "host", "-f", folder + "/host_ed25519"])
        try Self.shell("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "client", "-f", folder + "/client_ed25519"])
        try Self.shell("/usr/bin/ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-C", "rsa", "-f", folder + "/client_rsa"])
        port = try Self.freePort()
        let authorized = try String(contentsOfFile: folder + "/client_ed25519.pub", encoding: .utf8)
            + String(contentsOfFile: folder + "/client_rsa.pub", encoding: .utf8)
        try authorized.write(toFile: folder + "/authorized_keys", atomically: true, encoding: .utf8)
        let hostKey = try String(contentsOfFile: folder + "/host_ed25519.pub", encoding: .utf8).split(separator: " ")
        try "[127.0.0.1]:\(port) \(hostKey[0]) \(hostKey[1])\n".write(toFile: knownHosts, atomically: true, encoding: .utf8)
        let config = """
        Port \(port)
        ListenAddress 127.0.0.1
        HostKey \(folder)/host_ed25519
        PidFile \(folder)/sshd.pid
        UsePAM no
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        PubkeyAuthentication yes
        PermitRootLogin prohibit-password
        AuthorizedKeysFile \(folder)/authorized_keys
        StrictModes no
        Subsystem sftp internal-sftp

        """
        try config.write(toFile: folder + "/sshd_config", atomically: true, encoding: .utf8)
        try start()
    }

    /// Settings that connect as the current user with the ed25519 key, checking known_hosts.
    public func settings(key: String? = nil, hostKey: HostKeyPolicy? = nil) -> SFTPSettings {
        SFTPSettings(host: "127.0.0.1", port: port, username: NSUserName(),
                     authentication: .privateKey(path: key ?? clientKey, passphrase: nil),
                     hostKey: hostKey ?? .knownHosts(path: knownHosts), connectTimeout: 5, operationTimeout: 20)
    }

    public func start() throws {
        pid = try spawn("/usr/sbin/sshd", ["-f", folder + "/sshd_config", "-D", "-e"], log: folder + "/sshd.log")
        try waitUntilListening()
    }

    /// Kills the sshd and every session process it forked (SIGKILL, by PID).
    public func kill() {
        guard let sshd = pid else { return }
        for child in Self.descendants(of: sshd).reversed() + [sshd] {
            Glibc.kill(child, SIGKILL)
        }
        var status: Int32 = 0
        waitpid(sshd, &status, 0)
        pid = nil
    }

    public func stop() {
        kill()
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func waitUntilListening() throws {
        let deadline = Date() + 10
        while Date() < deadline {
            if Self.isListening(port: port) { return }
            usleep(50_000)
        }
        let log = (try? String(contentsOfFile: folder + "/sshd.log", encoding: .utf8)) ?? ""
        throw NSError(domain: "TestSSHD", code: 1, userInfo: [NSLocalizedDescriptionKey: "sshd did not start: \(log)"])
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    public static func isListening(port: Int) -> Bool { onLoopback(port) { connect($0, $1, $2) } }

    /// Whether 127.0.0.1:`port` can be bound (nothing holds it).
    public static func isFree(port: Int) -> Bool { onLoopback(port) { bind($0, $1, $2) } }

    /// `call` (connect or bind) on a fresh TCP socket with 127.0.0.1:`port`; true when it returned 0.
    private static func onLoopback(_ port: Int, _ call: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { call(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// A TCP port on 127.0.0.1 that nothing listens on (the kernel picks it).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw NSError(domain: "TestSSHD", code: 2) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Child processes (recursively) found through /proc/<pid>/stat's parent field.
    public static func descendants(of root: Int32) -> [Int32] {
        var parents: [Int32: [Int32]] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { parents[parent, default: []].append(pid) }
        }
        var result: [Int32] = []
        var queue = [root]
        while let next = queue.popLast() {
            for child in parents[next] ?? [] { result.append(child); queue.append(child) }
        }
        return result
    }

    /// Runs a tool to its end and returns what it printed.
    @discardableResult
    public static func shell(_ tool: String, _ arguments: [String]) throws -> String {
        let output = NSTemporaryDirectory() + "dropgate-out-" + UUID().uuidString
        defer { unlink(output) }
        let child = try spawn(tool, arguments, log: output)
        var status: Int32 = 0
        waitpid(child, &status, 0)
        return try String(contentsOfFile: output, encoding: .utf8)
    }
}

/// Starts `tool` with stdin from /dev/null and stdout and stderr appended to `log`; returns its PID.
public func spawn(_ tool: String, _ arguments: [String], log: String) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let argv: [UnsafeMutablePointer<CChar>?] = ([tool] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var child: pid_t = 0
    let result = posix_spawn(&child, tool, &actions, nil, argv, environ)
    guard result == 0 else {
        throw NSError(domain: "TestSSHD", code: Int(result), userInfo: [NSLocalizedDescriptionKey: "cannot start \(tool)"])
    }
    return child
}

/// Writes `size` pseudo-random bytes to `path` and returns them.
@discardableResult
public func writeRandomFile(_ path: String, size: Int) throws -> Data {
    var generator = SystemRandomNumberGenerator()
    var bytes = [UInt8](repeating: 0, count: size)
    for index in stride(from: 0, to: size, by: 8) {
        let value = generator.next()
        withUnsafeBytes(of: value) { raw in
            for offset in 0..<min(8, size - index) { bytes[index + offset] = raw[offset] }
        }
    }
    let data = Data(bytes)
    try data.write(to: URL(fileURLWithPath: path))
    return data
}
