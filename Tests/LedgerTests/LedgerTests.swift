import XCTest
import GRDB
@testable import Ledger

final class LedgerTests: XCTestCase {
    var path: String!
    var ledger: Ledger!

    override func setUpWithError() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID()).sqlite").path
        ledger = try Ledger(path: path)
    }
    override func tearDown() {
        ledger = nil
        for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) }
    }

    func testStatesRecordsAndAuditTrail() throws {
        let f = try ledger.receive(partner: "p", channel: "c", name: "a.csv", workPath: "/w/a", size: 10)
        try ledger.setHash(f.id!, sha256: "abc", size: 10)
        try ledger.commitTranslation(f.id!) { sink in
            try sink.insert(id: "abc-0", type: "payment", json: "{}")
            try sink.insert(id: "abc-1", type: "payment", json: "{\"x\":1}")
            return "csv"
        }
        try ledger.finish(f.id!, state: .archived, finalPath: "/a/a.csv")
        let back = try XCTUnwrap(try ledger.file(id: f.id!))
        XCTAssertEqual(back.state, .archived); XCTAssertEqual(back.recordCount, 2); XCTAssertEqual(back.format, "csv")
        XCTAssertEqual(try ledger.records(fileId: f.id!), ["{}", "{\"x\":1}"])
        XCTAssertEqual(try ledger.auditTrail(fileId: f.id!).map(\.event), ["received", "translated", "archived"])
        XCTAssertEqual(try ledger.translatedTwin(partner: "p", sha256: "abc", excluding: 99)?.id, f.id)
        XCTAssertNil(try ledger.translatedTwin(partner: "other", sha256: "abc", excluding: 99), "duplicates are per partner")
    }

    func testAFailedTranslationStoresNothing() throws {
        let f = try ledger.receive(partner: "p", channel: "c", name: "a.csv", workPath: "/w/a", size: 10)
        struct Boom: Error {}
        XCTAssertThrowsError(try ledger.commitTranslation(f.id!) { sink in
            try sink.insert(id: "x-0", type: "payment", json: "{}")
            throw Boom()
        })
        XCTAssertEqual(try ledger.recordCount(), 0)
        XCTAssertEqual(try ledger.file(id: f.id!)?.state, .received)
    }

    func testRetranslationReplacesRecords() throws {
        let f = try ledger.receive(partner: "p", channel: "c", name: "a.csv", workPath: "/w/a", size: 10)
        for _ in 0..<2 {
            try ledger.commitTranslation(f.id!) { sink in try sink.insert(id: "x-0", type: "payment", json: "{}"); return "csv" }
        }
        XCTAssertEqual(try ledger.recordCount(), 1)
    }

    func testCountersAreGapFreeAndSurviveReopening() throws {
        XCTAssertEqual(try (0..<3).map { _ in try ledger.nextCounter("x12.isa.acme") }, [1, 2, 3])
        XCTAssertEqual(try ledger.nextCounter("other"), 1)
        ledger = try Ledger(path: path)
        XCTAssertEqual(try ledger.nextCounter("x12.isa.acme"), 4)
        // A range at once (a NACHA file's trace numbers): the first of five, and the next after them.
        XCTAssertEqual(try ledger.nextCounter("x12.isa.acme", count: 5), 5)
        XCTAssertEqual(try ledger.nextCounter("x12.isa.acme"), 10)
        XCTAssertEqual(try ledger.nextCounter("fresh", count: 3), 1)
        XCTAssertEqual(try ledger.nextCounter("fresh"), 4)
    }

    func testAuditIsAppendOnly() throws {
        try ledger.audit(fileId: nil, "note", "hello")
        XCTAssertThrowsError(try ledger.write { try $0.execute(sql: "UPDATE audit SET detail = 'changed'") })
        XCTAssertThrowsError(try ledger.write { try $0.execute(sql: "DELETE FROM audit") })
    }

    func testWorkPathsAreUniqueAndWALIsOn() throws {
        _ = try ledger.receive(partner: "p", channel: "c", name: "a", workPath: "/w/same", size: 1)
        XCTAssertThrowsError(try ledger.receive(partner: "p", channel: "c", name: "b", workPath: "/w/same", size: 1))
        XCTAssertEqual(try ledger.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }, "wal")
    }
}
