import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import TestSupport
import GRDB

/// A mapping fixed while `dropgate run` runs (worker processes, as in production) is used for the
/// files dropped after the fix; a broken one is not: the mappings loaded before stay in use and
/// `/readyz` names the located error until the folder loads again.
final class MappingReloadTests: XCTestCase {
    func testFixedMappingIsUsedBrokenOneKeepsTheOldAndShows() throws {
        let home = try GatewayHome()
        defer { home.remove() }
        let mappings = home.root + "/mappings"
        try FileManager.default.copyItem(atPath: packageRoot + "/mappings", toPath: mappings)
        let port = try TestSSHD.freePort()
        try """
            folders: { inbox: inbox, outbox: outbox, var: var, mappings: mappings }
            pickup: { minAge: 0ms, pollInterval: 50ms }
            http: { listen: "127.0.0.1:\(port)" }
            partners:
              bank:
                channels:
                  - { name: payments, mapping: csv/bank-payment }
            """.write(toFile: home.root + "/gateway.yaml", atomically: true, encoding: .utf8)
        let gateway = try GatewayProcess(home, logTo: home.root + "/gateway.log")
        defer { gateway.process.terminate(); gateway.process.waitUntilExit() }
        let ledger = try home.ledger()
        func creditors(_ name: String) throws -> [String]? {
            try ledger.read { db in
                guard try String.fetchOne(db, sql: "SELECT state FROM files WHERE name = ?", arguments: [name]) == "archived" else { return nil }
                return try String.fetchAll(db, sql: "SELECT r.json FROM records r JOIN files f ON f.id = r.fileId WHERE f.name = ? ORDER BY r.idx", arguments: [name])
                    .map { line in
                        let record = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                        return try XCTUnwrap((record["creditor"] as? [String: Any])?["name"] as? String)
                    }
            }
        }
        func dropAndWait(_ name: String, _ n: Int) throws -> [String] {
            try home.drop(name, paymentCSV(n))
            var found: [String]?
            XCTAssertTrue(try GatewayProcess.waitFor(30) { found = try creditors(name); return found != nil }, "\(name) not archived; log: \(log())")
            return found ?? []
        }
        func log() -> String { (try? String(contentsOfFile: home.root + "/gateway.log", encoding: .utf8)) ?? "" }
        func readiness() -> (status: Int, body: String) {
            let done = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var answer = (0, "")
            URLSession.shared.dataTask(with: URL(string: "http://127.0.0.1:\(port)/readyz")!) { data, response, _ in
                answer = ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data ?? Data(), as: UTF8.self))
                done.signal()
            }.resume()
            _ = done.wait(timeout: .now() + 10)
            return answer
        }
        XCTAssertTrue(GatewayProcess.waitFor(30) { readiness().status == 200 }, log())

        XCTAssertEqual(try dropAndWait("before.csv", 1), ["Creditor 1", "Creditor 1"])
        // The fix: creditor names upper-cased. The next file uses it (in a worker started before the fix).
        let path = mappings + "/csv/bank-payment.yaml"
        let original = try String(contentsOfFile: path, encoding: .utf8)
        let fixed = original.replacingOccurrences(of: "  creditor.name: Creditor\n", with: "  creditor.name: { path: Creditor, upper: true }\n")
        XCTAssertNotEqual(fixed, original)
        try fixed.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try dropAndWait("after-fix.csv", 2), ["CREDITOR 2", "CREDITOR 2"])

        // A broken mapping (an unclosed flow mapping): not loaded; the fixed one stays in use, and
        // /readyz says which file and line.
        try fixed.replacingOccurrences(of: "  currency: Currency\n", with: "  currency: { path: Currency\n").write(toFile: path, atomically: true, encoding: .utf8)
        var broken = (0, "")
        XCTAssertTrue(GatewayProcess.waitFor(10) { broken = readiness(); return broken.0 == 503 }, "\(broken)")
        XCTAssertTrue(broken.1.contains("\"mappings\"") && broken.1.contains("bank-payment.yaml"), broken.1)
        XCTAssertTrue(log().contains("not reloaded"), log())
        XCTAssertEqual(try dropAndWait("while-broken.csv", 3), ["CREDITOR 3", "CREDITOR 3"])

        // Mended: ready again, and the mended folder is what the next file gets.
        try original.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertTrue(GatewayProcess.waitFor(10) { readiness().status == 200 })
        XCTAssertEqual(try dropAndWait("mended.csv", 4), ["Creditor 4", "Creditor 4"])
    }
}
