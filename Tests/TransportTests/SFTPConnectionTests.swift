import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif
import TestSupport
@testable import Transport

final class SFTPConnectionTests: XCTestCase {
    var sshd: TestSSHD!

    override func setUpWithError() throws {
        sshd = try TestSSHD()
    }

    override func tearDown() {
        sshd.stop()
    }

    private func expectHostKeyRefusal(_ policy: HostKeyPolicy, mentioning phrase: String) {
        let client = SFTPClient(settings: sshd.settings(hostKey: policy))
        XCTAssertThrowsError(try client.connect()) { error in
            guard case SFTPError.hostKeyRejected = error else { return XCTFail("\(error)") }
            XCTAssertTrue(String(describing: error).contains(phrase), "\(error)")
        }
    }

    func testCorrectHostKeyByKnownHostsAndByFingerprintConnects() throws {
        let fingerprint = String(try TestSSHD.shell("/usr/bin/ssh-keygen", ["-lf", sshd.hostKeyPublic]).split(separator: " ")[1])
        XCTAssertEqual(try SFTPClient(settings: sshd.settings()).connect(), fingerprint)
        XCTAssertEqual(try SFTPClient(settings: sshd.settings(hostKey: .fingerprint(fingerprint))).connect(), fingerprint)
    }

    func testChangedHostKeyInKnownHostsIsRefused() throws {
        let other = sshd.folder + "/other_host"
        try TestSSHD.shell("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other])
        let key = try String(contentsOfFile: other + ".pub", encoding: .utf8).split(separator: " ")
        let changed = sshd.folder + "/known_hosts_changed"
        try "[127.0.0.1]:\(sshd.port) \(key[0]) \(key[1])\n".write(toFile: changed, atomically: true, encoding: .utf8)
        expectHostKeyRefusal(.knownHosts(path: changed), mentioning: "CHANGED")
    }

    func testUnknownHostIsRefused() throws {
        let empty = sshd.folder + "/known_hosts_empty"
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        expectHostKeyRefusal(.knownHosts(path: empty), mentioning: "unknown host")
    }

    func testWrongPinnedFingerprintIsRefused() {
        expectHostKeyRefusal(.fingerprint("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"), mentioning: "pins SHA256:47DEQ")
    }

    func testEncryptedKeyWithPassphraseFromAFileConnects() throws {
        let key = sshd.folder + "/locked_ecdsa"
        try TestSSHD.shell("/usr/bin/ssh-keygen", ["-q", "-t", "ecdsa", "-N", "open sesame", "-f", key])
        let authorized = try FileHandle(forWritingTo: URL(fileURLWithPath: sshd.folder + "/authorized_keys"))
        authorized.seekToEndOfFile()
        authorized.write(try Data(contentsOf: URL(fileURLWithPath: key + ".pub")))
        try authorized.close()
        try "open sesame\n".write(toFile: sshd.folder + "/passphrase", atomically: true, encoding: .utf8)
        var settings = sshd.settings()
        settings.authentication = .privateKey(path: key, passphrase: .file(sshd.folder + "/passphrase"))
        XCTAssertNoThrow(try SFTPClient(settings: settings).connect())
        settings.authentication = .privateKey(path: key, passphrase: nil)
        XCTAssertThrowsError(try SFTPClient(settings: settings).connect()) { error in
            guard case SFTPError.authenticationFailed = error else { return XCTFail("\(error)") }
        }
    }

    func testPasswordComesFromTheEnvironmentAndARefusalIsAnAuthenticationError() {
        var settings = sshd.settings()
        settings.authentication = .password(.environment("DROPGATE_TEST_UNSET_PASSWORD"))
        XCTAssertThrowsError(try SFTPClient(settings: settings).connect()) { error in
            XCTAssertEqual(error as? SFTPError, .secretUnavailable("environment variable DROPGATE_TEST_UNSET_PASSWORD is not set"))
        }
        setenv("DROPGATE_TEST_PASSWORD", "not-the-password", 1)
        settings.authentication = .password(.environment("DROPGATE_TEST_PASSWORD"))
        XCTAssertThrowsError(try SFTPClient(settings: settings).connect()) { error in
            guard case SFTPError.authenticationFailed(_, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("user \(NSUserName())"), reason)
        }
    }

    func testAServerThatNeverAnswersTimesOut() throws {
        // A TCP listener that accepts connections (kernel backlog) but never sends an SSH banner.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 4) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        XCTAssertTrue(listening)
        var settings = sshd.settings()
        settings.port = Int(UInt16(bigEndian: address.sin_port))
        settings.operationTimeout = 1
        XCTAssertThrowsError(try SFTPClient(settings: settings).connect()) { error in
            guard case SFTPError.connectFailed(_, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("handshake"), reason)
        }
    }

    func testCheckStopsAtARefusedHostKey() {
        let lines = SFTPCheck.run(sshd.settings(hostKey: .fingerprint("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU")),
                                  pull: PullSettings(remoteDirectory: sshd.remoteRoot, inbox: sshd.folder))
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines[1].hasPrefix("FAILED: host key of"), lines[1])
    }

    func testRSAKeyFailureSaysToUseEd25519OrNewerLibssh2() {
        let client = SFTPClient(settings: sshd.settings(key: sshd.rsaClientKey))
        XCTAssertThrowsError(try client.connect()) { error in
            guard case SFTPError.rsaUnsupported = error else { return XCTFail("\(error)") }
            let message = String(describing: error)
            XCTAssertTrue(message.contains("ed25519 or ECDSA key"), message)
            XCTAssertTrue(message.contains("libssh2 1.11"), message)
        }
    }

    func testFileOperationsRoundTrip() throws {
        let client = SFTPClient(settings: sshd.settings())
        let folder = sshd.remoteRoot + "/ops"
        XCTAssertFalse(try client.exists(folder))
        try client.makeDirectory(folder)
        let local = sshd.folder + "/local.bin"
        let content = try writeRandomFile(local, size: 70_000)
        XCTAssertEqual(try client.upload(local, to: folder + "/a.bin"), 70_000)
        try client.rename(folder + "/a.bin", to: folder + "/b.bin")
        XCTAssertEqual(try client.list(folder).map(\.name), ["b.bin"])
        XCTAssertEqual(try client.list(folder).first?.size, 70_000)
        let back = sshd.folder + "/back.bin"
        XCTAssertEqual(try client.download(folder + "/b.bin", to: back), 70_000)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: back)), content)
        XCTAssertThrowsError(try client.download(folder + "/b.bin", to: back), "an existing local file is never overwritten")
        try client.remove(folder + "/b.bin")
        XCTAssertEqual(try client.list(folder), [])
        XCTAssertThrowsError(try client.download(folder + "/missing", to: sshd.folder + "/missing")) { error in
            guard case SFTPError.remote = error else { return XCTFail("\(error)") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: sshd.folder + "/missing"))
    }

    func testBreakerOpensOnAnUnreachableEndpointAndClosesAfterItRecovers() throws {
        let clock = ManualTime()
        let board = CircuitBreakerBoard(clock: clock)
        let client = SFTPClient(settings: sshd.settings())
        let endpoint = client.settings.endpoint
        sshd.kill()
        for _ in 0..<5 {
            XCTAssertThrowsError(try board.run(endpoint) { try client.connect() }) { error in
                guard case SFTPError.connectFailed = error else { return XCTFail("\(error)") }
            }
        }
        XCTAssertEqual(board.state(of: endpoint), .open(since: clock.now))
        XCTAssertThrowsError(try board.run(endpoint) { try client.connect() }) { error in
            XCTAssertTrue(error is CircuitBreakerBoard.OpenCircuit, "\(error)")
        }
        try sshd.start()
        clock.advance(by: 30)
        try board.run(endpoint) { _ = try client.connect() }
        XCTAssertEqual(board.state(of: endpoint), .halfOpen(successes: 1))
        try board.run(endpoint) { _ = try client.list(sshd.remoteRoot) }
        XCTAssertEqual(board.state(of: endpoint), .closed(consecutiveFailures: 0))
    }
}
