import Foundation
import XCTest
import TestSupport
import Gateway
import Ledger
import Logging

let packageRoot = ProjectPaths.packageRoot

/// A throwaway gateway home: config, inbox, var, using the project's own mappings.
struct GatewayHome {
    let root: String

    init(minAge: String = "0ms", pollInterval: String = "50ms", doneFile: String? = nil, poisonAfter: Int? = nil) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("dropgate-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let yaml = """
            folders: { inbox: inbox, outbox: outbox, var: var, mappings: \(packageRoot)/mappings }
            pickup: { minAge: \(minAge), pollInterval: \(pollInterval)\(doneFile.map { ", doneFile: \"\($0)\"" } ?? "")\(poisonAfter.map { ", poisonAfter: \($0)" } ?? "") }
            partners:
              bank:
                channels:
                  - { name: payments, mapping: csv/bank-payment }
            """
        try yaml.write(toFile: root + "/gateway.yaml", atomically: true, encoding: .utf8)
    }

    /// A home with its own `partners:` and `routes:` (YAML, appended after the folders).
    init(partnersAndRoutes: String) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("dropgate-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let yaml = "folders: { inbox: inbox, outbox: outbox, var: var, mappings: \(packageRoot)/mappings }\n" + partnersAndRoutes
        try yaml.write(toFile: root + "/gateway.yaml", atomically: true, encoding: .utf8)
    }

    var inbox: String { root + "/inbox/bank/payments" }
    var config: GatewayConfig { get throws { try GatewayConfig.load(path: root + "/gateway.yaml") } }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// Drops a file the way a careful sender does: a temp name, then a rename.
    /// `into`: `partner/channel` under the inbox (default: bank/payments).
    func drop(_ name: String, _ bytes: [UInt8], into channel: String = "bank/payments") throws {
        let folder = root + "/inbox/" + channel
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let tmp = folder + "/" + name + ".part"
        _ = FileManager.default.createFile(atPath: tmp, contents: Data(bytes))
        try FileManager.default.moveItem(atPath: tmp, toPath: folder + "/" + name)
    }

    func files(under dir: String) -> [String] { filesBelow(root + "/" + dir) }

    func ledger() throws -> Ledger { try Ledger(path: root + "/var/ledger.sqlite") }

    /// Runs the gateway in this process until nothing is waiting.
    func runOnce() throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        try GatewayRunner(config: try config, logger: logger).run(once: true) { false }
    }
}

/// The dropgate executable built beside the test bundle.
var dropgateExecutable: String {
    let beside = Bundle(for: GatewayProcess.self).bundleURL.deletingLastPathComponent().appendingPathComponent("dropgate").path
    return FileManager.default.isExecutableFile(atPath: beside) ? beside : packageRoot + "/.build/debug/dropgate"
}

/// A real `dropgate run` process on a home (worker processes, as in production).
final class GatewayProcess {
    let process = Process()
    let log: String

    /// `testTriggers`: the workers honour the test-only poison triggers (see `Worker`).
    init(_ home: GatewayHome, once: Bool = false, testTriggers: Bool = false, logTo log: String? = nil) throws {
        self.log = log ?? "/dev/null"
        process.executableURL = URL(fileURLWithPath: dropgateExecutable)
        process.arguments = ["run", "--config", home.root + "/gateway.yaml"] + (once ? ["--once"] : [])
        var env = ProcessInfo.processInfo.environment
        if testTriggers { env["DROPGATE_TEST_TRIGGERS"] = "1" }
        process.environment = env
        if log != nil { _ = FileManager.default.createFile(atPath: self.log, contents: nil) }
        process.standardError = FileHandle(forWritingAtPath: self.log)
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// Waits (at most `timeout` seconds) until `condition` holds; false if it never did.
    static func waitFor(_ timeout: TimeInterval, _ condition: () throws -> Bool) rethrows -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if try condition() { return true }
            usleep(20_000)
        }
        return try condition()
    }

    /// Processes whose command line names `--parent <pid>` (this gateway's workers).
    static func workers(of pid: Int32) -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }.filter { p in
            guard let data = FileManager.default.contents(atPath: "/proc/\(p)/cmdline") else { return false }
            let args = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return args.contains("worker") && zip(args, args.dropFirst()).contains { $0 == "--parent" && $1 == "\(pid)" }
        }
    }
}

/// A valid payment CSV; `n` makes its content unique.
func paymentCSV(_ n: Int, amount: String = "10.00") -> [UInt8] {
    Array("""
        Direction,Execution date,Amount,Currency,Debtor,Creditor,End to end id
        outbound,2026-11-23,\(amount),EUR,Acme,Creditor \(n),E2E-\(n)-1
        outbound,2026-11-23,1.\(String(format: "%02d", n % 100)),EUR,Acme,Creditor \(n),E2E-\(n)-2

        """.utf8)
}
