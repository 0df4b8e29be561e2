import Foundation
import XCTest
import Canonical
import Gateway
import Ledger
import Transport
#if canImport(Glibc)
import Glibc
#endif

/// Kills the real `dropgate run` process (with its worker processes) with SIGKILL at 200 random
/// moments while files keep arriving, restarts it each time, and checks that every file ended
/// translated exactly once.
final class CrashTests: XCTestCase {
    func start(_ home: GatewayHome, once: Bool = false) throws -> Process { try GatewayProcess(home, once: once).process }

    func testKillNineAtRandomPointsLosesAndDuplicatesNothing() throws {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: dropgateExecutable), "build dropgate first: \(dropgateExecutable)")
        // Deliberate kills may land on the same file twice; poison has its own test (PoisonTests).
        let home = try GatewayHome(minAge: "0ms", pollInterval: "20ms", poisonAfter: 1000)
        defer { home.remove() }
        var generator = SystemRandomNumberGenerator()
        var dropped = [String: Int]()     // name → content number
        var next = 0
        let rounds = 200
        var kills = 0
        var pids = [Int32]()
        for round in 0..<rounds {
            // A few new files per round, some of them byte-identical to earlier ones (duplicates).
            for _ in 0..<5 {
                let content = (next % 9 == 8) ? Int.random(in: 0..<max(next, 1), using: &generator) : next
                let name = "r\(round)-f\(next).csv"
                try home.drop(name, paymentCSV(content))
                dropped[name] = content
                next += 1
            }
            let p = try start(home)
            usleep(UInt32.random(in: 5_000...120_000, using: &generator))
            kill(p.processIdentifier, SIGKILL)
            pids.append(p.processIdentifier)
            p.waitUntilExit()
            if p.terminationReason == .uncaughtSignal { kills += 1 }
        }
        // A last, uninterrupted run finishes what is left.
        let last = try start(home, once: true)
        last.waitUntilExit()
        XCTAssertEqual(last.terminationStatus, 0)
        XCTAssertGreaterThanOrEqual(kills, 195, "at least 195 kill points")
        XCTAssertTrue(GatewayProcess.waitFor(2) { (pids + [last.processIdentifier]).allSatisfy { GatewayProcess.workers(of: $0).isEmpty } },
                      "no worker outlives its gateway")

        let ledger = try home.ledger()
        let all = try ledger.files(in: FileState.allCases)
        XCTAssertEqual(Set(all.map(\.name)), Set(dropped.keys), "every dropped file is in the ledger")
        XCTAssertEqual(all.count, dropped.count, "no file registered twice")
        XCTAssertEqual(all.filter { $0.state != .archived && $0.state != .duplicate }.map { "\($0.name): \($0.state)" }, [])
        let uniqueContents = Set(dropped.values).count
        XCTAssertEqual(all.filter { $0.state == .archived }.count, uniqueContents, "one archived file per distinct content")
        XCTAssertEqual(try ledger.recordCount(), uniqueContents * 2, "two records per translated file, none twice")
        XCTAssertEqual(home.files(under: "var/work"), [], "nothing left in work/")
        XCTAssertEqual(home.files(under: "outbox").filter { $0.contains(AtomicFile.tempPrefix) }, [], "no half-written output left")
        XCTAssertEqual(home.files(under: "inbox").filter { !$0.hasSuffix(".part") }, [], "nothing left in the inbox")
        XCTAssertEqual(home.files(under: "var/archive").count, dropped.count, "every original kept in the archive")
        // The JSON Lines output: one file per translated file, each record once.
        var ids = [String]()
        for f in home.files(under: "outbox/records") where f.hasSuffix(".jsonl") {
            ids += try JSONLines.decode(fileAt: home.root + "/outbox/records/" + f).map { "\($0.source!.file)#\($0.id)" }
        }
        XCTAssertEqual(ids.count, uniqueContents * 2)
        XCTAssertEqual(Set(ids).count, ids.count, "no record written twice")
    }
}
