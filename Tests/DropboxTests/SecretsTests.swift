import Foundation
import XCTest
import TestSupport
import Gateway
import Ledger

/// Secrets come from the environment or a file, and no output of a full run holds one.
final class SecretsTests: XCTestCase {
    func testSecretsAreReadFromTheEnvironmentOrAFileAndNeverInline() throws {
        let home = try Home("")
        defer { home.remove() }
        try home.write("""
            partners:
              bank:
                channels:
                  - name: a
                    format: mt940
                    pgp: { decrypt: true, passphrase: "${BANK_PASS}" }
                  - name: b
                    format: mt940
                    pgp: { decrypt: true, passphraseFile: keys/pass }
                  - name: c
                    format: mt940
                    remote: { host: h, user: u, password: "${SFTP_PW}", fingerprint: "SHA256:x", directory: /in }
                outbound:
                  - { name: out, pgp: { encryptTo: keys/bank.asc, passphrase: "${SIGN_PASS}" } }

            """)
        let config = try home.config
        XCTAssertEqual(config.channels[0].pgp?.passphrase, .environment("BANK_PASS"))
        XCTAssertEqual(config.channels[1].pgp?.passphrase, .file(home.root + "/keys/pass"))
        XCTAssertEqual(config.channels[2].remote?.connection.authentication, .password(.environment("SFTP_PW")))
        XCTAssertEqual(config.outboundChannels[0].pgp?.passphrase, .environment("SIGN_PASS"))

        try home.write("""
            partners:
              bank:
                channels:
                  - { name: a, format: mt940, pgp: { decrypt: true, passphrase: hunter2 } }
                  - { name: c, format: mt940, remote: { host: h, user: u, password: hunter2, fingerprint: "SHA256:x", directory: /in } }
                  - { name: d, format: mt940, pgp: { decrypt: true, passphrase: "${A}", passphraseFile: f } }

            """)
        XCTAssertThrowsError(try home.config) { error in
            let problems = (error as! ConfigError).problems
            XCTAssertTrue(problems.contains { $0.hasPrefix("partners.bank.channels[0].pgp.passphrase: secrets are never written in gateway.yaml") }, "\(problems)")
            XCTAssertTrue(problems.contains { $0.hasPrefix("partners.bank.channels[1].remote.password: secrets are never written in gateway.yaml") }, "\(problems)")
            XCTAssertTrue(problems.contains { $0.hasPrefix("partners.bank.channels[2].pgp: give one of passphrase") }, "\(problems)")
            XCTAssertFalse("\(error)".contains("hunter2"), "the refused secret is repeated in the error")
        }
    }

    /// A real `dropgate run --once` (with its worker processes) that uses three secrets — a key
    /// passphrase from a file (decrypting a statement), one from the environment (signing a payment
    /// file), an SFTP password from the environment (a pull the server refuses) — then status,
    /// doctor and the audit export; every byte written under the gateway's folder and every line
    /// printed is searched for each secret.
    func testNoOutputOfAFullRunHoldsASecret() throws {
        let secrets = ["decrypt": "file-passphrase-7Hq2Lw", "sign": "env-passphrase-Zp4Rk9", "sftp": "env-password-Vx8Tn3"]
        let bank = try TestGnuPG(name: "bank")
        let sshd = try TestSSHD()
        let home = try Home("")
        bank.otherHomes = [home.root + "/var/gnupg"]
        defer { bank.stop(); sshd.stop(); home.remove() }
        try bank.generate("bank@example.test")
        try bank.generate("ours-in@example.test", passphrase: secrets["decrypt"]!)
        try bank.generate("ours-out@example.test", passphrase: secrets["sign"]!)
        try bank.export("bank@example.test", to: home.root + "/keys/bank.asc")
        try bank.export("ours-in@example.test", to: home.root + "/keys/ours-in.asc", secret: true, passphrase: secrets["decrypt"]!)
        try bank.export("ours-out@example.test", to: home.root + "/keys/ours-out.asc", secret: true, passphrase: secrets["sign"]!)
        try (secrets["decrypt"]! + "\n").write(toFile: home.root + "/keys/decrypt-pass", atomically: true, encoding: .utf8)
        for f in ["decrypt-pass", "ours-in.asc", "ours-out.asc"] { chmod(home.root + "/keys/" + f, 0o600) }
        try home.write("""
            partners:
              acme-bank:
                channels:
                  - name: mt940
                    format: mt940
                    pgp: { decrypt: true, verifyWith: keys/bank.asc, decryptWith: keys/ours-in.asc, passphraseFile: keys/decrypt-pass }
                  - name: camt053
                    format: camt053
                    remote: { host: 127.0.0.1, port: \(sshd.port), user: \(NSUserName()), password: "${DROPGATE_TEST_SFTP_PASSWORD}",
                              knownHosts: \(sshd.knownHosts), directory: /, interval: 1h, connectTimeout: 5s }
              acme-payroll:
                channels:
                  - { name: payroll, mapping: csv/ach-payroll }
              first-national:
                settings: { immediateDestination: "231380104", immediateDestinationName: FIRST NATIONAL, immediateOrigin: "1234567890", immediateOriginName: ACME TRADING }
                channels: []
                outbound:
                  - name: ach-out
                    pgp: { encryptTo: keys/bank.asc, signWith: keys/ours-out.asc, passphrase: "${DROPGATE_TEST_SIGN_PASSPHRASE}" }
            routes:
              - name: payroll to the bank as NACHA
                from: { partner: acme-payroll, channel: payroll, type: payment }
                emit: { format: nacha, partner: first-national, channel: ach-out }

            """)
        let statement = bank.home + "/statement.sta"
        try FileManager.default.copyItem(atPath: packageRoot + "/samples/acme-bank/mt940/statement-2026-11-21.sta", toPath: statement)
        try bank.gpg(["--local-user", "<bank@example.test>", "--sign", "--recipient", "<ours-in@example.test>", "--encrypt", "--output", statement + ".gpg", statement])
        try home.drop("statement.sta.gpg", try bytes(statement + ".gpg"), into: "acme-bank/mt940")
        try home.drop("payroll.csv", try bytes(packageRoot + "/samples/acme-payroll/payroll/payroll-2026-11-27.csv"), into: "acme-payroll/payroll")

        setenv("DROPGATE_TEST_SIGN_PASSPHRASE", secrets["sign"]!, 1)
        setenv("DROPGATE_TEST_SFTP_PASSWORD", secrets["sftp"]!, 1)
        defer { unsetenv("DROPGATE_TEST_SIGN_PASSPHRASE"); unsetenv("DROPGATE_TEST_SFTP_PASSWORD") }
        let config = ["--config", home.root + "/gateway.yaml"]
        var printed = ""
        for (arguments, mustSucceed) in [(["run", "--once", "--log-level", "debug"], true), (["status"], true), (["status", "--files"], true),
                                         (["doctor"], false), (["audit", "export"], true), (["sftp", "check"], false)] {
            let r = try runCapturing(dropgate, arguments + config, timeout: 120)
            if mustSucceed { XCTAssertEqual(r.status, 0, "dropgate \(arguments.joined(separator: " ")):\n\(r.output)") }
            printed += r.output
        }

        // The secrets were used: the statement decrypted, the payment file signed, the SFTP login tried.
        let ledger = try home.ledger()
        XCTAssertEqual(try ledger.files(in: [.archived]).map(\.name).sorted(), ["payroll.csv", "statement.sta.gpg"], printed)
        let out = try XCTUnwrap(ledger.outboundFiles().first)
        try bank.importKey(home.root + "/keys/ours-out.asc")
        XCTAssertTrue(try bank.gpg(["--output", bank.home + "/ach", "--decrypt", out.path]).contains("Good signature"))
        let pull = try XCTUnwrap(ledger.sftpItem(kind: .pull, partner: "acme-bank", channel: "camt053", name: ""), "no SFTP pull was tried")
        XCTAssertTrue(pull.lastError?.contains("Authentication failed (username/password)") ?? false, pull.lastError ?? "")

        var searched = 0
        let everything = FileManager.default.enumerator(atPath: home.root)!.compactMap { $0 as? String }.filter { !$0.hasPrefix("keys/") }
        for rel in everything {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: home.root + "/" + rel, isDirectory: &isDir), !isDir.boolValue,
                  let data = FileManager.default.contents(atPath: home.root + "/" + rel) else { continue }
            searched += 1
            for (what, secret) in secrets { XCTAssertNil(data.range(of: Data(secret.utf8)), "the \(what) secret is in \(rel)") }
        }
        XCTAssertGreaterThan(searched, 8, "searched only \(everything)")
        XCTAssertTrue(everything.contains("var/ledger.sqlite"))
        XCTAssertTrue(printed.contains("statement.sta.gpg"), printed)
        for (what, secret) in secrets { XCTAssertFalse(printed.contains(secret), "the \(what) secret was printed") }
    }
}
