import Foundation
import XCTest
import Canonical
import Gateway
import Ledger

final class PickupTests: XCTestCase {
    var home: GatewayHome!
    override func setUpWithError() throws { home = try GatewayHome() }
    override func tearDown() { home.remove() }

    func testTranslatesArchivesAndWritesRecordsOnce() throws {
        try home.drop("a.csv", paymentCSV(1))
        try home.runOnce()
        let ledger = try home.ledger()
        XCTAssertEqual(try ledger.stateCounts().map { "\($0.0.rawValue)=\($0.1)" }, ["archived=1"])
        XCTAssertEqual(home.files(under: "inbox"), [])
        XCTAssertEqual(home.files(under: "var/work"), [])
        XCTAssertEqual(home.files(under: "var/archive").count, 1)
        let jsonl = home.files(under: "outbox/records")
        XCTAssertEqual(jsonl, ["bank/payments/a.csv.1.jsonl"])
        let records = try JSONLines.decode(fileAt: home.root + "/outbox/records/" + jsonl[0])
        XCTAssertEqual(records.count, 2)
        XCTAssertEqual(records[1].source?.index, 1)
        XCTAssertEqual(try ledger.auditTrail(fileId: 1).map(\.event), ["received", "translated", "archived"])
    }

    func testDuplicateDropYieldsDuplicateAndNoRecords() throws {
        try home.drop("a.csv", paymentCSV(1))
        try home.runOnce()
        try home.drop("a-again.csv", paymentCSV(1))
        try home.drop("b.csv", paymentCSV(2))
        try home.runOnce()
        let ledger = try home.ledger()
        let counts = Dictionary(uniqueKeysWithValues: try ledger.stateCounts().map { ($0.0, $0.1) })
        XCTAssertEqual(counts[.archived], 2)
        XCTAssertEqual(counts[.duplicate], 1)
        XCTAssertEqual(try ledger.recordCount(), 4, "the duplicate added no records")
        let dup = try ledger.files(in: [.duplicate])[0]
        XCTAssertEqual(dup.name, "a-again.csv")
        XCTAssertEqual(dup.duplicateOf, 1)
        XCTAssertEqual(home.files(under: "outbox/records").count, 2)
    }

    func testTempAndHiddenFilesAreNeverTouched() throws {
        try FileManager.default.createDirectory(atPath: home.inbox, withIntermediateDirectories: true)
        for name in ["x.csv.part", "y.tmp", "z.filepart", ".hidden.csv"] {
            _ = FileManager.default.createFile(atPath: home.inbox + "/" + name, contents: Data(paymentCSV(3)))
        }
        try home.runOnce()
        XCTAssertEqual(home.files(under: "inbox/bank/payments"), [".hidden.csv", "x.csv.part", "y.tmp", "z.filepart"])
        XCTAssertEqual(try home.ledger().stateCounts().count, 0)
        try FileManager.default.moveItem(atPath: home.inbox + "/x.csv.part", toPath: home.inbox + "/x.csv")
        try home.runOnce()
        XCTAssertEqual(try home.ledger().stateCounts().map(\.1), [1])
    }

    func testBadFilesGoToQuarantineWithReportsAndTheGatewayKeepsGoing() throws {
        try home.drop("empty.csv", [])
        try home.drop("binary.csv", [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x0A, 0x41])
        try home.drop("latin1.csv", Array("Direction,Execution date,Amount,Currency,Debtor,Creditor\noutbound,2026-11-23,1.00,EUR,".utf8) + [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72] + Array(",B\n".utf8))
        try home.drop("ragged.csv", Array("Direction,Execution date,Amount,Currency,Debtor,Creditor\noutbound,2026-11-23,1.00,EUR,A,B\noutbound,2026-11-23\n".utf8))
        try home.drop("good.csv", paymentCSV(7))
        try home.runOnce()
        let ledger = try home.ledger()
        let counts = Dictionary(uniqueKeysWithValues: try ledger.stateCounts().map { ($0.0, $0.1) })
        XCTAssertEqual(counts[.quarantined], 4)
        XCTAssertEqual(counts[.archived], 1)
        XCTAssertEqual(try ledger.recordCount(), 2, "quarantined files add no records")
        func report(_ name: String) throws -> ErrorReport {
            let file = home.files(under: "var/quarantine").first { $0.hasSuffix("-\(name).error.json") }!
            return try JSONDecoder().decode(ErrorReport.self, from: Data(contentsOf: URL(fileURLWithPath: home.root + "/var/quarantine/" + file)))
        }
        XCTAssertEqual(try report("empty.csv").code, "input.empty")
        XCTAssertEqual(try report("binary.csv").code, "input.binary")
        let enc = try report("latin1.csv")
        XCTAssertEqual(enc.code, "input.encoding"); XCTAssertEqual(enc.line, 2); XCTAssertEqual(enc.column, 31)
        XCTAssertEqual(enc.partner, "bank"); XCTAssertEqual(enc.sha256?.count, 64); XCTAssertEqual(enc.file, "latin1.csv")
        let ragged = try report("ragged.csv")
        XCTAssertEqual(ragged.code, "csv.ragged-row"); XCTAssertEqual(ragged.line, 3)
        XCTAssertEqual(home.files(under: "var/quarantine").filter { !$0.hasSuffix(".error.json") }.count, 4, "the originals are kept")
    }

    func testDoneFileGatesPickup() throws {
        home.remove()
        home = try GatewayHome(doneFile: "{name}.done")
        try home.drop("a.csv", paymentCSV(1))
        try home.runOnce()
        XCTAssertEqual(home.files(under: "inbox/bank/payments"), ["a.csv"], "waits for a.csv.done")
        _ = FileManager.default.createFile(atPath: home.inbox + "/a.csv.done", contents: Data())
        try home.runOnce()
        XCTAssertEqual(home.files(under: "inbox/bank/payments"), [], "file and done-file both taken")
        XCTAssertEqual(try home.ledger().stateCounts().map(\.1), [1])
    }

    func testStabilityIsMeasuredFromFirstSight() {
        var t = Transport.StabilityTracker(minAge: 1)
        XCTAssertFalse(t.observe("f", size: 10, mtime: 100, now: 1000))
        XCTAssertFalse(t.observe("f", size: 10, mtime: 100, now: 1000.5))
        XCTAssertFalse(t.observe("f", size: 20, mtime: 101, now: 1001.2), "it grew: the clock restarts")
        XCTAssertFalse(t.observe("f", size: 20, mtime: 101, now: 1002.1))
        XCTAssertTrue(t.observe("f", size: 20, mtime: 101, now: 1002.2))
        var fresh = Transport.StabilityTracker(minAge: 1)
        XCTAssertFalse(fresh.observe("old", size: 1, mtime: 0, now: 1_000_000), "an old mtime does not count as stable")
    }

    func testConfigReportsEveryMistakeWithItsPath() throws {
        let yaml = """
            folders: { mappings: \(packageRoot)/mappings }
            pickup: { minAge: soon }
            partners:
              acme:
                channels:
                  - { name: a, format: csv, mapping: csv/nope }
                  - { name: b, format: x13 }
                  - { name: c, format: csv, encoding: klingon, colour: blue }
            routes:
              - { from: { partner: ghost }, emit: { format: csv, partner: acme, channel: out } }
            """
        let path = home.root + "/bad.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try GatewayConfig.load(path: path)) { e in
            let p = (e as! ConfigError).problems.joined(separator: "\n")
            for expected in ["pickup.minAge: not a duration", "partners.acme.channels[1].format: unknown format \"x13\"; known: csv",
                             "partners.acme.channels[2].encoding: unknown encoding \"klingon\"", "partners.acme.channels[2].colour: unknown key",
                             "routes[0].from.partner: unknown partner \"ghost\"", "partners.acme.channels[0].mapping: unknown mapping \"csv/nope\""] {
                XCTAssertTrue(p.contains(expected), "missing \(expected) in:\n\(p)")
            }
        }
    }
}

import Transport
#if canImport(Glibc)
import Glibc
#endif

final class PickupSafetyTests: XCTestCase {
    func testNamesAreEscapedOneToOne() {
        XCTAssertEqual(FileNames.escaped(Array("a.csv".utf8)), "a.csv")
        XCTAssertEqual(FileNames.escaped(Array("new\nline\u{1B}.csv".utf8)), #"new\x0Aline\x1B.csv"#)
        XCTAssertEqual(FileNames.escaped([0x62, 0xFF, 0x5C]), #"b\xFF\\"#)
        XCTAssertEqual(FileNames.escaped(Array("Müller €.csv".utf8)), "Müller €.csv")
        XCTAssertNotEqual(FileNames.escaped([0xFF]), FileNames.escaped(Array(#"\xFF"#.utf8)), "a literal backslash cannot pose as an escape")
        XCTAssertEqual(FileNames.safe("-rf.csv"), "_rf.csv")
        XCTAssertEqual(FileNames.safe(String(repeating: "a", count: 255)).utf8.count, 160)
        XCTAssertEqual(FileNames.printable("line\none"), #"line\x0Aone"#)
    }

    func testAFileIsTakenOnlyAfterItsWriterClosedIt() throws {
        let home = try GatewayHome(minAge: "0ms", pollInterval: "20ms")
        defer { home.remove() }
        try FileManager.default.createDirectory(atPath: home.inbox, withIntermediateDirectories: true)
        let log = home.root + "/gateway.log"
        let gateway = try GatewayProcess(home, logTo: log)
        defer { kill(gateway.pid, SIGTERM); gateway.process.waitUntilExit() }
        let ledger = try home.ledger()
        XCTAssertTrue(GatewayProcess.waitFor(30) { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("with inotify") },
                      "the gateway watches its folders with inotify")
        let content = paymentCSV(5)
        let path = home.inbox + "/slow.csv"
        // One open from creation to close (as a sender's upload is): creating the file with one
        // handle and writing with another would close it once in between, empty.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        let writer = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
        writer.write(Data(content.prefix(40)))
        usleep(800_000)   // a writer pausing far longer than minAge
        XCTAssertEqual(try ledger.files(in: FileState.allCases).count, 0, "not taken while its writer holds it open")
        writer.write(Data(content.dropFirst(40)))
        try writer.close()
        XCTAssertTrue(try GatewayProcess.waitFor(20) { try ledger.files(in: [.archived]).count == 1 })
        XCTAssertEqual(try ledger.recordCount(), 2, "the whole file was read")
    }

    func testEmptyFilesOnlyWhereTheChannelAllowsThem() throws {
        let home = try GatewayHome(partnersAndRoutes: """
            pickup: { minAge: 0ms, pollInterval: 50ms }
            partners:
              bank:
                channels:
                  - { name: payments, mapping: csv/bank-payment }
                  - { name: lenient, mapping: csv/bank-payment, allowEmpty: true }
            """)
        defer { home.remove() }
        let header = Array("Direction,Execution date,Amount,Currency,Debtor,Creditor,End to end id\n".utf8)
        try home.drop("header.csv", header)
        try home.drop("zero.csv", [])
        try home.drop("header.csv", header, into: "bank/lenient")
        try home.drop("zero.csv", [], into: "bank/lenient")
        try home.runOnce()
        let files = try home.ledger().files(in: FileState.allCases)
        func state(_ channel: String, _ name: String) -> String {
            guard let f = files.first(where: { $0.channel == channel && $0.name == name }) else { return "missing" }
            let code = f.error.flatMap { try? JSONDecoder().decode(ErrorReport.self, from: Data($0.utf8)) }?.code
            return f.state.rawValue + (code.map { " " + $0 } ?? "")
        }
        XCTAssertEqual(state("payments", "header.csv"), "quarantined input.no-records")
        XCTAssertEqual(state("payments", "zero.csv"), "quarantined input.empty")
        XCTAssertEqual(state("lenient", "header.csv"), "archived")
        XCTAssertEqual(state("lenient", "zero.csv"), "archived")
    }

    func testLimitsAndWorkersAreReadFromTheConfig() throws {
        let home = try GatewayHome(partnersAndRoutes: """
            workers: 3
            limits: { fileSize: 10MB, time: 30s }
            partners:
              bank:
                channels:
                  - { name: a, mapping: csv/bank-payment, limits: { memory: 512MB } }
                  - { name: b, mapping: csv/bank-payment, limits: { fileSize: lots } }
            """)
        defer { home.remove() }
        XCTAssertThrowsError(try home.config) { e in
            XCTAssertTrue("\(e)".contains("partners.bank.channels[1].limits.fileSize: not a size"), "\(e)")
        }
        let yaml = try String(contentsOfFile: home.root + "/gateway.yaml", encoding: .utf8).replacingOccurrences(of: "fileSize: lots", with: "fileSize: 1GB")
        try yaml.write(toFile: home.root + "/gateway.yaml", atomically: true, encoding: .utf8)
        let config = try home.config
        XCTAssertEqual(config.workers, 3)
        XCTAssertEqual(config.channels[0].limits.fileSize, 10 << 20, "inherited from the top")
        XCTAssertEqual(config.channels[0].limits.memory, 512 << 20)
        XCTAssertEqual(config.channels[0].limits.time, 30)
        XCTAssertEqual(config.channels[1].limits.fileSize, 1 << 30)
        // Sizes are exact; one past Int64 is refused (it used to trap converting a Double).
        for (text, expected) in [("1.5MB", "\(3 << 19)"), ("99999999999999GB", "not a size")] {
            try yaml.replacingOccurrences(of: "fileSize: 1GB", with: "fileSize: \(text)").write(toFile: home.root + "/gateway.yaml", atomically: true, encoding: .utf8)
            let got: String
            do { got = "\(try home.config.channels[1].limits.fileSize)" } catch { got = "\(error)".contains("fileSize: not a size") ? "not a size" : "\(error)" }
            XCTAssertEqual(got, expected, text)
        }
    }
}
