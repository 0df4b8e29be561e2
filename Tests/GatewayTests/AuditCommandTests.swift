import Foundation
import XCTest
import Ledger

/// `dropgate audit verify` and `export` on a real ledger file, before and after it is tampered with.
final class AuditCommandTests: XCTestCase {
    func testVerifyPassesUntouchedAndFailsAfterAnEditWithTheSQLiteShell() throws {
        let home = try GatewayHome()
        defer { home.remove() }
        try home.drop("a.csv", paymentCSV(1))
        try home.drop("b.csv", paymentCSV(2))
        try home.runOnce()
        let config = home.root + "/gateway.yaml"

        let ok = try DropgateCLI.run(["audit", "verify", "--config", config])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.hasPrefix("audit chain intact: "), ok.stdout)
        let head = try XCTUnwrap(ok.stdout.split(separator: " ").last).trimmingCharacters(in: .whitespacesAndNewlines)

        let export = try DropgateCLI.run(["audit", "export", "--config", config, "--since", "2000-01-01"])
        XCTAssertEqual(export.status, 0, export.stderr)
        let lines = export.stdout.split(separator: "\n")
        XCTAssertGreaterThanOrEqual(lines.count, 6, "received, translated, archived per file")
        XCTAssertTrue(lines.last!.contains("\"hash\":\"\(head)\""), "the last exported row is the head")
        let none = try DropgateCLI.run(["audit", "export", "--config", config, "--since", "2999-01-01"])
        XCTAssertEqual(none.stdout, "")

        let sqlite = try DropgateCLI.run([home.root + "/var/ledger.sqlite",
                                          "DROP TRIGGER audit_no_update; UPDATE audit SET detail = 'nothing happened' WHERE seq = 2;"],
                                         executable: "/usr/bin/sqlite3")
        XCTAssertEqual(sqlite.status, 0, sqlite.stderr)
        let bad = try DropgateCLI.run(["audit", "verify", "--config", config])
        XCTAssertEqual(bad.status, 65)
        XCTAssertTrue(bad.stderr.contains("audit row seq 2 ("), bad.stderr)
        XCTAssertEqual(try DropgateCLI.run(["audit", "export", "--config", config]).status, 65, "a broken chain is not exported")
    }

    func testAnEarlierHeadMustStillBeInTheChain() throws {
        let home = try GatewayHome()
        defer { home.remove() }
        try home.drop("a.csv", paymentCSV(1))
        try home.runOnce()
        let ledgerPath = home.root + "/var/ledger.sqlite"
        let head = try Ledger(path: ledgerPath).verifyAudit().headHash
        XCTAssertEqual(try DropgateCLI.run(["audit", "verify", "--ledger", ledgerPath, "--head", head]).status, 0)
        XCTAssertEqual(try DropgateCLI.run(["audit", "verify", "--ledger", ledgerPath, "--head", String(repeating: "ab", count: 32)]).status, 65)
    }
}
