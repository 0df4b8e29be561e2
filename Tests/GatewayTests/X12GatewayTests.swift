import Foundation
import XCTest
import Canonical
import Gateway
import Ledger

/// The gateway side of X12: duplicate interchanges, acknowledgments back to the partner, and the
/// groups we send followed until the partner's 997 answers them.
final class X12GatewayTests: XCTestCase {
    var home: GatewayHome!
    override func tearDown() { home?.remove() }

    func testResentInterchangeIsQuarantinedWhileAByteIdenticalFileIsADuplicate() throws {
        home = try GatewayHome(partnersAndRoutes: """
            partners:
              acme:
                channels:
                  - { name: orders, format: x12, options: { acknowledge: acks } }
                  - { name: resends, format: x12, options: { duplicateInterchangeDays: 0 } }
            """)
        try home.drop("a.x12", interchange(isa13: "000000905", sets: [order(1)]), into: "acme/orders")
        try home.runOnce()
        try home.drop("a-copy.x12", interchange(isa13: "000000905", sets: [order(1)]), into: "acme/orders")
        try home.runOnce()
        // The same sender, receiver and ISA13 on another day: other bytes, same interchange.
        try home.drop("b.x12", interchange(isa13: "000000905", date: "240103", sets: [order(1)]), into: "acme/orders")
        try home.drop("c.x12", interchange(isa13: "000000906", sets: [order(2)]), into: "acme/orders")
        try home.runOnce()

        let ledger = try home.ledger()
        let byName = Dictionary(uniqueKeysWithValues: try ledger.files(in: FileState.allCases).map { ($0.name, $0) })
        XCTAssertEqual(byName["a.x12"]?.state, .archived)
        XCTAssertEqual(byName["a-copy.x12"]?.state, .duplicate, "byte-identical: the pipeline's own duplicate rule")
        XCTAssertEqual(byName["a-copy.x12"]?.duplicateOf, 1)
        XCTAssertEqual(byName["b.x12"]?.state, .quarantined)
        XCTAssertEqual(byName["c.x12"]?.state, .archived, "another ISA13 is another interchange")
        let report = try quarantineReport("b.x12")
        XCTAssertEqual(report.code, "x12.duplicate-interchange")
        XCTAssertEqual(report.stage, .validate)
        XCTAssertEqual(report.segment, "ISA"); XCTAssertEqual(report.field, "ISA13"); XCTAssertEqual(report.line, 1)
        XCTAssertTrue(report.message.contains("ZZ:ACME → ZZ:US #000000905"), report.message)
        XCTAssertTrue(report.message.contains("file 1 (a.x12)"), report.message)
        XCTAssertEqual(try ledger.recordCount(), 2, "the resend added no records")
        // The partner hears why: a TA1 rejecting the interchange as a duplicate (code 025), no 997.
        let ack = try text("outbox/acme/acks/b.x12.\(byName["b.x12"]!.id!).ack.x12")
        XCTAssertTrue(ack.contains("TA1*000000905*240103*1230*R*025~"), ack)
        XCTAssertFalse(ack.contains("ST*997"), ack)

        // A channel whose window is 0 days does not check.
        try home.drop("again.x12", interchange(isa13: "000000905", date: "240104", sets: [order(1)]), into: "acme/resends")
        try home.runOnce()
        XCTAssertEqual(try home.ledger().files(in: [.archived]).map(\.name).sorted(), ["a.x12", "again.x12", "c.x12"])
    }

    func testEveryInboundFileIsAcknowledgedOnceGoodOrBroken() throws {
        home = try GatewayHome(partnersAndRoutes: """
            partners:
              acme:
                channels:
                  - { name: orders, format: x12, options: { acknowledge: acks } }
            """)
        try home.drop("1-good.x12", interchange(isa13: "000000001", sets: [order(1)]), into: "acme/orders")
        try home.runOnce()
        // A set whose SE01 miscounts its segments, and an interchange whose IEA02 does not match ISA13.
        let badSet = String(decoding: interchange(isa13: "000000002", sets: [order(2)]), as: UTF8.self).replacingOccurrences(of: "SE*6*0001", with: "SE*9*0001")
        try home.drop("2-badset.x12", Array(badSet.utf8), into: "acme/orders")
        let badIEA = String(decoding: interchange(isa13: "000000003", sets: [order(3)]), as: UTF8.self).replacingOccurrences(of: "IEA*1*000000003", with: "IEA*1*000000033")
        try home.drop("3-badiea.x12", Array(badIEA.utf8), into: "acme/orders")
        try home.runOnce()
        try home.runOnce()   // nothing new: nothing acknowledged twice

        let states = try home.ledger().files(in: FileState.allCases).map { "\($0.name)=\($0.state.rawValue)" }
        XCTAssertEqual(states, ["1-good.x12=archived", "2-badset.x12=quarantined", "3-badiea.x12=quarantined"])
        XCTAssertEqual(home.files(under: "outbox/acme/acks"), ["1-good.x12.1.ack.x12", "2-badset.x12.2.ack.x12", "3-badiea.x12.3.ack.x12"])

        let good = try text("outbox/acme/acks/1-good.x12.1.ack.x12")
        XCTAssertTrue(good.hasPrefix("ISA*00*          *00*          *ZZ*US             *ZZ*ACME           *"), "sender and receiver swapped: \(good)")
        XCTAssertTrue(good.contains("*000000001*0*P*>~"), "our first ISA13 for acme")
        for expected in ["GS*FA*US*ACME*", "ST*997*0001~", "AK1*PO*77~", "AK2*850*0001~", "AK5*A~", "AK9*A*1*1*1~"] {
            XCTAssertTrue(good.contains(expected), "\(expected) in \(good)")
        }
        let badSetAck = try text("outbox/acme/acks/2-badset.x12.2.ack.x12")
        XCTAssertTrue(badSetAck.contains("AK5*R*4~"), "segment count wrong (AK502 4): \(badSetAck)")
        XCTAssertTrue(badSetAck.contains("AK9*R*1*1*0~"), badSetAck)
        XCTAssertTrue(badSetAck.contains("*000000002*0*P*>~"), "control numbers continue: \(badSetAck)")
        let badIEAAck = try text("outbox/acme/acks/3-badiea.x12.3.ack.x12")
        XCTAssertTrue(badIEAAck.contains("TA1*000000003*240102*1230*R*001~"), "IEA02 ≠ ISA13 (TA105 001): \(badIEAAck)")
        XCTAssertEqual(try home.ledger().outboundCounts().map { "\($0.0)=\($0.1)" }, ["emitted=3"])
    }

    func testGroupsWeSendAreSettledByThePartnersAcknowledgmentsOrGoOverdue() throws {
        home = try GatewayHome(partnersAndRoutes: """
            partners:
              acme:
                channels:
                  - { name: orders, format: x12 }
              supplier:
                settings: { isaSenderId: US, isaReceiverId: SUPPLIER, ackOverdueHours: "2" }
                channels:
                  - { name: acks-in, format: x12, options: { acknowledge: out } }
            routes:
              - { name: po-to-supplier, from: { partner: acme, type: purchase_order }, emit: { format: x12, partner: supplier, channel: out } }
            """)
        for n in 1...3 { try home.drop("po\(n).x12", interchange(isa13: "00000100\(n)", sets: [order(n)]), into: "acme/orders") }
        try home.runOnce()
        XCTAssertEqual(home.files(under: "outbox/supplier/out"), ["supplier-000000001.x12", "supplier-000000002.x12", "supplier-000000003.x12"])
        var groups = try home.ledger().x12SentGroups()
        XCTAssertEqual(groups.map { "\($0.partner) \($0.functionalId) GS06 \($0.groupControlNumber) ISA13 \($0.interchangeControlNumber) \($0.setCount) \($0.state.rawValue)" },
                       ["supplier PO GS06 1 ISA13 000000001 1 sent", "supplier PO GS06 2 ISA13 000000002 1 sent", "supplier PO GS06 3 ISA13 000000003 1 sent"])

        // The supplier accepts our group 1 and rejects group 2; group 3 stays unanswered.
        try home.drop("ack-1.x12", functionalAck(isa13: "000000501", group: "1", status: "A"), into: "supplier/acks-in")
        try home.drop("ack-2.x12", functionalAck(isa13: "000000502", group: "000000002", status: "R"), into: "supplier/acks-in")
        try home.runOnce()
        let ledger = try home.ledger()
        groups = try ledger.x12SentGroups()
        XCTAssertEqual(groups.map(\.state), [.accepted, .rejected, .sent])
        let ackFiles = Dictionary(uniqueKeysWithValues: try ledger.files(in: FileState.allCases).map { ($0.name, $0.id!) })
        XCTAssertEqual(groups.map(\.ackFileId), [ackFiles["ack-1.x12"], ackFiles["ack-2.x12"], nil])
        XCTAssertEqual(home.files(under: "outbox/supplier/out").filter { $0.hasSuffix(".ack.x12") }, [], "a 997 is not acknowledged")

        let config = try home.config
        let plugin = X12Plugin()
        let soon = plugin.statusLines(config: config, ledger: ledger, now: Date().addingTimeInterval(3600))
        XCTAssertEqual(soon.first, "x12 groups sent: 3 (1 sent, 1 accepted, 1 rejected)")
        XCTAssertEqual(soon.count, 2, "\(soon)")
        XCTAssertTrue(soon[1].hasPrefix("  rejected           supplier GS06 2 (PO, 1 sets) ISA13 000000002 sent "), soon[1])
        XCTAssertTrue(soon[1].hasSuffix("— by file #\(ackFiles["ack-2.x12"]!)"), soon[1])
        // After the supplier's 2 hours, group 3 is overdue.
        let late = plugin.statusLines(config: config, ledger: ledger, now: Date().addingTimeInterval(3 * 3600))
        XCTAssertEqual(late.first, "x12 groups sent: 3 (1 sent, 1 accepted, 1 rejected, 1 overdue)")
        XCTAssertEqual(late.count, 3, "\(late)")
        XCTAssertTrue(late[1].hasPrefix("  overdue            supplier GS06 3 (PO, 1 sets) ISA13 000000003 sent "), late[1])
        XCTAssertTrue(late[1].hasSuffix("— no 997/999 after 2h"), late[1])
    }

    // MARK: helpers

    /// `grammars: true`: sets are checked against mappings/x12/grammar in the gateway; a set that
    /// breaks its grammar refuses the file with the located fault, and the 997 names it (AK3/AK4).
    func testGrammarsRefuseASetThatBreaksItsGrammarAndThe997NamesTheFault() throws {
        home = try GatewayHome(partnersAndRoutes: """
            partners:
              acme:
                channels:
                  - { name: orders, format: x12, options: { acknowledge: acks, grammars: true } }
                  - { name: loose, format: x12 }
            """)
        let longNumber = "PO-" + String(repeating: "9", count: 25)
        let long = ("850", ["BEG*00*SA*\(longNumber)**20240102", "N1*ST*Dock 4*92*DC-4", "PO1*1*10*EA*2.5**VP*V-1", "CTT*1"])
        try home.drop("good.x12", interchange(isa13: "000000001", sets: [order(1)]), into: "acme/orders")
        try home.drop("long.x12", interchange(isa13: "000000002", sets: [long]), into: "acme/orders")
        try home.drop("long-loose.x12", interchange(isa13: "000000003", sets: [long]), into: "acme/loose")
        try home.runOnce()
        let states = try home.ledger().files(in: FileState.allCases).map { "\($0.name)=\($0.state.rawValue)" }.sorted()
        XCTAssertEqual(states, ["good.x12=archived", "long-loose.x12=archived", "long.x12=quarantined"])
        let report = try quarantineReport("long.x12")
        XCTAssertEqual(report.code, "x12.grammar.8")
        XCTAssertEqual(report.segment, "BEG"); XCTAssertEqual(report.field, "BEG03"); XCTAssertEqual(report.line, 4)
        let id = try XCTUnwrap(home.ledger().files(in: [.quarantined]).first?.id)
        let ack = try text("outbox/acme/acks/long.x12.\(id).ack.x12")
        for expected in ["AK2*850*0001~", "AK3*BEG*2**8~", "AK4*3**5*\(longNumber)~", "AK5*R*5~", "AK9*R*1*1*0~"] {
            XCTAssertTrue(ack.contains(expected), "\(expected) in \(ack)")
        }
        XCTAssertTrue(try text("outbox/acme/acks/good.x12.1.ack.x12").contains("AK5*A~"))

        // A folder that is not there is refused when the config loads, naming the channel.
        let broken = try GatewayHome(partnersAndRoutes: """
            partners:
              acme:
                channels:
                  - { name: orders, format: x12, options: { grammars: no-such-folder } }
            """)
        defer { broken.remove() }
        XCTAssertThrowsError(try broken.config) { error in
            XCTAssertTrue("\(error)".contains("partners.acme.channels[0].options.grammars"), "\(error)")
        }
    }

    func quarantineReport(_ name: String) throws -> ErrorReport {
        let file = try XCTUnwrap(home.files(under: "var/quarantine").first { $0.hasSuffix("-\(name).error.json") })
        return try JSONDecoder().decode(ErrorReport.self, from: Data(contentsOf: URL(fileURLWithPath: home.root + "/var/quarantine/" + file)))
    }

    func text(_ relative: String) throws -> String { try String(contentsOfFile: home.root + "/" + relative, encoding: .utf8) }
}

/// A 4010 interchange from `sender` to `receiver` with one functional group holding `sets`
/// (each: ST01 and the segments between ST and SE); counts and control numbers right.
func interchange(isa13: String, sender: String = "ACME", receiver: String = "US", date: String = "240102",
                 functionalID: String = "PO", group: String = "77", sets: [(String, [String])]) -> [UInt8] {
    func pad(_ s: String) -> String { s.padding(toLength: 15, withPad: " ", startingAt: 0) }
    var segments = ["ISA*00*          *00*          *ZZ*\(pad(sender))*ZZ*\(pad(receiver))*\(date)*1230*U*00401*\(isa13)*0*P*>",
                    "GS*\(functionalID)*\(sender)*\(receiver)*20\(date)*1230*\(group)*X*004010"]
    for (i, (id, body)) in sets.enumerated() {
        let control = String(format: "%04d", i + 1)
        segments += ["ST*\(id)*\(control)"] + body + ["SE*\(body.count + 2)*\(control)"]
    }
    segments += ["GE*\(sets.count)*\(group)", "IEA*1*\(isa13)"]
    return Array((segments.joined(separator: "~\n") + "~\n").utf8)
}

/// An 850 with one line; `n` makes it unique.
func order(_ n: Int) -> (String, [String]) {
    ("850", ["BEG*00*SA*PO-\(n)**20240102", "N1*ST*Dock 4*92*DC-4", "PO1*1*10*EA*2.5**VP*V-\(n)", "CTT*1"])
}

/// The supplier's 997 for our group `group` (one 850 set) with AK5/AK9 `status` (A or R).
func functionalAck(isa13: String, group: String, status: String) -> [UInt8] {
    interchange(isa13: isa13, sender: "SUPPLIER", receiver: "US", date: "240103", functionalID: "FA", group: "9\(isa13.suffix(3))",
                sets: [("997", ["AK1*PO*\(group)", "AK2*850*0001", "AK5*\(status)" + (status == "R" ? "*5" : ""),
                                "AK9*\(status)*1*1*\(status == "A" ? 1 : 0)"])])
}
