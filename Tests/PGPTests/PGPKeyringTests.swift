import Foundation
import XCTest
import PGP
import TestSupport

/// GPGME against real keyrings: the bank's (made by gpg --batch) and the gateway's own.
final class PGPKeyringTests: XCTestCase {
    var bank: TestGnuPG!
    var folder: String!

    override func setUpWithError() throws {
        bank = try TestGnuPG(name: "bank")
        folder = NSTemporaryDirectory() + "dropgate-pgp-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        bank.otherHomes = [folder + "/gnupg"]
    }

    override func tearDown() {
        bank.stop()
        try? FileManager.default.removeItem(atPath: folder)
    }

    func testEncryptSignDecryptVerifyWithPassphrase() throws {
        let bankFpr = try bank.generate("bank@example.test")
        try bank.generate("ours@example.test", passphrase: "correct horse", expiry: "20d")
        try bank.export("bank@example.test", to: folder + "/bank.asc")
        try bank.export("ours@example.test", to: folder + "/ours.asc", secret: true, passphrase: "correct horse")
        try bank.gpg(["--delete-secret-keys", try bank.fingerprint("ours@example.test")])

        let keyring = try PGPKeyring(home: folder + "/gnupg")
        XCTAssertEqual(try keyring.importKeys(file: folder + "/bank.asc"), [bankFpr])
        let ours = try keyring.importKeys(file: folder + "/ours.asc")
        XCTAssertEqual(ours.count, 1)
        let keys = try keyring.keys()
        XCTAssertEqual(keys.first { $0.fingerprint == ours[0] }?.hasSecret, true)
        let expires = try XCTUnwrap(keys.first { $0.fingerprint == ours[0] }?.expires)
        XCTAssertLessThan(expires.timeIntervalSinceNow, 21 * 86400)

        let plain = Array("payment file\r\n".utf8)
        XCTAssertThrowsError(try keyring.encrypt(plain, to: [bankFpr], signer: ours[0], passphrase: "wrong", armor: true))
        let armoured = try keyring.encrypt(plain, to: [bankFpr], signer: ours[0], passphrase: "correct horse", armor: true)
        XCTAssertTrue(String(decoding: armoured.prefix(40), as: UTF8.self).hasPrefix("-----BEGIN PGP MESSAGE-----"))
        let binary = try keyring.encrypt(plain, to: [bankFpr], signer: nil, passphrase: nil, armor: false)
        XCTAssertFalse(String(decoding: binary.prefix(40), as: UTF8.self).contains("BEGIN PGP"))

        // The bank decrypts both with gpg to exactly the bytes, and sees our signature.
        for (i, message) in [armoured, binary].enumerated() {
            try Data(message).write(to: URL(fileURLWithPath: folder + "/m\(i)"))
            try bank.importKey(folder + "/ours.asc")
            let log = try bank.gpg(["--output", folder + "/p\(i)", "--decrypt", folder + "/m\(i)"])
            XCTAssertEqual([UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/p\(i)"))), plain)
            XCTAssertEqual(log.contains("Good signature"), i == 0, log)
        }
    }

    func testDecryptVerifyGoodUnsignedBadAndTampered() throws {
        let bankFpr = try bank.generate("bank@example.test")
        try bank.generate("ours@example.test")
        try bank.generate("stranger@example.test")
        try bank.export("bank@example.test", to: folder + "/bank.asc")
        try bank.export("ours@example.test", to: folder + "/ours.asc", secret: true)
        let keyring = try PGPKeyring(home: folder + "/gnupg")
        _ = try keyring.importKeys(file: folder + "/bank.asc")
        _ = try keyring.importKeys(file: folder + "/ours.asc")

        let statement = Array(":20:STMT\r\n".utf8)
        try Data(statement).write(to: URL(fileURLWithPath: folder + "/plain"))
        func make(_ name: String, signer: String?) throws -> [UInt8] {
            let sign = signer.map { ["--local-user", "<\($0)>", "--sign"] } ?? []
            try bank.gpg(sign + ["--recipient", "<ours@example.test>", "--encrypt", "--output", folder + "/" + name, folder + "/plain"])
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
        }
        let good = try keyring.decryptVerify(try make("good", signer: "bank@example.test"), signers: [bankFpr], passphrase: nil)
        XCTAssertEqual(good.plaintext, statement)
        XCTAssertEqual(good.verification, .good(signer: bankFpr))
        XCTAssertEqual(try keyring.decryptVerify(try make("unsigned", signer: nil), signers: [bankFpr], passphrase: nil).verification, .unsigned)
        guard case .bad(let detail) = try keyring.decryptVerify(try make("stranger", signer: "stranger@example.test"), signers: [bankFpr], passphrase: nil).verification else {
            return XCTFail("a stranger's signature passed")
        }
        XCTAssertTrue(detail.contains("unknown key"), detail)

        var tampered = try make("tampered", signer: "bank@example.test")
        tampered[tampered.count - 30] ^= 0x01
        XCTAssertThrowsError(try keyring.decryptVerify(tampered, signers: [bankFpr], passphrase: nil)) { error in
            XCTAssertEqual((error as? PGPError)?.kind, .tampered, "\(error)")
        }
    }
}
