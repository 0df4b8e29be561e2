import Foundation
import XCTest
@testable import Console
@testable import Ledger
import GRDB

/// The file search's SQL on a real ledger file: the trigram index finds what `instr()` found (rows
/// from before the index's migration too, and errors set and cleared later), and every filter
/// combination the API allows is answered from an index.
final class FileSearchTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("dropgate-search-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    func insert(_ db: Database, _ n: Int, name: String, error: String? = nil, state: String = "archived") throws {
        try db.execute(sql: """
            INSERT INTO files (partner, channel, name, sha256, format, state, workPath, error, receivedAt, updatedAt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [n % 2 == 0 ? "bank" : "Globex", n % 3 == 0 ? "payments" : "statements", name, String(format: "%08x", n * 7919) + String(repeating: "a", count: 56),
                             n % 4 == 0 ? "x12" : "csv", state, "work/\(n)", error, "2026-11-\(String(format: "%02d", 1 + n % 28)) 10:00:00.000", "2026-11-30 10:00:00.000"])
    }

    func testTextSearchMatchesInstrIncludingRowsFromBeforeTheIndex() throws {
        let queue = try DatabaseQueue(path: root + "/ledger.sqlite")
        var migrator = DatabaseMigrator()
        Migrations.register(&migrator)
        try migrator.migrate(queue, upTo: "console: tokens, channel switches")
        let report = #"{"code":"mapping.failed","message":"not a date: \"23.11\"","line":2,"column":13}"#
        try queue.write { db in
            for n in 0..<40 { try insert(db, n, name: "pay-\(n).csv", error: n % 5 == 0 ? report : nil, state: n % 5 == 0 ? "quarantined" : "archived") }
        }
        try migrator.migrate(queue)
        try queue.write { db in
            for n in 40..<80 { try insert(db, n, name: n % 2 == 0 ? "PAY-\(n).CSV" : "Zahlung-\(n)-ä.csv") }
            // An error set later (quarantine) and one cleared (a retry) must be found / no longer found.
            try db.execute(sql: "UPDATE files SET error = ?, state = 'quarantined' WHERE name = 'PAY-42.CSV'", arguments: [#"{"message":"amount 12x"}"#])
            try db.execute(sql: "UPDATE files SET error = NULL, state = 'archived' WHERE name = 'pay-10.csv'")
        }
        let sha = String(format: "%08x", 33 * 7919) + String(repeating: "a", count: 56)
        let probes = ["pay", "PAY", "pay-1", "-4", "a", "not a date", "Not a date", #""23.11""#, "12x", "ä.csv", "Zahlung-41", ".csv", String(sha.prefix(8)),
                      String(sha.prefix(8)).uppercased(), "mapping.failed", "nothing-like-this", #"a "b"#]
        try queue.read { db in
            for q in probes {
                let (whereSQL, args) = try FileFilter { $0 == "q" ? q : nil }.sql()
                let found = try Int64.fetchAll(db, sql: "SELECT id FROM files \(whereSQL) ORDER BY id DESC", arguments: args)
                var expected = try Int64.fetchAll(db, sql: "SELECT id FROM files WHERE instr(name, ?) > 0 OR instr(error, ?) > 0", arguments: [q, q])
                if q.count >= 4, q.allSatisfy(\.isHexDigit) {
                    expected += try Int64.fetchAll(db, sql: "SELECT id FROM files WHERE substr(sha256, 1, ?) = ?", arguments: [q.count, q.lowercased()])
                }
                XCTAssertEqual(found, Array(Set(expected)).sorted(by: >), "q=\(q)")
            }
            // The probes find something where they should (the comparison above is not empty-vs-empty).
            let count = { (q: String) in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM files \(try FileFilter { $0 == "q" ? q : nil }.sql().0)",
                                                          arguments: try FileFilter { $0 == "q" ? q : nil }.sql().1) ?? 0 }
            XCTAssertEqual(try count("pay"), 40)
            XCTAssertEqual(try count("not a date"), 7, "8 quarantined before the index, one cleared")
            XCTAssertEqual(try count("12x"), 1)
            XCTAssertEqual(try count(String(sha.prefix(8))), 1)
        }
    }

    /// EXPLAIN QUERY PLAN of every combination of partner, channel, format, state, from, to and q: with
    /// any filter given, the files table is never read whole (an index or the trigram table leads).
    func testEveryFilterCombinationUsesAnIndex() throws {
        let ledger = try Ledger(path: root + "/ledger.sqlite")
        try ledger.write { db in for n in 0..<200 { try insert(db, n, name: "file-\(n).csv") } }
        let values = ["partner": "bank", "channel": "payments", "format": "csv", "state": "archived", "from": "2026-11-02", "to": "2026-11-09", "q": "file-1"]
        let keys = values.keys.sorted()
        var plans = [String]()
        try ledger.read { db in
            for mask in 0..<(1 << keys.count) {
                let given = keys.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element)
                let filter = try FileFilter { given.contains($0) ? values[$0] : nil }
                let (whereSQL, args) = filter.sql()
                let pageSQL = Queries.filePageSQL(whereSQL)
                for sql in [pageSQL, Queries.fileCountSQL(whereSQL)] {
                    var arguments = args
                    if sql == pageSQL { arguments += [50, 0] }
                    let steps = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
                    plans.append("\(given.joined(separator: "+")): " + steps.joined(separator: " | "))
                    if given.isEmpty { continue }
                    // "SCAN files" alone is a walk of the whole table (an index search names its index).
                    // One exception, SQLite's own choice: the page of a one-sided date range walks the
                    // table newest first and stops when the page is full (ids grow with receivedAt, so
                    // `from` finds its rows at once); its count still uses files_receivedAt.
                    if given == ["from"] || given == ["to"], sql == pageSQL {
                        XCTAssertTrue(steps.contains("SCAN files"), "\(given): \(steps)")
                        continue
                    }
                    XCTAssertFalse(steps.contains { $0 == "SCAN files" }, "\(given): \(steps)")
                }
            }
        }
        XCTAssertEqual(plans.count, 256)
        if ProcessInfo.processInfo.environment["SHOW_PLANS"] != nil { print(plans.joined(separator: "\n")) }
    }
}
