import Foundation
import XCTest
import Gateway
import Ledger
#if canImport(Glibc)
import Glibc
#endif

/// Hostile inbox entries and poison files against the real `dropgate run` (worker processes).
final class HostileInboxTests: XCTestCase {
    var home: GatewayHome!
    override func tearDown() { home?.remove() }

    func makeHome(extraChannels: String = "", poisonAfter: Int = 2) throws -> GatewayHome {
        try GatewayHome(partnersAndRoutes: """
            pickup: { minAge: 0ms, pollInterval: 50ms, poisonAfter: \(poisonAfter) }
            partners:
              bank:
                channels:
                  - { name: payments, mapping: csv/bank-payment, limits: { time: 60s } }
                  - { name: small, mapping: csv/bank-payment, limits: { fileSize: 1MB } }\(extraChannels)
            """)
    }

    /// Creates a file whose name is any bytes.
    func create(_ folder: String, _ name: [UInt8], _ bytes: [UInt8]) throws {
        let path = Array(folder.utf8) + [0x2F] + name + [0]
        let fd = path.withUnsafeBufferPointer { p in
            p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { open($0, O_WRONLY | O_CREAT | O_EXCL, 0o644) }
        }
        guard fd >= 0 else { throw NSError(domain: "create \(name): errno \(errno)", code: 1) }
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    /// Every regular file under a folder (links not followed), with its bytes.
    func regularFiles(under dir: String) -> [(String, Data)] {
        var out = [(String, Data)]()
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return out }
        for n in names {
            let p = dir + "/" + n
            var st = stat()
            guard lstat(p, &st) == 0 else { continue }
            if (st.st_mode & S_IFMT) == S_IFDIR { out += regularFiles(under: p) }
            if (st.st_mode & S_IFMT) == S_IFREG, let d = FileManager.default.contents(atPath: p) { out.append((p, d)) }
        }
        return out
    }

    func testHostileEntriesAreRejectedOnceAndGoodFilesTranslated() throws {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: dropgateExecutable), "build dropgate first")
        home = try makeHome()
        let inbox = home.inbox
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home.root + "/inbox/bank/small", withIntermediateDirectories: true)
        // The secret lives outside the gateway's folders.
        let secretToken = "SECRET-\(UUID().uuidString)"
        let secret = FileManager.default.temporaryDirectory.appendingPathComponent("dropgate-secret-\(UUID().uuidString.prefix(8))").path
        try Data("root:x:0:0:\(secretToken):/root:/bin/sh\n".utf8).write(to: URL(fileURLWithPath: secret))
        defer { unlink(secret) }
        XCTAssertEqual(symlink(secret, inbox + "/secret.csv"), 0)
        XCTAssertEqual(symlink("/proc/self/pagemap", inbox + "/pagemap.csv"), 0)
        XCTAssertEqual(symlink(home.root + "/nowhere.csv", inbox + "/dangling.csv"), 0)
        XCTAssertEqual(mkfifo(inbox + "/fifo.csv", 0o644), 0)
        try FileManager.default.createDirectory(atPath: inbox + "/x.csv", withIntermediateDirectories: false)
        // Good content under hostile names, and plain good files.
        let long = [UInt8](repeating: 0x61, count: 251) + Array(".csv".utf8)
        XCTAssertEqual(long.count, 255)
        let hostileNames: [[UInt8]] = [Array("a..b.csv".utf8), Array("new\nline\u{1B}[31m.csv".utf8), Array("-rf.csv".utf8),
                                       Array("bad".utf8) + [0xFF, 0xFE] + Array(".csv".utf8), long]
        for (i, name) in hostileNames.enumerated() { try create(inbox, name, paymentCSV(100 + i)) }
        for i in 0..<5 { try home.drop("g\(i).csv", paymentCSV(i)) }
        try home.drop("empty.csv", [])
        var random = [UInt8](repeating: 0, count: 200 << 20)
        var generator = SystemRandomNumberGenerator()
        random.withUnsafeMutableBytes { raw in
            let words = raw.bindMemory(to: UInt64.self)
            for i in words.indices { words[i] = generator.next() }
        }
        try create(inbox, Array("random.csv".utf8), random)
        random = []
        try create(home.root + "/inbox/bank/small", Array("big.csv".utf8), [UInt8](repeating: 0x41, count: 2 << 20))

        let log = home.root + "/gateway.log"
        let gateway = try GatewayProcess(home, testTriggers: true, logTo: log)
        defer { if gateway.process.isRunning { kill(gateway.pid, SIGKILL) } }
        let ledger = try home.ledger()
        let expected = 5 + 5 + 5 + 3    // good, hostile names, rejected, (empty, random, too large)
        let settled = try GatewayProcess.waitFor(120) {
            try ledger.files(in: [.archived, .quarantined, .rejected, .duplicate]).count >= expected
        }
        let states = try ledger.files(in: FileState.allCases).map { "\($0.name)=\($0.state)" }
        XCTAssertTrue(settled, "every entry reached a final state: \(states)")
        // A reader that hangs past SIGTERM: the gateway still stops within 5 s.
        try home.drop("hang.csv", Array("#dropgate-test:hang\n".utf8))
        usleep(300_000)
        let t0 = Date()
        kill(gateway.pid, SIGTERM)
        gateway.process.waitUntilExit()
        XCTAssertLessThan(Date().timeIntervalSince(t0), 5, "stops on SIGTERM within 5 s")
        XCTAssertTrue(GatewayProcess.waitFor(2) { GatewayProcess.workers(of: gateway.pid).isEmpty }, "no worker left behind")

        let all = try ledger.files(in: FileState.allCases)
        let byName = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(all.filter { $0.state == .archived }.count, 10, "every good file translated: \(all.map { "\($0.name)=\($0.state)" })")
        for name in ["secret.csv", "pagemap.csv", "dangling.csv", "fifo.csv", "x.csv"] {
            XCTAssertEqual(byName[name]?.state, .rejected, name)
            XCTAssertEqual(all.filter { $0.name == name }.count, 1, "\(name) recorded once")
        }
        XCTAssertTrue(byName["secret.csv"]?.error?.contains("symbolic link") ?? false)
        XCTAssertTrue(byName["fifo.csv"]?.error?.contains("FIFO") ?? false)
        XCTAssertTrue(byName["x.csv"]?.error?.contains("folder") ?? false)
        func code(_ name: String) -> String? {
            byName[name]?.error.flatMap { try? JSONDecoder().decode(ErrorReport.self, from: Data($0.utf8)) }?.code
        }
        XCTAssertEqual(code("empty.csv"), "input.empty")
        XCTAssertEqual(byName["random.csv"]?.state, .quarantined)
        XCTAssertEqual(code("big.csv"), "input.too-large")
        XCTAssertEqual(byName["bad\\xFF\\xFE.csv"]?.rawName, Data(hostileNames[3]), "the exact bytes of a non-UTF-8 name are kept")
        XCTAssertEqual(byName[String(decoding: long, as: UTF8.self)]?.state, .archived, "a 255-byte name is claimed")
        // Everything left the inbox except the file dropped last (it stays received for the next run).
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: inbox), [])
        XCTAssertEqual(byName["hang.csv"]?.state, .received)
        XCTAssertEqual(byName["hang.csv"]?.attempts, 0, "a file the gateway itself stopped is not counted as a death")

        // Not one byte of the secret anywhere: files under the home (links not followed) and the log.
        let token = Data(secretToken.utf8)
        for (path, data) in regularFiles(under: home.root) {
            XCTAssertNil(data.range(of: token), "the secret leaked into \(path)")
            XCTAssertNil(data.range(of: Data("root:x:0:0".utf8)), "the secret leaked into \(path)")
        }
        // Names are escaped in the log: no line was split by the newline, no ESC reached it.
        let text = try String(contentsOfFile: log, encoding: .utf8)
        XCTAssertFalse(text.contains("\u{1B}"), "no raw ESC in the log")
        XCTAssertTrue(text.contains(#"new\x0Aline\x1B[31m.csv"#), "the name appears escaped")
        for line in text.split(separator: "\n") { XCTAssertTrue(line.hasPrefix("20"), "a log line that is not a log entry: \(line)") }
    }

    func testPoisonFilesEndOnlyTheirWorkerAndAKilledGatewayDoesNotCrashLoop() throws {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: dropgateExecutable), "build dropgate first")
        home = try makeHome()
        try FileManager.default.createDirectory(atPath: home.inbox, withIntermediateDirectories: true)
        for i in 0..<50 { try home.drop("good\(i).csv", paymentCSV(i)) }
        try home.drop("trap.csv", Array("#dropgate-test:trap\n".utf8))
        try home.drop("memory.csv", Array("#dropgate-test:memory\n".utf8))
        for i in 50..<100 { try home.drop("good\(i).csv", paymentCSV(i)) }
        var gateway = try GatewayProcess(home, testTriggers: true)
        defer { if gateway.process.isRunning { kill(gateway.pid, SIGKILL) } }
        let ledger = try home.ledger()
        XCTAssertTrue(try GatewayProcess.waitFor(120) { try ledger.files(in: [.archived, .quarantined]).count >= 102 })
        XCTAssertTrue(gateway.process.isRunning, "the gateway survived the poison")
        XCTAssertEqual(try ledger.files(in: [.archived]).count, 100, "all 100 good files translated")
        func report(_ entry: FileEntry?) -> ErrorReport? {
            entry?.error.flatMap { try? JSONDecoder().decode(ErrorReport.self, from: Data($0.utf8)) }
        }
        let quarantined = try ledger.files(in: [.quarantined])
        XCTAssertEqual(report(quarantined.first { $0.name == "trap.csv" })?.code, "reader.crashed")
        XCTAssertTrue(report(quarantined.first { $0.name == "trap.csv" })?.message.contains("test trigger") ?? false, "the trap's message is quoted")

        // A file that hangs its reader while the gateway is killed, twice: the third start
        // quarantines it as poison and goes on with the next file.
        try home.drop("hang.csv", Array("#dropgate-test:hang\n".utf8))
        for round in 1...2 {
            XCTAssertTrue(try GatewayProcess.waitFor(30) { try ledger.files(in: [.received]).first { $0.name == "hang.csv" }?.attempts == round },
                          "round \(round): the hanging file is in a worker")
            kill(gateway.pid, SIGKILL)
            gateway.process.waitUntilExit()
            let killed = gateway.pid
            XCTAssertTrue(GatewayProcess.waitFor(2) { GatewayProcess.workers(of: killed).isEmpty }, "the workers end with their gateway")
            gateway = try GatewayProcess(home, testTriggers: true)
        }
        try home.drop("after.csv", paymentCSV(1000))
        XCTAssertTrue(try GatewayProcess.waitFor(30) { try ledger.files(in: [.archived]).contains { $0.name == "after.csv" } }, "the gateway goes on")
        let hang = try ledger.files(in: FileState.allCases).first { $0.name == "hang.csv" }
        XCTAssertEqual(hang?.state, .quarantined)
        XCTAssertEqual(report(hang)?.code, "reader.poison")
        XCTAssertTrue(gateway.process.isRunning)
        kill(gateway.pid, SIGTERM)
        gateway.process.waitUntilExit()
    }

    func testTimeAndMemoryLimitsEndTheWorker() throws {
        home = try GatewayHome(partnersAndRoutes: """
            pickup: { minAge: 0ms, pollInterval: 50ms }
            partners:
              bank:
                channels:
                  - { name: payments, mapping: csv/bank-payment, limits: { time: 1s } }
                  - { name: hungry, mapping: csv/bank-payment, limits: { time: 120s, memory: 256MB } }
            """)
        try home.drop("hang.csv", Array("#dropgate-test:hang\n".utf8))
        try home.drop("memory.csv", Array("#dropgate-test:memory\n".utf8), into: "bank/hungry")
        try home.drop("good.csv", paymentCSV(1))
        let gateway = try GatewayProcess(home, once: true, testTriggers: true)
        gateway.process.waitUntilExit()
        XCTAssertEqual(gateway.process.terminationStatus, 0)
        let files = try home.ledger().files(in: FileState.allCases)
        func code(_ name: String) -> String? {
            files.first { $0.name == name }?.error.flatMap { try? JSONDecoder().decode(ErrorReport.self, from: Data($0.utf8)) }?.code
        }
        XCTAssertEqual(code("hang.csv"), "reader.timeout")
        XCTAssertEqual(code("memory.csv"), "reader.memory")
        XCTAssertEqual(files.first { $0.name == "good.csv" }?.state, .archived)
    }
}
