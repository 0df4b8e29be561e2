import XCTest
import TestSupport
import FormatKit
@testable import X12

/// X12 implementation grammars (mappings/x12/grammar) and the AK3/AK4 (997) and IK3/IK4 (999)
/// segments answering each kind of fault, one fault per set.
final class GrammarTests: XCTestCase {
    private static let grammarDirectory = ProjectPaths.mappings + "/x12/grammar"
    private let valid = ["BEG*00*SA*PO-1**20240102", "N1*ST*ACME*92*WH1", "PO1*1*2*EA*10.50**VP*W-1", "CTT*1"]

    private func interchange(_ body: [String], version: String, set: String = "850") -> String {
        let text = interchange4010(set, body: body)
        return version == "004010" ? text
            : text.replacingOccurrences(of: "*U*00401*", with: "*^*00501*").replacingOccurrences(of: "*X*004010", with: "*X*005010")
    }

    /// The segments from the first AK3/IK3 through AK5/IK5, as text.
    private func answer(_ body: [String], version: String, set: String = "850", grammars: X12Grammars? = nil) throws -> [String] {
        let acknowledger = X12Acknowledger(partner: "acme", grammars: try grammars ?? X12Grammars(directory: Self.grammarDirectory))
        let text = String(decoding: try acknowledger.acknowledge(ByteReader(text: interchange(body, version: version, set: set))), as: UTF8.self)
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
                ("loop over its maximum repeats", valid + ["CTT*1"], ["\(s3)*CTT*6*CTT*4"]),
                ("missing mandatory element", ["BEG*00*SA***20240102"] + valid.dropFirst(), ["\(s3)*BEG*2**8", "\(s4)*3**1"]),
                ("element too long", ["BEG*00*SA*PO-12345678901234567890**20240102"] + valid.dropFirst(),
                 ["\(s3)*BEG*2**8", "\(s4)*3**5*PO-12345678901234567890"]),
                ("bad code", ["BEG*99*SA*PO-1**20240102"] + valid.dropFirst(), ["\(s3)*BEG*2**8", "\(s4)*1**7*99"]),
                ("bad date", ["BEG*00*SA*PO-1**20240230"] + valid.dropFirst(), ["\(s3)*BEG*2**8", "\(s4)*5**8*20240230"]),
            ]
            // A 999 names the business unit (BEG03) after each IK3 once BEG has given a valid one.
            let unitKnown: Set<String> = ["segment out of order", "segment over its maximum use", "loop over its maximum repeats", "bad code", "bad date"]
            for (what, body, expected) in cases {
                var lines = expected
                if version == "005010", unitKnown.contains(what) { lines.insert("CTX*BEG03>PO-1", at: 1) }
                XCTAssertEqual(try answer(body, version: version), lines + ["\(s5)*R*5"], "\(what) in \(version)")
            }
        }
    }

    /// 856 and 855 in 4010 and 5010: faults inside the HL, PO1 and ACK loops name their loop
    /// (AK303/IK303; a segment the grammar does not know has no place, so no loop); a 999 names the shipment or order (BSN02, BAK03) in CTX.
    func testFaultsIn856And855NameTheirLoopAndBusinessUnit() throws {
        let shipment = ["BSN*00*SHIP-1*20240102*1200", "HL*1**S", "TD1*CTN*2", "HL*2*1*O", "PRF*PO-1", "HL*3*2*I",
                        "LIN**UP*012345678905", "SN1**12*EA", "CTT*3"]
        let order = ["BAK*00*AC*PO-1*20240102", "PO1*1*2*EA*10.50**VP*W-1", "ACK*IA*2*EA", "CTT*1"]
        for version in ["004010", "005010"] {
            let (s3, s4, s5) = version == "004010" ? ("AK3", "AK4", "AK5") : ("IK3", "IK4", "IK5")
            func ctx(_ unit: String) -> [String] { version == "005010" ? ["CTX*\(unit)"] : [] }
            XCTAssertEqual(try answer(shipment, version: version, set: "856"), ["\(s5)*A"], version)
            XCTAssertEqual(try answer(order, version: version, set: "855"), ["\(s5)*A"], version)
            var body = shipment
            body[7] = "SN1***EA"
            XCTAssertEqual(try answer(body, version: version, set: "856"), ["\(s3)*SN1*9*HL*8"] + ctx("BSN02>SHIP-1") + ["\(s4)*2**1", "\(s5)*R*5"], version)
            body = shipment
            body[4] = "PRF*PO-1***20240230"
            XCTAssertEqual(try answer(body, version: version, set: "856"), ["\(s3)*PRF*6*HL*8"] + ctx("BSN02>SHIP-1") + ["\(s4)*4**8*20240230", "\(s5)*R*5"], version)
            XCTAssertEqual(try answer(Array(shipment.dropFirst()), version: version, set: "856"), ["\(s3)*BSN*2**3", "\(s5)*R*5"], version)
            XCTAssertEqual(try answer(shipment.prefix(3) + ["ZZZ*1"] + shipment.dropFirst(3), version: version, set: "856"),
                           ["\(s3)*ZZZ*5**6"] + ctx("BSN02>SHIP-1") + ["\(s5)*R*5"], version)
            var po = order
            po[2] = "ACK*IA*2*EA*068*20240230"
            XCTAssertEqual(try answer(po, version: version, set: "855"), ["\(s3)*ACK*4*ACK*8"] + ctx("BAK03>PO-1") + ["\(s4)*5**8*20240230", "\(s5)*R*5"], version)
            XCTAssertEqual(try answer([order[0], order[2], order[1], order[3]], version: version, set: "855"),
                           ["\(s3)*ACK*3**2"] + ctx("BAK03>PO-1") + ["\(s5)*R*5"], version)
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

    /// Every VALID 850, 810, 855, 856, 997 and 999 of the corpus meets its grammar: no AK3 for a file its source reads as valid.
    func testValidCorpusSetsMeetTheGrammars() throws {
        guard let dir = corpusDirectory() else { throw XCTSkip(ProjectPaths.corpusSkipReason("x12")) }
        let manifest = try String(contentsOfFile: dir + "/MANIFEST.tsv", encoding: .utf8)
        let grammars = try X12Grammars(directory: Self.grammarDirectory)
        var checked = 0
        for line in manifest.split(separator: "\n").dropFirst() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count > 4, f[4].hasPrefix("VALID"), ["ST: 850", "ST: 810", "ST: 855", "ST: 856", "ST: 997", "ST: 999"].contains(where: f[4].contains),
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
