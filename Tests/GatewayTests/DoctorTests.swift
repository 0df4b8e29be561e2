import Foundation
import XCTest
import Gateway
#if canImport(Glibc)
import Glibc
#endif

/// `dropgate doctor` on temp configs with the mistakes operators make.
final class DoctorTests: XCTestCase {
    var root: String!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("doctor-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: root + "/keys", withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    /// A config with one SFTP delivery and the given extra partners, routes and inbox folder.
    func config(inbox: String = "inbox", knownHosts: String = "keys/known_hosts", extraPartners: String = "", routes: String = "") throws -> GatewayConfig {
        let yaml = """
            folders: { inbox: \(inbox), outbox: outbox, var: var, mappings: \(packageRoot)/mappings }
            partners:
              bank:
                channels:
                  - { name: payments, mapping: csv/bank-payment }
                outbound:
                  - name: out
                    deliver: { host: sftp.bank.example, port: 2222, user: acme, privateKey: keys/id_ed25519, knownHosts: \(knownHosts),
                               directory: /in, schedule: "0 14 * * 1-5", timeZone: Europe/Amsterdam, cutoff: "15:00" }
            \(extraPartners)
            routes:
            \(routes.isEmpty ? "  []" : routes)
            """
        try yaml.write(toFile: root + "/gateway.yaml", atomically: true, encoding: .utf8)
        return try GatewayConfig.load(path: root + "/gateway.yaml")
    }

    func write(_ text: String, _ path: String, mode: mode_t) throws {
        try text.write(toFile: root + "/" + path, atomically: false, encoding: .utf8)
        chmod(root + "/" + path, mode)
    }

    func finding(_ findings: [Doctor.Finding], _ check: String) throws -> Doctor.Finding {
        try XCTUnwrap(findings.first { $0.check.contains(check) }, "no \(check) in \(findings.map(\.check))")
    }

    func testKeyPermissionsAndPinnedHostKeys() throws {
        try write("-----BEGIN OPENSSH PRIVATE KEY-----\n", "keys/id_ed25519", mode: 0o644)
        try write("other.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA\n", "keys/known_hosts", mode: 0o644)
        var findings = Doctor().check(try config())
        let key = try finding(findings, "private key")
        XCTAssertEqual(key.status, .fail)
        XCTAssertEqual(key.fix, "chmod 600 \(root!)/keys/id_ed25519")
        let host = try finding(findings, "host key")
        XCTAssertEqual(host.status, .fail)
        XCTAssertTrue(host.message.contains("no key for [sftp.bank.example]:2222"), host.message)
        XCTAssertTrue(host.fix?.hasPrefix("ssh-keyscan -p 2222 sftp.bank.example >> ") ?? false, host.fix ?? "")

        chmod(root + "/keys/id_ed25519", 0o600)
        // A hashed entry, as `ssh-keygen -H` writes it.
        let hashed = try XCTUnwrap(Self.hashedKnownHost("[sftp.bank.example]:2222"))
        try write(hashed + " ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA\n", "keys/known_hosts", mode: 0o644)
        findings = Doctor().check(try config())
        XCTAssertEqual(try finding(findings, "private key").status, .ok)
        XCTAssertEqual(try finding(findings, "host key").status, .ok)
        XCTAssertEqual(try finding(findings, "deliver time zone").status, .ok, "Europe/Amsterdam, set explicitly")

        try FileManager.default.removeItem(atPath: root + "/keys/known_hosts")
        XCTAssertEqual(try finding(Doctor().check(try config()), "host key").status, .fail)
    }

    func testSchemasForEveryEmitterInARoute() throws {
        let partner = """
              sepa-bank:
                settings: { xsdDirectory: schemas, version: pain.001.001.09 }
                channels: []
            """
        let route = "  - { name: to sepa, from: { partner: bank, channel: payments }, emit: { format: pain001, partner: sepa-bank, channel: out } }"
        let missing = try finding(Doctor().check(try config(extraPartners: partner, routes: route)), "emitter pain001")
        XCTAssertEqual(missing.status, .fail)
        XCTAssertTrue(missing.message.contains("\(root!)/schemas/pain.001.001.09.xsd does not exist"), missing.message)
        try FileManager.default.createDirectory(atPath: root + "/schemas", withIntermediateDirectories: true)
        try write("<xs:schema/>", "schemas/pain.001.001.09.xsd", mode: 0o644)
        XCTAssertEqual(try finding(Doctor().check(try config(extraPartners: partner, routes: route)), "emitter pain001").status, .ok)
    }

    func testFoldersOnAnotherFileSystemOrNotWritable() throws {
        var shm = stat(), here = stat()
        guard stat("/dev/shm", &shm) == 0, stat(root, &here) == 0, shm.st_dev != here.st_dev else {
            throw XCTSkip("needs /dev/shm on another file system than \(root!)")
        }
        let elsewhere = "/dev/shm/doctor-inbox-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        let inbox = try finding(Doctor().check(try config(inbox: elsewhere)), "folder inbox bank/payments")
        XCTAssertEqual(inbox.status, .fail)
        XCTAssertTrue(inbox.message.contains("another file system"), inbox.message)

        try FileManager.default.createDirectory(atPath: root + "/outbox", withIntermediateDirectories: true)
        chmod(root + "/outbox", 0o500)
        defer { chmod(root + "/outbox", 0o700) }
        let outbox = try finding(Doctor().check(try config()), "folder outbox")
        if geteuid() == 0 {
            XCTAssertEqual(outbox.status, .ok, "root writes anywhere")
        } else {
            XCTAssertEqual(outbox.status, .fail)
        }
    }

    func testDiskSpaceAndUploadWindowTimeZone() throws {
        var doctor = Doctor()
        doctor.failBytes = Int64.max
        XCTAssertEqual(try finding(doctor.check(try config()), "disk space").status, .fail)
        let platform = """
              platform:
                settings: { uploadWindow: "22:00-06:00", timeZone: Asia/Taipe }
                channels: []
            """
        let window = try finding(Doctor().check(try config(extraPartners: platform)), "upload window")
        XCTAssertEqual(window.status, .fail)
        XCTAssertTrue(window.message.contains("unknown time zone \"Asia/Taipe\""), window.message)
    }

    func testTheCommandExitsNonZeroWhenACheckFails() throws {
        try write("key", "keys/id_ed25519", mode: 0o640)
        try write("", "keys/known_hosts", mode: 0o644)
        _ = try config()
        let r = try DropgateCLI.run(["doctor", "--config", root + "/gateway.yaml"])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("FAIL deliver") || r.stdout.contains("FAIL bank/out deliver private key"), r.stdout)
        XCTAssertTrue(r.stdout.contains("fix: chmod 600 "), r.stdout)
    }

    /// `|1|salt|HMAC-SHA1(salt, host)` as OpenSSH hashes known_hosts names (made by ssh-keygen).
    static func hashedKnownHost(_ host: String) throws -> String? {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kh-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "\(host) ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA\n".write(toFile: dir + "/kh", atomically: false, encoding: .utf8)
        let r = try DropgateCLI.run(["-H", "-f", dir + "/kh"], executable: "/usr/bin/ssh-keygen")
        guard r.status == 0, let text = try? String(contentsOfFile: dir + "/kh", encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.map(String.init)
    }
}
