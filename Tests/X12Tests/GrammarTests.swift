import XCTest
import TestSupport
import FormatKit
@testable import X12

/// X12 implementation grammars (mappings/x12/grammar) and the AK3/AK4 (997) and IK3/IK4 (999)
/// segments answering each kind of fault, one fault per set.
final class GrammarTests: XCTestCase {
    private static let grammarDirectory = ProjectPaths.mappings + "/x12/grammar"
    private let valid = ["BEG*00*SA*PO-1**20240102", "N1*ST*ACME*92*WH1", "PO1*1*2*EA*10.50**VP*W-1", "CTT*1"]

    private func interchange(_ body: [String], version: String) -> String {
        let text = interchange4010(body: body)
        return version == "004010" ? text
            : text.replacingOccurrences(of: "*U*00401*", with: "*^*00501*").replacingOccurrences(of: "*X*004010", with: "*X*005010")
    }

    /// The segments from the first AK3/IK3 through AK5/IK5, as text.
    private func answer(_ body: [String], version: String, grammars: X12Grammars? = nil) throws -> [String] {
        let acknowledger = X12Acknowledger(partner: "acme", grammars: try grammars ?? X12Grammars(directory: Self.grammarDirectory))
        let text = String(decoding: try acknowledger.acknowledge(ByteReader(text: interchange(body, version: version))), as: UTF8.self)
        let segments = text.split(separator: "~").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard let ak2 = segments.firstIndex(where: { $0.hasPrefix("AK2*") }),
              let ak5 = segments.firstIndex(where: { $0.hasPrefix("AK5*") || $0.hasPrefix("IK5*") }) else { XCTFail(text); return [] }
        return Array(segments[(ak2 + 1)...ak5])
    }

    func testEachKindOfFaultIn850Of4010And5010() throws {
        for version in ["004010", "005010"] {
            let (s3, s4, s5) = version == "004010" ? ("AK3", "AK4", "AK5") : ("IK3", "IK4", "IK5")
            XCTAssertEqual(try answer(valid, version: version), ["\(s5)*A"], version)
            let cases: [(String, [String], [String])] = [
                ("missing mandatory segment", Array(valid.dropFirst()), ["\(s3)*BEG*2**3"]),
                ("segment out of order", [valid[0], "REF*DP*038", "CUR*BY*USD"] + valid.dropFirst(), ["\(s3)*CUR*4**7"]),
                ("segment over its maximum use", [valid[0]] + valid, ["\(s3)*BEG*3**5"]),
                ("loop over its maximum repeats", valid + ["CTT*1"], ["\(s3)*CTT*6**4"]),
                ("missing mandatory element", ["BEG*00*SA***20240102"] + valid.dropFirst(), ["\(s3)*BEG*2**8", "\(s4)*3**1"]),
                ("element too long", ["BEG*00*SA*PO-12345678901234567890**20240102"] + valid.dropFirst(),
                 ["\(s3)*BEG*2**8", "\(s4)*3**5*PO-12345678901234567890"]),
                ("bad code", ["BEG*99*SA*PO-1**20240102"] + valid.dropFirst(), ["\(s3)*BEG*2**8", "\(s4)*1**7*99"]),
                ("bad date", ["BEG*00*SA*PO-1**20240230"] + valid.dropFirst(), ["\(s3)*BEG*2**8", "\(s4)*5**8*20240230"]),
            ]
            for (what, body, expected) in cases {
                XCTAssertEqual(try answer(body, version: version), expected + ["\(s5)*R*5"], "\(what) in \(version)")
            }
        }
    }

    /// A partner's companion guide narrows the grammar in a file that extends it.
    func testCompanionGuideNarrowsTheGrammar() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("grammar-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: Self.grammarDirectory + "/850.004010.yaml", toPath: dir + "/850.004010.yaml")
        try "extends: 850.004010\nnarrow:\n  BEG: { elements: { \"03\": { max: 10 } } }\n  N1: { req: M }\n"
            .write(toFile: dir + "/850.004010.acme.yaml", atomically: true, encoding: .utf8)
        let guide = try X12Grammars(directory: dir)
        let long = ["BEG*00*SA*PO-12345678901**20240102"] + valid.dropFirst()
        XCTAssertEqual(try answer(long, version: "004010", grammars: guide), ["AK3*BEG*2**8", "AK4*3**5*PO-12345678901", "AK5*R*5"])
        XCTAssertEqual(try answer(long, version: "004010"), ["AK5*A"], "the plain grammar allows 22 characters")
        XCTAssertEqual(try answer([valid[0], valid[2], valid[3]], version: "004010", grammars: guide), ["AK3*N1*3**3", "AK5*R*5"])
    }

    /// What our X12 writer makes (850, 810 in 4010 and 5010) meets the grammars.
    func testWriterOutputMeetsTheGrammars() throws {
        let grammars = try X12Grammars(directory: Self.grammarDirectory)
        for version in ["004010", "005010"] {
            var settings = Samples.settings
            settings["version"] = version
            let records = [Samples.record(.purchaseOrder(Samples.purchaseOrder), 0), Samples.record(.invoice(Samples.invoice), 1)]
            let file = try X12Writer().write(records, context: WriteContext(settings: settings, partner: "acme")).first!
            var reader = X12Reader()
            reader.grammars = grammars
            let reports = try reader.reports(ByteReader(bytes: file.bytes))
            XCTAssertEqual(reports.flatMap { $0.groups.flatMap(\.sets) }.map(\.identifier), ["850", "810"])
            XCTAssertEqual(reports.flatMap(X12Reader.findings).map(\.description), [], "\(version)\n" + String(decoding: file.bytes, as: UTF8.self))
        }
    }

    /// Our own 997 and 999 answers meet the 997 and 999 grammars.
    func testOwnAcknowledgmentsMeetThe997And999Grammars() throws {
        let grammars = try X12Grammars(directory: Self.grammarDirectory)
        for version in ["004010", "005010"] {
            let body = ["BEG*99*SA***20240230", "REF*DP*038", "CUR*BY*USD"] + valid.dropFirst()
            let ack = try X12Acknowledger(partner: "acme", grammars: grammars).acknowledge(ByteReader(text: interchange(body, version: version)))
            var reader = X12Reader()
            reader.grammars = grammars
            let reports = try reader.reports(ByteReader(bytes: ack))
            XCTAssertEqual(reports.flatMap { $0.groups.flatMap(\.sets) }.map(\.identifier), [version == "004010" ? "997" : "999"])
            XCTAssertEqual(reports.flatMap(X12Reader.findings).map(\.description), [], String(decoding: ack, as: UTF8.self))
        }
    }

    /// Every VALID 850, 997 and 999 of the corpus meets its grammar: no AK3 for a file its source reads as valid.
    func testValidCorpusSetsMeetTheGrammars() throws {
        guard let dir = corpusDirectory() else { throw XCTSkip(ProjectPaths.corpusSkipReason("x12")) }
        let manifest = try String(contentsOfFile: dir + "/MANIFEST.tsv", encoding: .utf8)
        let grammars = try X12Grammars(directory: Self.grammarDirectory)
        var checked = 0
        for line in manifest.split(separator: "\n").dropFirst() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count > 4, f[4].hasPrefix("VALID"), ["ST: 850", "ST: 810", "ST: 997", "ST: 999"].contains(where: f[4].contains),
                  f[4].contains("envelope check: consistent") else { continue }
            // StAEDI reads this one only to detect its version: the standard's 997 requires AK1 and AK9.
            if f[0] == "staedi/x12/empty997.edi" { continue }
            var reader = X12Reader()
            reader.grammars = grammars
            let findings = try reader.reports(ByteReader(path: dir + "/" + f[0])).flatMap(X12Reader.findings).filter { $0.level == .segment }
            XCTAssertEqual(findings.map(\.description), [], String(f[0]))
            checked += 1
        }
        XCTAssertGreaterThan(checked, 3)
    }
}
