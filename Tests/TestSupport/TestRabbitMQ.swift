import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private RabbitMQ node on 127.0.0.1 for tests: its own node name, ports and data folder in a
/// temporary directory (owned by the `rabbitmq` user when run as root, as the server script
/// switches to it). Stopped with `rabbitmqctl stop`, then by the PID in its pid file.
public final class TestRabbitMQ {
    public let folder: String
    public let port: Int
    public let node: String
    public var url: String { "amqp://127.0.0.1:\(port)/" }
    private var pid: pid_t?

    public init() throws {
        let parent = NSTemporaryDirectory() + "dropgate-rabbit-" + UUID().uuidString.prefix(8)
        folder = parent + "/node"
        try FileManager.default.createDirectory(atPath: folder + "/log", withIntermediateDirectories: true)
        // Every folder above the data folder traversable by the rabbitmq user.
        chmod(parent, 0o755)
        chmod(folder, 0o755)
        try "[].\n".write(toFile: folder + "/enabled_plugins", atomically: true, encoding: .utf8)
        port = try TestRabbitMQ.freePortPair()
        node = "dropgate\(port)@localhost"
        if getuid() == 0 { try TestSSHD.shell("/bin/chown", ["-R", "rabbitmq:rabbitmq", folder]) }
        try start()
    }

    var environment: [String] {
        ["RABBITMQ_NODENAME=\(node)", "RABBITMQ_NODE_PORT=\(port)", "RABBITMQ_DIST_PORT=\(port + 20000)",
         "RABBITMQ_NODE_IP_ADDRESS=127.0.0.1", "RABBITMQ_MNESIA_BASE=\(folder)/mnesia", "RABBITMQ_LOG_BASE=\(folder)/log",
         "RABBITMQ_PID_FILE=\(folder)/pid", "RABBITMQ_ENABLED_PLUGINS_FILE=\(folder)/enabled_plugins", "ERL_EPMD_ADDRESS=127.0.0.1",
         "HOME=\(folder)"]
    }

    /// Starts the node and waits until its AMQP port accepts connections (about 5 s).
    public func start() throws {
        pid = try spawn("/usr/bin/env", environment + ["/usr/sbin/rabbitmq-server"], log: folder + "/../server.out")
        let deadline = Date() + 60
        while Date() < deadline {
            if TestSSHD.isListening(port: port) { usleep(300_000); return }
            usleep(200_000)
        }
        let log = (try? String(contentsOfFile: folder + "/../server.out", encoding: .utf8)) ?? ""
        stop(removing: false)
        throw NSError(domain: "TestRabbitMQ", code: 1, userInfo: [NSLocalizedDescriptionKey: "rabbitmq-server did not start: \(log.suffix(2000))"])
    }

    /// Stops the node (rabbitmqctl stop, then SIGKILL by pid file); the data stays for a restart.
    public func stop(removing: Bool = false) {
        if pid != nil {
            let ctl = try? spawn("/usr/bin/env", environment + ["/usr/sbin/rabbitmqctl", "-n", node, "stop"], log: folder + "/../ctl.out")
            if let ctl { var s: Int32 = 0; waitpid(ctl, &s, 0) }
            if let text = try? String(contentsOfFile: folder + "/pid", encoding: .utf8), let beam = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                Glibc.kill(beam, SIGKILL)
            }
            if let pid { Glibc.kill(pid, SIGKILL); var s: Int32 = 0; waitpid(pid, &s, 0) }
            pid = nil
            let deadline = Date() + 10
            while TestSSHD.isListening(port: port) && Date() < deadline { usleep(100_000) }
        }
        if removing { try? FileManager.default.removeItem(atPath: (folder as NSString).deletingLastPathComponent) }
    }

    deinit { stop(removing: true) }

    /// A free port P below 45000 whose P + 20000 (the distribution port) is free too.
    static func freePortPair() throws -> Int {
        for _ in 0..<200 {
            let p = Int.random(in: 20000..<45000)
            if TestSSHD.isFree(port: p) && TestSSHD.isFree(port: p + 20000) { return p }
        }
        throw NSError(domain: "TestRabbitMQ", code: 2, userInfo: [NSLocalizedDescriptionKey: "no free port pair"])
    }
}
