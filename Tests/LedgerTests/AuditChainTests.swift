import XCTest
import GRDB
@testable import Ledger

/// The audit trail's hash chain against a real SQLite file, tampered with the way an operator
/// with the file could: the `sqlite3` shell (dropping the append-only triggers first) or raw SQL.
final class AuditChainTests: XCTestCase {
    var path: String!
    var ledger: Ledger!

    override func setUpWithError() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID()).sqlite").path
        ledger = try Ledger(path: path)
        let f = try ledger.receive(partner: "bank", channel: "payments", name: "a.csv", workPath: "/w/a", size: 10)
        try ledger.commitTranslation(f.id!) { sink in try sink.insert(id: "a-0", type: "payment", json: "{}"); return "csv" }
        try ledger.finish(f.id!, state: .archived, finalPath: "/a/a.csv")
        try ledger.audit(fileId: nil, "note", "operator restarted the gateway")
        try ledger.audit(fileId: nil, "note", nil)
    }
    override func tearDown() {
        ledger = nil
        for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) }
    }

    func testAnUntouchedChainVerifies() throws {
        let v = try ledger.verifyAudit()
        XCTAssertNil(v.firstProblem)
        XCTAssertEqual(v.rows, 5)
        let hashes = try ledger.read { try Row.fetchAll($0, sql: "SELECT prevHash, hash FROM audit ORDER BY seq") }
        XCTAssertEqual(hashes.first?["prevHash"], AuditChain.genesis)
        for (a, b) in zip(hashes, hashes.dropFirst()) { XCTAssertEqual(b["prevHash"] as String, a["hash"] as String) }
        XCTAssertEqual(v.headHash, hashes.last?["hash"])
        // Reopening (migrations again) and appending keeps it intact.
        ledger = try Ledger(path: path)
        try ledger.audit(fileId: 1, "note", "later")
        XCTAssertTrue(try ledger.verifyAudit().ok)
    }

    func testARowEditedWithTheSQLiteShellIsFound() throws {
        try sqlite3("DROP TRIGGER audit_no_update; UPDATE audit SET detail = '1 records as mt940' WHERE seq = 2;")
        let v = try Ledger(path: path).verifyAudit()
        XCTAssertEqual(v.firstProblem, "audit row seq 2 (translated) was changed: its content no longer matches its hash")
    }

    func testARowEditedWithItsHashRecomputedBreaksTheNextLink() throws {
        try ledger.write { db in
            try db.execute(sql: "DROP TRIGGER audit_no_update")
            let prev = try String.fetchOne(db, sql: "SELECT prevHash FROM audit WHERE seq = 3")!
            let at = try DatabaseValue.fetchOne(db, sql: "SELECT at FROM audit WHERE seq = 3")!
            let forged = AuditChain.hash(prev: prev, content: AuditChain.content(seq: 3, at: at, fileId: 1.databaseValue,
                                                                                  event: "quarantined".databaseValue, detail: "/q/a.csv".databaseValue))
            try db.execute(sql: "UPDATE audit SET event = 'quarantined', detail = '/q/a.csv', hash = ? WHERE seq = 3", arguments: [forged])
        }
        XCTAssertEqual(try ledger.verifyAudit().firstProblem,
                       "audit row seq 4 (note) does not link to the row before it (seq 3): a row before it was changed, removed or replaced")
    }

    func testARemovedRowIsFound() throws {
        try sqlite3("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 3;")
        XCTAssertEqual(try ledger.verifyAudit().firstProblem, "audit row seq 3 is missing (removed)")
    }

    func testTheLastRowRemovedIsFoundAndTheNextRowDoesNotHideIt() throws {
        try ledger.write { db in
            try db.execute(sql: "DROP TRIGGER audit_no_delete")
            try db.execute(sql: "DELETE FROM audit WHERE seq = 5")
        }
        XCTAssertEqual(try ledger.verifyAudit().firstProblem,
                       "audit row seq 5 is missing (removed): the chain ends at seq 4, the head says seq 5")
        try ledger.audit(fileId: nil, "note", "appended after the removal")
        XCTAssertEqual(try ledger.verifyAudit().firstProblem, "audit row seq 5 is missing (removed)")
    }

    func testTheMigrationChainsRowsWrittenBeforeIt() throws {
        let old = FileManager.default.temporaryDirectory.appendingPathComponent("audit-old-\(UUID()).sqlite").path
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: old + s) } }
        let queue = try DatabaseQueue(path: old)
        var migrator = DatabaseMigrator()
        Migrations.register(&migrator)
        let before = try XCTUnwrap(migrator.migrations.firstIndex(of: "audit: hash chain"))
        try migrator.migrate(queue, upTo: migrator.migrations[before - 1])
        try queue.write { db in
            for (event, detail) in [("received", "bank/payments/x.csv (3 bytes)"), ("archived", "/a/x.csv"), ("note", nil)] {
                try db.execute(sql: "INSERT INTO audit (at, fileId, event, detail) VALUES (?, NULL, ?, ?)", arguments: [Date(), event, detail])
            }
        }
        try queue.close()
        let migrated = try Ledger(path: old)
        let v = try migrated.verifyAudit()
        XCTAssertNil(v.firstProblem)
        XCTAssertEqual(v.rows, 3)
        try migrated.audit(fileId: nil, "note", "after the migration")
        XCTAssertEqual(try migrated.verifyAudit().rows, 4)
        XCTAssertThrowsError(try migrated.write { try $0.execute(sql: "UPDATE audit SET detail = 'x'") }, "still append-only")
    }

    func testExportSinceADate() throws {
        try ledger.write { db in
            try db.execute(sql: "DROP TRIGGER audit_no_update")
            try db.execute(sql: "UPDATE audit SET at = '2026-01-01 00:00:00.000' WHERE seq <= 2")
            try db.execute(sql: "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END")
        }
        var lines = [String]()
        try ledger.forEachAuditRow(since: ISO8601DateFormatter().date(from: "2026-06-01T00:00:00Z")) { lines.append($0.jsonLine) }
        XCTAssertEqual(lines.count, 3)
        XCTAssertTrue(lines[0].hasPrefix("{\"seq\":3,\"at\":\""), lines[0])
        XCTAssertTrue(lines[2].contains("\"event\":\"note\",\"detail\":null,\"prevHash\":\""), lines[2])
        XCTAssertFalse(try ledger.verifyAudit().ok, "the backdated rows no longer match their hashes")
    }

    /// Runs SQL through the `sqlite3` shell on the ledger file (Makefile's apt list: sqlite3).
    private func sqlite3(_ sql: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sqlite3", path, sql]
        let err = Pipe()
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(p.terminationStatus, 0, "sqlite3: \(message)")
    }
}
