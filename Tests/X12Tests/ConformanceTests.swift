import TestSupport
import XCTest
import FormatKit
@testable import X12

/// Reads every X12 file of the shared corpus and holds each to what its MANIFEST note says.
final class ConformanceTests: XCTestCase {
    struct Entry { let path: String; let note: String }

    private func corpus() throws -> (dir: String, entries: [Entry]) {
        guard let dir = corpusDirectory() else { throw XCTSkip(ProjectPaths.corpusSkipReason("x12")) }
        let manifest = try String(contentsOfFile: dir + "/MANIFEST.tsv", encoding: .utf8)
        let entries = manifest.split(separator: "\n").dropFirst().map { line -> Entry in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            return Entry(path: String(f[0]), note: String(f[4]).trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
        }
        return (dir, entries)
    }

    /// Files whose note says VALID, or whose envelope is consistent and no error is expected, must read.
    /// Files marked EXPECTED FAILURE, NOT EDI, or with an inconsistent envelope (unless VALID) must be rejected.
    func testCorpusReadsOrRejectsAsNoted() throws {
        let (dir, entries) = try corpus()
        var read = 0, rejected = 0
        for e in entries where e.note.contains("{X12 ISA") || e.note.hasPrefix("NOT EDI") {
            let expectsErrors = ["EXPECTED FAILURE", "EXPECTED ERROR", "EXPECTED VALIDATION", "NOT EDI"].contains { e.note.hasPrefix($0) }
            let envelopeOK = e.note.contains("envelope check: consistent")
            // The acknowledgment another translator made for this file, where the corpus keeps one.
            let expectedAck = dir + "/" + e.path.replacingOccurrences(of: ".txt", with: ".997.base")
            let hasAck = e.path.hasSuffix(".txt") && FileManager.default.fileExists(atPath: expectedAck)
            let ackRejects = try hasAck && outcomes(ByteReader(path: expectedAck)).interchangeRejected
            let mustRead = e.note.hasPrefix("VALID") || (envelopeOK && !expectsErrors && !ackRejects)
            let mustReject = e.note.hasPrefix("EXPECTED FAILURE") || e.note.hasPrefix("NOT EDI") || (!envelopeOK && !e.note.hasPrefix("VALID"))
            // A VALID file that simply ends without GE/IEA reads only where the channel allows that.
            let truncated = e.note.contains("missing GE; missing IEA")
            let options = FormatOptions(values: truncated ? ["allowMissingTrailers": "true"] : [:])
            var count = 0
            let outcome = Result { try X12Reader(options: options).read(ByteReader(path: dir + "/" + e.path)) { _ in count += 1 } }
            if mustRead {
                XCTAssertNoThrow(try outcome.get(), "\(e.path) is noted \(e.note.prefix(60)) but was rejected")
                if case .success = outcome { read += 1 }
                if truncated { XCTAssertThrowsError(try X12Reader().read(ByteReader(path: dir + "/" + e.path)) { _ in }, "\(e.path) without allowMissingTrailers") }
            }
            if mustReject {
                XCTAssertThrowsError(try outcome.get(), "\(e.path) is noted \(e.note.prefix(60)) but was accepted")
                if case .failure = outcome { rejected += 1 }
            }
        }
        XCTAssertGreaterThan(read, 30)
        XCTAssertGreaterThan(rejected, 5)
    }

    /// Where the corpus holds the 997/999 another translator made for a rejected file, ours agrees
    /// on accepted/rejected for every transaction set and every group.
    func testAcknowledgmentsAgreeWithExpectedOnes() throws {
        let (dir, entries) = try corpus()
        let notes = Dictionary(entries.map { ($0.path, $0.note) }, uniquingKeysWith: { a, _ in a })
        var compared = 0
        for e in entries where e.path.hasSuffix(".997.base") || e.path.hasSuffix(".999.txt") {
            let input = e.path.replacingOccurrences(of: ".997.base", with: ".txt")
            guard let note = notes[input], FileManager.default.fileExists(atPath: dir + "/" + input) else { continue }
            let expected = try outcomes(ByteReader(path: dir + "/" + e.path))
            let rejectedFile = note.hasPrefix("EXPECTED FAILURE") || !note.contains("envelope check: consistent") || expected.interchangeRejected
            guard rejectedFile else { continue }
            let ours = try X12Acknowledger().acknowledge(ByteReader(path: dir + "/" + input))
            let actual = try outcomes(ByteReader(bytes: ours))
            XCTAssertEqual(actual.groups, expected.groups, "group status for \(input)")
            XCTAssertEqual(actual.sets, expected.sets, "set status for \(input)\n" + String(decoding: ours, as: UTF8.self))
            XCTAssertEqual(actual.interchangeRejected, expected.interchangeRejected, "TA1 for \(input)")
            compared += 1
        }
        XCTAssertGreaterThanOrEqual(compared, 5)
    }

    /// Accept or reject per group (AK1 control number) and per set (AK2 control number), from a 997/999.
    private func outcomes(_ input: ByteReader) throws -> (groups: [String: String], sets: [String: String], interchangeRejected: Bool) {
        func verdict(_ code: String?) -> String {
            switch code { case "A", "E": "accepted"; case "P": "partial"; default: "rejected" }
        }
        var groups = [String: String](), sets = [String: String]()
        let bytes = try input.readAll()
        // A TA1 with TA104 = R rejects the whole interchange.
        let interchangeRejected = String(decoding: bytes, as: UTF8.self).range(of: #"TA1\*[^~\n]*\*R\*"#, options: .regularExpression) != nil
        try X12Reader().read(ByteReader(bytes: bytes)) { unit in
            guard let group = unit.child("AK1")?["02"] else { return }
            groups[group] = verdict(unit.child("AK9")?["01"])
            for ak2 in unit.children(named: "AK2") {
                sets[group + "/" + (ak2["02"] ?? "").trimmingCharacters(in: .whitespaces)] = verdict(ak2.child("AK5")?["01"] ?? ak2.child("IK5")?["01"])
            }
        }
        return (groups, sets, interchangeRejected)
    }
}
