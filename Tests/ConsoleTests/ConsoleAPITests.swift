import Foundation
import XCTest
@testable import Console
import Gateway
import Ledger
import GRDB
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The console's HTTP side against a real gateway on 127.0.0.1: health, access, the file API,
/// retry after a mapping fix, channel switches, CSRF and metrics.
final class ConsoleAPITests: XCTestCase {
    func testHealthAndReadiness() throws {
        let h = try ConsoleHarness()
        defer { h.stop() }
        let alive = try h.get("/healthz")
        XCTAssertEqual(alive.status, 200)
        XCTAssertEqual(try alive.object()["status"] as? String, "alive")
        let ready = try h.get("/readyz")
        XCTAssertEqual(ready.status, 200, ready.text)
        XCTAssertEqual(try ready.object()["ready"] as? Bool, true)
        // A channel folder gone: not ready, and the check that failed is named.
        try FileManager.default.removeItem(atPath: h.inbox("statements"))
        let notReady = try h.get("/readyz")
        XCTAssertEqual(notReady.status, 503)
        let checks = try XCTUnwrap(try notReady.object()["checks"] as? [[String: Any]])
        XCTAssertEqual(checks.filter { ($0["ok"] as? Bool) == false }.map { $0["name"] as? String }, ["channel bank/statements"])
    }

    func testTokensRolesAndFailedLoginLimit() throws {
        let h = try ConsoleHarness()
        defer { h.stop() }
        XCTAssertEqual(try h.get("/api/v1/files").status, 401)
        XCTAssertEqual(try h.get("/metrics").status, 401)
        let page = try h.get("/")
        XCTAssertEqual(page.status, 302)
        XCTAssertTrue(page.header("Location")?.hasPrefix("/login") == true, "\(page.headers)")
        XCTAssertEqual(try h.get("/api/v1/files", token: h.viewer).status, 200)
        XCTAssertEqual(try h.post("/api/v1/channels/bank/payments/disable", token: h.viewer).status, 403)
        XCTAssertEqual(try h.post("/api/v1/channels/bank/nope/disable", token: h.op).status, 404)
        // The secret is stored hashed, never as it is.
        let stored = try h.ledger.read { try String.fetchAll($0, sql: "SELECT hash FROM console_tokens") }
        XCTAssertFalse(stored.contains(h.op))
        XCTAssertTrue(stored.contains(Ledger.tokenHash(h.op)))
        // Five wrong tokens from this address, then even a sixth try is refused for a while.
        for _ in 0..<ConsoleAuth.maxFailures { XCTAssertEqual(try h.get("/api/v1/files", token: "dg_wrong").status, 401) }
        let limited = try h.get("/api/v1/files", token: "dg_wrong")
        XCTAssertEqual(limited.status, 429)
        XCTAssertNotNil(limited.header("Retry-After"))
    }

    func testFileListFiltersAndPaging() throws {
        let h = try ConsoleHarness()
        defer { h.stop() }
        for n in 1...5 { try h.drop("pay-\(n).csv", ConsoleHarness.payments(n)) }
        try h.drop("broken.csv", "Direction,Execution date,Amount,Currency,Debtor,Creditor,End to end id\noutbound,2026-11-23,12x,EUR,Acme,C,E\n")
        XCTAssertTrue(try h.waitFor { try h.ledger.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM files WHERE state IN ('archived', 'quarantined')") } == 6 })
        let first = try h.get("/api/v1/files?perPage=4", token: h.viewer).object()
        XCTAssertEqual(first["total"] as? Int, 6)
        XCTAssertEqual((first["items"] as? [Any])?.count, 4)
        let second = try h.get("/api/v1/files?perPage=4&page=2", token: h.viewer).object()
        XCTAssertEqual((second["items"] as? [[String: Any]])?.count, 2)
        let ids = ((first["items"] as! [[String: Any]]) + (second["items"] as! [[String: Any]])).compactMap { $0["id"] as? Int }
        XCTAssertEqual(ids, ids.sorted(by: >), "newest first")
        XCTAssertEqual(Set(ids).count, 6)
        let quarantined = try h.get("/api/v1/files?state=quarantined", token: h.viewer).object()
        XCTAssertEqual((quarantined["items"] as? [[String: Any]])?.map { $0["name"] as? String }, ["broken.csv"])
        XCTAssertEqual(try h.get("/api/v1/quarantine", token: h.viewer).object()["total"] as? Int, 1)
        XCTAssertEqual(try h.get("/api/v1/files?q=pay-3", token: h.viewer).object()["total"] as? Int, 1)
        XCTAssertEqual(try h.get("/api/v1/files?partner=bank&channel=payments&format=csv", token: h.viewer).object()["total"] as? Int, 5)
        XCTAssertEqual(try h.get("/api/v1/files?partner=other", token: h.viewer).object()["total"] as? Int, 0)
        let today = FileFilter.dayString(Date())
        XCTAssertEqual(try h.get("/api/v1/files?from=\(today)&to=\(today)", token: h.viewer).object()["total"] as? Int, 6)
        XCTAssertEqual(try h.get("/api/v1/files?to=2000-01-01", token: h.viewer).object()["total"] as? Int, 0)
        XCTAssertEqual(try h.get("/api/v1/files?state=lost", token: h.viewer).status, 400)
        XCTAssertEqual(try h.get("/api/v1/files?perPage=0", token: h.viewer).status, 400)
        XCTAssertEqual(try h.get("/api/v1/files/999999", token: h.viewer).status, 404)
    }

    func testRetryAfterMappingFixUsesTodaysMappingsAndIsAudited() throws {
        let h = try ConsoleHarness(brokenMapping: true)
        defer { h.stop() }
        try h.drop("nov.csv", ConsoleHarness.payments(7))
        XCTAssertTrue(try h.waitFor { try h.state(of: "nov.csv") == "quarantined" })
        let id = try h.id(of: "nov.csv")
        let detail = try h.get("/api/v1/files/\(id)", token: h.viewer).object()
        let report = try XCTUnwrap(detail["error"] as? [String: Any], "\(detail)")
        XCTAssertEqual(report["line"] as? Int, 2, "\(report)")
        XCTAssertNotNil(report["column"] as? Int, "\(report)")
        let preview = try h.get("/api/v1/files/\(id)/preview", token: h.viewer).object()
        let lines = try XCTUnwrap(preview["lines"] as? [[String: Any]])
        XCTAssertEqual(lines.first { ($0["error"] as? Bool) == true }?["number"] as? Int, 2)
        XCTAssertTrue((lines.first { ($0["error"] as? Bool) == true }?["text"] as? String)?.contains("2026-11-23") == true)
        // A viewer may not; a file that is not quarantined cannot be.
        XCTAssertEqual(try h.post("/api/v1/files/\(id)/retry", token: h.viewer).status, 403)
        // Still broken: the retry quarantines it again.
        let again = try h.post("/api/v1/files/\(id)/retry", token: h.op)
        XCTAssertEqual(again.status, 200, again.text)
        XCTAssertEqual(try again.object()["state"] as? String, "quarantined")
        try ConsoleHarness.fixMapping(h.root + "/mappings")
        let fixed = try h.post("/api/v1/files/\(id)/retry", token: h.op)
        XCTAssertEqual(fixed.status, 200, fixed.text)
        XCTAssertEqual(try fixed.object()["state"] as? String, "archived")
        XCTAssertEqual(try fixed.object()["recordCount"] as? Int, 2)
        XCTAssertEqual(try h.post("/api/v1/files/\(id)/retry", token: h.op).status, 409)
        // Replay with today's mappings: the same records, no difference.
        let replay = try h.get("/api/v1/files/\(id)/replay", token: h.viewer).object()
        XCTAssertEqual(replay["stored"] as? Int, 2, "\(replay)")
        XCTAssertEqual(replay["changed"] as? Int, 0, "\(replay)")
        try ConsoleHarness.breakMapping(h.root + "/mappings")
        XCTAssertTrue((try h.get("/api/v1/files/\(id)/replay", token: h.viewer).object()["error"] as? String)?.contains("dd.MM.yyyy") == true)
        let after = try h.get("/api/v1/files/\(id)", token: h.viewer).object()
        XCTAssertEqual((after["records"] as? [[String: Any]])?.count, 2)
        let audit = try XCTUnwrap(after["audit"] as? [[String: Any]])
        let events = audit.compactMap { $0["event"] as? String }
        XCTAssertEqual(events.filter { $0 == "retry" }.count, 2, "\(events)")
        XCTAssertEqual(events.last, "archived")
        XCTAssertTrue(audit.contains { ($0["event"] as? String) == "retry-requested" && ($0["detail"] as? String)?.contains("operator \"ops\"") == true }, "\(audit)")
        XCTAssertTrue(try h.ledger.verifyAudit().ok)
    }

    func testDisabledChannelIsLeftAloneAtOnceAndPersisted() throws {
        let h = try ConsoleHarness()
        defer { h.stop() }
        let off = try h.post("/api/v1/channels/bank/payments/disable", token: h.op)
        XCTAssertEqual(off.status, 200, off.text)
        XCTAssertEqual(try off.object()["enabled"] as? Bool, false)
        try h.drop("held.csv", ConsoleHarness.payments(1))
        try h.drop("other.csv", "not,a,statement\n", channel: "statements")
        // The other channel goes on; the disabled one is not touched.
        XCTAssertTrue(try h.waitFor { try h.state(of: "other.csv") == "quarantined" })
        usleep(500_000)
        XCTAssertNil(try h.state(of: "held.csv"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.inbox() + "/held.csv"))
        XCTAssertEqual(try h.ledger.disabledChannels(), ["bank/payments"])
        let audit = try h.get("/api/v1/audit", token: h.viewer)
        XCTAssertTrue(audit.text.contains("bank/payments by operator \\\"ops\\\" (token)"), audit.text)
        let channels = try XCTUnwrap(try h.get("/api/v1/channels", token: h.viewer).json() as? [[String: Any]])
        XCTAssertEqual(channels.first { $0["channel"] as? String == "payments" }?["enabled"] as? Bool, false)
        XCTAssertEqual(try h.post("/api/v1/channels/bank/payments/enable", token: h.op).status, 200)
        XCTAssertTrue(try h.waitFor { try h.state(of: "held.csv") == "archived" })
        XCTAssertEqual(try h.ledger.disabledChannels(), [])
    }

    func testSessionLoginAndCSRF() throws {
        let h = try ConsoleHarness()
        defer { h.stop() }
        let form = try h.get("/login")
        XCTAssertEqual(form.status, 200)
        let cookie = try XCTUnwrap(form.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
        let csrf = try XCTUnwrap(form.text.range(of: #"name="csrf" value="([0-9a-f]+)""#, options: .regularExpression).map { String(form.text[$0]).split(separator: "\"")[3] })
        // Without the login form's CSRF value: refused.
        let forged = try h.post("/login", headers: ["Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie], body: "token=\(h.op)&csrf=0000")
        XCTAssertEqual(forged.status, 403)
        let login = try h.post("/login", headers: ["Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie], body: "token=\(h.op)&csrf=\(csrf)&next=%2Fchannels")
        XCTAssertEqual(login.status, 302, login.text)
        XCTAssertEqual(login.header("Location"), "/channels")
        let session = try XCTUnwrap(login.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
        let page = try h.request("GET", "/channels", headers: ["Cookie": session])
        XCTAssertEqual(page.status, 200)
        let token = try XCTUnwrap(page.text.range(of: #"name="csrf" value="([0-9a-f]+)""#, options: .regularExpression).map { String(page.text[$0]).split(separator: "\"")[3] })
        // A form post without the session's CSRF token is refused and changes nothing.
        let noCSRF = try h.post("/channels/bank/payments/disable", headers: ["Cookie": session, "Content-Type": "application/x-www-form-urlencoded"], body: "")
        XCTAssertEqual(noCSRF.status, 403)
        XCTAssertEqual(try h.ledger.disabledChannels(), [])
        let apiNoCSRF = try h.post("/api/v1/channels/bank/payments/disable", headers: ["Cookie": session])
        XCTAssertEqual(apiNoCSRF.status, 403)
        let ok = try h.post("/channels/bank/payments/disable", headers: ["Cookie": session, "Content-Type": "application/x-www-form-urlencoded"], body: "csrf=\(token)")
        XCTAssertEqual(ok.status, 302)
        XCTAssertEqual(try h.ledger.disabledChannels(), ["bank/payments"])
        let rows = try h.ledger.read { try String.fetchAll($0, sql: "SELECT detail FROM audit WHERE event = 'channel-disabled'") }
        XCTAssertEqual(rows, ["bank/payments by operator \"ops\" (console session)"])
        // A wrong token at the login form counts as a failed login.
        let bad = try h.post("/login", headers: ["Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie], body: "token=dg_nope&csrf=\(csrf)")
        XCTAssertEqual(bad.status, 401)
    }

    func testPagesRenderOffline() throws {
        let h = try ConsoleHarness(brokenMapping: true)
        defer { h.stop() }
        try h.drop("nov.csv", ConsoleHarness.payments(3))
        XCTAssertTrue(try h.waitFor { try h.state(of: "nov.csv") == "quarantined" })
        let id = try h.id(of: "nov.csv")
        for path in ["/", "/files", "/files?state=quarantined&page=1", "/quarantine", "/files/\(id)", "/channels", "/dead-letters", "/deadlines", "/reconciliation"] {
            let page = try h.get(path, token: h.viewer)
            XCTAssertEqual(page.status, 200, path)
            XCTAssertTrue(page.text.contains("/static/console.css"), path)
            XCTAssertFalse(page.text.contains("http://") || page.text.contains("https://"), "\(path) loads nothing from elsewhere")
        }
        let detail = try h.get("/files/\(id)", token: h.viewer).text
        XCTAssertTrue(detail.contains("id=\"error-line\""), detail)
        XCTAssertTrue(detail.contains("<mark"), detail)
        XCTAssertFalse(detail.contains("id=\"retry\""), "a viewer gets no retry button")
        XCTAssertTrue(try h.get("/files/\(id)", token: h.op).text.contains("id=\"retry\""))
        XCTAssertEqual(try h.get("/static/console.css").status, 200)
        // A FIFO dropped in is rejected and moved aside; its preview never opens it (no hang).
        XCTAssertEqual(mkfifo(h.inbox() + "/pipe.csv", 0o644), 0)
        XCTAssertTrue(try h.waitFor { try h.state(of: "pipe.csv") == "rejected" })
        let fifo = try h.id(of: "pipe.csv")
        XCTAssertEqual(try h.get("/api/v1/files/\(fifo)/preview", token: h.viewer).object()["available"] as? Bool, false)
        XCTAssertEqual(try h.get("/files/\(fifo)", token: h.viewer).status, 200)
    }

    func testMetricsAfterAKnownRun() throws {
        let h = try ConsoleHarness()
        defer { h.stop() }
        for n in 1...3 { try h.drop("m-\(n).csv", ConsoleHarness.payments(n)) }
        try h.drop("bad.csv", "Direction,Execution date,Amount\noutbound,2026-11-23,x\n")
        XCTAssertTrue(try h.waitFor { try h.ledger.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM files WHERE state IN ('archived', 'quarantined')") } == 4 })
        let text = try h.get("/metrics", token: h.viewer).text
        let lines = text.split(separator: "\n").map(String.init)
        func value(_ prefix: String) -> String? { lines.first { $0.hasPrefix(prefix + " ") }.map { String($0.dropFirst(prefix.count + 1)) } }
        XCTAssertEqual(value(#"dropgate_files{partner="bank",channel="payments",format="csv",state="archived"}"#), "3.0", text)
        XCTAssertEqual(value(#"dropgate_records{type="payment"}"#), "6.0", text)
        XCTAssertEqual(value(#"dropgate_channel_enabled{partner="bank",channel="payments"}"#), "1.0", text)
        XCTAssertTrue(lines.contains { $0.hasPrefix("dropgate_drop_to_commit_seconds_bucket{") }, text)
        XCTAssertTrue(lines.contains { $0.hasPrefix("# TYPE dropgate_file_processing_seconds histogram") }, text)
    }

    /// The reconciliation report over the ledger: a payment we sent pays the statement's fee line
    /// (same amount, value date within the tolerance); the incoming transfer finds no invoice.
    func testReconciliationOfTheLedgersStatementsAndPayments() throws {
        let h = try ConsoleHarness()
        defer { h.stop() }
        try h.drop("fee.csv", """
            Direction,Execution date,Amount,Currency,Debtor,Creditor,End to end id
            outbound,2026-11-19,24.75,EUR,Acme Trading B.V.,The Bank,E2E-FEE

            """)
        try FileManager.default.createDirectory(atPath: h.inbox("statements"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: ProjectPaths.packageRoot + "/samples/acme-bank/statements/statement-2026-11-20.csv", toPath: h.inbox("statements") + "/s.csv")
        XCTAssertTrue(try h.waitFor { try h.state(of: "s.csv") == "archived" && h.state(of: "fee.csv") == "archived" })
        let today = FileFilter.dayString(Date())
        let report = try h.get("/api/v1/reconciliation?from=\(today)&to=\(today)", token: h.viewer).object()
        let statements = try XCTUnwrap(report["statements"] as? [[String: Any]])
        XCTAssertEqual(statements.count, 2, "two statements in the file")
        let first = statements[0]
        XCTAssertEqual(first["fileId"] as? Int, Int(try h.id(of: "s.csv")))
        XCTAssertEqual(first["matched"] as? Int, 1)
        XCTAssertEqual(first["unmatched"] as? Int, 1)
        let results = try XCTUnwrap(first["results"] as? [[String: Any]])
        XCTAssertEqual(results.map { $0["status"] as? String }, ["unmatched", "matched"])
        XCTAssertEqual(results[1]["method"] as? String, "amount-and-date")
        XCTAssertEqual((results[1]["expected"] as? [[String: Any]])?.first?["reference"] as? String, "E2E-FEE")
        XCTAssertEqual((report["unmatchedExpected"] as? [Any])?.count, 0)
        // A period with nothing received: no statement; a period too long: 400.
        XCTAssertEqual((try h.get("/api/v1/reconciliation?from=2020-01-01&to=2020-01-02", token: h.viewer).object()["statements"] as? [Any])?.count, 0)
        XCTAssertEqual(try h.get("/api/v1/reconciliation?from=2020-01-01&to=2020-03-01", token: h.viewer).status, 400)
        // The console's page shows the same: the matched fee line with the payment's reference.
        let page = try h.get("/reconciliation?from=\(today)&to=\(today)", token: h.viewer)
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.text.contains("E2E-FEE") && page.text.contains("amount-and-date"), page.text)
    }
}
