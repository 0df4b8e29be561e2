import Foundation
import XCTest
import TestSupport
import Gateway
import Ledger
import Logging

let packageRoot = ProjectPaths.packageRoot

/// A throwaway gateway folder with its own gateway.yaml (folders first, then `body`).
struct Home {
    let root: String

    init(_ body: String) throws {
        root = NSTemporaryDirectory() + "dropgate-dropbox-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: root + "/keys", withIntermediateDirectories: true)
        try write(body)
    }

    func write(_ body: String) throws {
        let yaml = "folders: { inbox: inbox, outbox: outbox, var: var, mappings: \(packageRoot)/mappings }\npickup: { minAge: 0ms, pollInterval: 50ms }\n" + body
        try yaml.write(toFile: root + "/gateway.yaml", atomically: true, encoding: .utf8)
    }

    var config: GatewayConfig { get throws { try GatewayConfig.load(path: root + "/gateway.yaml") } }
    func ledger() throws -> Ledger { try Ledger(path: root + "/var/ledger.sqlite") }
    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// Drops a file the way a careful sender does: a temp name, then a rename.
    func drop(_ name: String, _ bytes: [UInt8], into channel: String) throws {
        let folder = root + "/inbox/" + channel
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: folder + "/" + name + ".part", contents: Data(bytes))
        try FileManager.default.moveItem(atPath: folder + "/" + name + ".part", toPath: folder + "/" + name)
    }

    func runOnce() throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        try GatewayRunner(config: try config, logger: logger).run(once: true) { false }
    }

    /// Files under a folder of the home (relative paths), links followed.
    func files(under dir: String) -> [String] { filesBelow(root + "/" + dir) }
}

func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

/// The quarantine report's code for a file.
func quarantineCode(_ ledger: Ledger, name: String) throws -> String? {
    guard let f = try ledger.files(in: [.quarantined]).first(where: { $0.name == name }), let json = f.error else { return nil }
    return try JSONDecoder().decode(ErrorReport.self, from: Data(json.utf8)).code
}

/// Waits (at most `timeout` seconds) until `condition` holds; false if it never did.
func waitFor(_ timeout: TimeInterval, _ condition: () throws -> Bool) rethrows -> Bool {
    let end = Date().addingTimeInterval(timeout)
    while Date() < end {
        if try condition() { return true }
        usleep(50_000)
    }
    return try condition()
}

/// The dropgate executable built beside the test bundle.
var dropgate: String {
    let beside = Bundle(for: StopFlag.self).bundleURL.deletingLastPathComponent().appendingPathComponent("dropgate").path
    return FileManager.default.isExecutableFile(atPath: beside) ? beside : packageRoot + "/.build/debug/dropgate"
}
