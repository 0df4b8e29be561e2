import Foundation
import XCTest
import TestSupport
import Gateway
import Ledger
import Mapping
import PGP
import Canonical

/// PGP in the pipeline, with keyrings made by `gpg --batch`: the bank's (its key, ours, and a
/// stranger's) and the gateway's own under var/gnupg.
final class PGPGatewayTests: XCTestCase {
    var bank: TestGnuPG!
    var home: Home!
    var bankFpr = ""
    static let passphrase = "pgp-test-passphrase-5d1e"

    static let partners = """
        partners:
          acme-bank:
            channels:
              - name: mt940
                format: mt940
                pgp: { decrypt: true, verifyWith: keys/bank.asc, decryptWith: keys/ours.asc, passphraseFile: keys/pgp-pass }
              - name: signed
                format: mt940
                pgp: { verifyWith: keys/bank.asc }
          acme-payroll:
            channels:
              - { name: payroll, mapping: csv/ach-payroll }
          first-national:
            settings: { immediateDestination: "231380104", immediateDestinationName: FIRST NATIONAL, immediateOrigin: "1234567890", immediateOriginName: ACME TRADING }
            channels: []
            outbound:
              - name: ach-out
                pgp: { encryptTo: keys/bank.asc, signWith: keys/ours.asc, passphraseFile: keys/pgp-pass, armor: true }
        routes:
          - name: payroll to the bank as NACHA
            from: { partner: acme-payroll, channel: payroll, type: payment }
            emit: { format: nacha, partner: first-national, channel: ach-out }

        """

    override func setUpWithError() throws {
        bank = try TestGnuPG(name: "bank")
        home = try Home(Self.partners)
        bank.otherHomes = [home.root + "/var/gnupg"]
        bankFpr = try bank.generate("bank@example.test")
        try bank.generate("ours@example.test", passphrase: Self.passphrase)
        try bank.generate("stranger@example.test")
        try bank.export("bank@example.test", to: home.root + "/keys/bank.asc")
        try bank.export("ours@example.test", to: home.root + "/keys/ours.asc", secret: true, passphrase: Self.passphrase)
        try (Self.passphrase + "\n").write(toFile: home.root + "/keys/pgp-pass", atomically: true, encoding: .utf8)
        chmod(home.root + "/keys/pgp-pass", 0o600)
        chmod(home.root + "/keys/ours.asc", 0o600)
    }

    override func tearDown() {
        bank.stop()
        home.remove()
    }

    /// The bank's side: `plain` signed by `signer` (or not) and encrypted to our key.
    func sealed(_ plain: [UInt8], signer: String?) throws -> [UInt8] {
        let input = bank.home + "/plain-" + UUID().uuidString.prefix(6), output = input + ".gpg"
        try Data(plain).write(to: URL(fileURLWithPath: input))
        let sign = signer.map { ["--local-user", "<\($0)>", "--sign"] } ?? []
        try bank.gpg(sign + ["--recipient", "<ours@example.test>", "--encrypt", "--output", output, input])
        return try bytes(output)
    }

    func testSignedEncryptedStatementIsTranslatedAndTheOthersAreQuarantined() throws {
        let statement = try bytes(packageRoot + "/samples/acme-bank/mt940/statement-2026-11-21.sta")
        let good = try sealed(statement, signer: "bank@example.test")
        var tampered = try sealed(statement, signer: "bank@example.test")
        tampered[tampered.count - 40] ^= 0x20
        try home.drop("good.sta.gpg", good, into: "acme-bank/mt940")
        try home.drop("tampered.sta.gpg", tampered, into: "acme-bank/mt940")
        try home.drop("stranger.sta.gpg", try sealed(statement, signer: "stranger@example.test"), into: "acme-bank/mt940")
        try home.drop("unsigned.sta.gpg", try sealed(statement, signer: nil), into: "acme-bank/mt940")
        try home.runOnce()

        let ledger = try home.ledger()
        let archived = try ledger.files(in: [.archived])
        XCTAssertEqual(archived.map(\.name), ["good.sta.gpg"])
        let entry = try XCTUnwrap(archived.first)
        XCTAssertEqual(entry.format, "mt940")
        XCTAssertGreaterThan(entry.recordCount, 0)
        // The file as received is archived (still encrypted); its records came from the plaintext.
        XCTAssertEqual(try bytes(try XCTUnwrap(entry.finalPath)), good)
        XCTAssertTrue(try ledger.auditTrail(fileId: entry.id!).contains { $0.event == "pgp-verified" && ($0.detail ?? "").contains(bankFpr) })
        XCTAssertEqual(try quarantineCode(ledger, name: "tampered.sta.gpg"), "pgp.bad-signature")
        XCTAssertEqual(try quarantineCode(ledger, name: "stranger.sta.gpg"), "pgp.bad-signature")
        XCTAssertEqual(try quarantineCode(ledger, name: "unsigned.sta.gpg"), "pgp.unsigned")
        for name in ["tampered.sta.gpg", "stranger.sta.gpg", "unsigned.sta.gpg"] {
            XCTAssertEqual(try ledger.files(in: [.quarantined]).first { $0.name == name }?.recordCount, 0, name)
        }
        // No plaintext is left behind in var/work.
        XCTAssertEqual(home.files(under: "var/work").filter { $0.contains("pgp-") }, [])
    }

    func testSignedOnlyStatementIsVerifiedAndTranslated() throws {
        let statement = try bytes(packageRoot + "/samples/acme-bank/mt940/statement-2026-11-21.sta")
        let input = bank.home + "/statement.sta"
        try Data(statement).write(to: URL(fileURLWithPath: input))
        try bank.gpg(["--local-user", "<bank@example.test>", "--clearsign", "--output", input + ".asc", input])
        try bank.gpg(["--local-user", "<bank@example.test>", "--sign", "--output", input + ".gpg", input])
        let clear = try bytes(input + ".asc")
        var changed = String(decoding: clear, as: UTF8.self)
        let amount = try XCTUnwrap(changed.range(of: ":61:"))
        changed.replaceSubrange(amount.upperBound..<changed.index(amount.upperBound, offsetBy: 1), with: "9")
        try home.drop("clear.sta.asc", clear, into: "acme-bank/signed")
        try home.drop("opaque.sta.gpg", try bytes(input + ".gpg"), into: "acme-bank/signed")
        try home.drop("changed.sta.asc", Array(changed.utf8), into: "acme-bank/signed")
        try home.drop("plain.sta", statement, into: "acme-bank/signed")
        try home.runOnce()
        let ledger = try home.ledger()
        let archived = try ledger.files(in: [.archived]).sorted { $0.name < $1.name }
        XCTAssertEqual(archived.map(\.name), ["clear.sta.asc", "opaque.sta.gpg"])
        for f in archived { XCTAssertGreaterThan(f.recordCount, 0, f.name) }
        XCTAssertEqual(try quarantineCode(ledger, name: "changed.sta.asc"), "pgp.bad-signature")
        XCTAssertEqual(try quarantineCode(ledger, name: "plain.sta"), "pgp.unsigned")
    }

    func testOutboundNACHAIsEncryptedToTheBankAndDecryptsToTheWritersBytes() throws {
        let payroll = try bytes(packageRoot + "/samples/acme-payroll/payroll/payroll-2026-11-27.csv")
        try home.drop("payroll.csv", payroll, into: "acme-payroll/payroll")
        try home.runOnce()
        let ledger = try home.ledger()
        let out = try XCTUnwrap(ledger.outboundFiles().first, "no outbound file")
        XCTAssertEqual(out.state, "emitted", out.lastError ?? "")
        XCTAssertTrue(out.name.hasSuffix(".ach.asc"), out.name)
        let sealed = try bytes(out.path)
        XCTAssertTrue(String(decoding: sealed.prefix(27), as: UTF8.self) == "-----BEGIN PGP MESSAGE-----")
        XCTAssertFalse(String(decoding: sealed, as: UTF8.self).contains("FIRST NATIONAL"), "clear text in the sealed file")

        try bank.importKey(home.root + "/keys/ours.asc")
        let log = try bank.gpg(["--output", bank.home + "/ach.txt", "--decrypt", out.path])
        XCTAssertTrue(log.contains("Good signature"), log)
        let plain = try bytes(bank.home + "/ach.txt")

        // The writer's bytes for the same records at the file header's minute, from fresh counters.
        let header = String(decoding: plain.prefix(94), as: UTF8.self)
        let stamp = Array(header)[23..<33].map(String.init).joined()
        var parts = DateComponents()
        parts.year = 2000 + Int(stamp.prefix(2))!; parts.month = Int(stamp.dropFirst(2).prefix(2)); parts.day = Int(stamp.dropFirst(4).prefix(2))
        parts.hour = Int(stamp.dropFirst(6).prefix(2)); parts.minute = Int(stamp.dropFirst(8).prefix(2))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let source = try XCTUnwrap(ledger.files(in: [.archived]).first)
        var records = [Record]()
        try ledger.forEachRecord(fileId: source.id!) { records.append(try JSONLines.decode(line: $0)) }
        let fresh = try Ledger(path: home.root + "/fresh.sqlite")
        let config = try home.config
        var request = Emitter.Request(format: "nacha", partner: "first-national", settings: config.partner(named: "first-national")!.settings,
                                      now: calendar.date(from: parts)!)
        request.options.values["fileName"] = "payroll.\(source.id!).nacha"
        let written = try Emitter(mappings: try MappingLibrary(directory: config.mappingsDir), counters: LedgerCounters(ledger: fresh)).emit(records, request)
        XCTAssertEqual(written.count, 1)
        XCTAssertEqual(plain, written[0].bytes)
        XCTAssertEqual(out.name, written[0].name + ".asc")
    }

    func testKeyExpiringWithin30DaysIsAWarningInStatusAndDoctor() throws {
        try bank.generate("soon@example.test", expiry: "10d")
        try bank.export("soon@example.test", to: home.root + "/keys/bank.asc")
        let config = try home.config
        let findings = Doctor().check(config).filter { $0.check.hasPrefix("pgp key ") }
        XCTAssertEqual(findings.map(\.status), [.warn], findings.map(\.description).joined(separator: "\n"))
        XCTAssertTrue(findings.first?.message.contains("soon@example.test") ?? false)
        let lines = PGPPlugin().statusLines(config: config, ledger: try Ledger(path: home.root + "/status.sqlite"), now: Date())
        XCTAssertEqual(lines.count, 1, lines.joined(separator: "\n"))
        XCTAssertTrue(lines.first?.hasPrefix("WARN pgp key ") ?? false)
        XCTAssertTrue(lines.first?.contains("in 9 day(s)") ?? false, lines.first ?? "")
        // A year away is no warning.
        XCTAssertTrue(PGPPlugin().statusLines(config: config, ledger: try Ledger(path: home.root + "/status.sqlite"), now: Date() - 86400 * 60).isEmpty)
    }
}
