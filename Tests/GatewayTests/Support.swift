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

    init(minAge: String = "0ms", pollInterval: String = "50ms", doneFile: String? = nil) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("dropgate-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let yaml = """
            folders: { inbox: inbox, outbox: outbox, var: var, mappings: \(packageRoot)/mappings }
            pickup: { minAge: \(minAge), pollInterval: \(pollInterval)\(doneFile.map { ", doneFile: \"\($0)\"" } ?? "") }
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

    func files(under dir: String) -> [String] {
        let base = root + "/" + dir
        guard let e = FileManager.default.enumerator(atPath: base) else { return [] }
        return e.compactMap { $0 as? String }.filter { p in
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: base + "/" + p, isDirectory: &isDir) && !isDir.boolValue
        }.sorted()
    }

    func ledger() throws -> Ledger { try Ledger(path: root + "/var/ledger.sqlite") }

    /// Runs the gateway in this process until nothing is waiting.
    func runOnce() throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        try GatewayRunner(config: try config, logger: logger).run(once: true) { false }
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
