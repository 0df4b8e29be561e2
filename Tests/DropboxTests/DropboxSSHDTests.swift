import Foundation
import XCTest
import TestSupport
import Gateway
import Ledger
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Drop boxes on a real OpenSSH sshd started with the config `dropgate sshd-config` writes, on a
/// free port on 127.0.0.1. Needs root (tests run as root in CI): it makes two system users
/// (`dgt<random>-a`, `-b`) and a chroot root under /srv (every folder above a ChrootDirectory must be
/// root-owned and not group/world-writable, so not /tmp), and removes them at the end, also on failure.
final class DropboxSSHDTests: XCTestCase {
    var home: Home!
    var boxRoot = ""
    var userA = "", userB = ""
    var port = 0
    var sshdPID: pid_t = 0
    var sshdLog: String { home.root + "/sshd.log" }

    override func setUpWithError() throws {
        XCTAssertEqual(geteuid(), 0, "the drop box tests make system users and root-owned chroot folders: run them as root")
        let id = "dgt" + String(UUID().uuidString.lowercased().filter(\.isLetter).prefix(5))
        userA = id + "-a"; userB = id + "-b"
        boxRoot = "/srv/dropgate-test-" + id
        home = try Home("")
        addTeardownBlock { [home, boxRoot, userA, userB] in
            for user in [userA, userB] where getpwnam(user) != nil { _ = try? runTool("/usr/sbin/userdel", [user], timeout: 20) }
            try? FileManager.default.removeItem(atPath: boxRoot)
            home?.remove()
        }
        for p in ["alpha", "beta"] {
            try runTool("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", p, "-f", home.root + "/keys/" + p], timeout: 20)
        }
        try runTool("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "host", "-f", home.root + "/host_ed25519"], timeout: 20)
        port = try TestSSHD.freePort()
        try home.write("""
            dropboxes: { root: \(boxRoot), sshdLog: sshd.log, sshdConfig: dropboxes.conf }
            partners:
              alpha:
                dropbox: { user: \(userA), keys: [keys/alpha.pub] }
                settings: { immediateDestination: "231380104", immediateDestinationName: FIRST NATIONAL, immediateOrigin: "1234567890", immediateOriginName: ACME TRADING }
                channels:
                  - { name: payroll, mapping: csv/ach-payroll }
                outbound:
                  - { name: ach }
              beta:
                dropbox: { user: \(userB), keys: [keys/beta.pub] }
                channels:
                  - { name: payroll, mapping: csv/ach-payroll }
            routes:
              - name: payroll back as NACHA
                from: { partner: alpha, channel: payroll, type: payment }
                emit: { format: nacha, partner: alpha, channel: ach }

            """)
        let made = try runCapturing(dropgate, ["sshd-config", "--create-users", "--config", home.root + "/gateway.yaml"], timeout: 60)
        XCTAssertEqual(made.status, 0, made.output)
        let fragment = try String(contentsOfFile: home.root + "/dropboxes.conf", encoding: .utf8)
        for line in ["Match User \(userA)", "ChrootDirectory \(boxRoot)/alpha", "ForceCommand internal-sftp", "PermitTTY no", "AllowTcpForwarding no",
                     "AuthorizedKeysFile \(boxRoot)/.authorized_keys/\(userB)"] {
            XCTAssertTrue(fragment.contains(line), "no \(line) in:\n\(fragment)")
        }
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: home.root + "/inbox/alpha"), boxRoot + "/alpha/inbox")
        let hostKey = try String(contentsOfFile: home.root + "/host_ed25519.pub", encoding: .utf8).split(separator: " ")
        try "[127.0.0.1]:\(port) \(hostKey[0]) \(hostKey[1])\n".write(toFile: home.root + "/known_hosts", atomically: true, encoding: .utf8)
        try """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(home.root)/host_ed25519
            PidFile \(home.root)/sshd.pid
            UsePAM no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PubkeyAuthentication yes
            PermitRootLogin no
            AuthorizedKeysFile none
            LogLevel INFO
            Subsystem sftp internal-sftp
            Include \(home.root)/dropboxes.conf

            """.write(toFile: home.root + "/sshd_config", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        sshdPID = try spawn("/usr/sbin/sshd", ["-f", home.root + "/sshd_config", "-D", "-e"], log: sshdLog)
        addTeardownBlock { [sshdPID] in
            for child in TestSSHD.descendants(of: sshdPID).reversed() + [sshdPID] { kill(child, SIGKILL) }
            var status: Int32 = 0
            waitpid(sshdPID, &status, 0)
        }
        let port = self.port
        guard waitFor(10, { TestSSHD.isListening(port: port) }) else {
            throw TestGnuPGError("sshd did not start: \((try? String(contentsOfFile: sshdLog, encoding: .utf8)) ?? "")")
        }
    }

    // MARK: clients

    func sshOptions(_ partner: String) -> [String] {
        ["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=\(home.root)/known_hosts",
         "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=10", "-i", home.root + "/keys/" + partner]
    }

    /// OpenSSH's sftp as a partner, running `commands`; the exit status and what it printed.
    @discardableResult
    func sftp(_ partner: String, _ commands: [String], extra: [String] = [], timeout: TimeInterval = 30) throws -> (status: Int32, output: String) {
        let batch = home.root + "/batch-" + UUID().uuidString.prefix(6)
        try (commands.joined(separator: "\n") + "\n").write(toFile: batch, atomically: true, encoding: .utf8)
        let user = partner == "alpha" ? userA : userB
        return try runCapturing("/usr/bin/sftp", sshOptions(partner) + extra + ["-P", "\(port)", "-b", batch, "\(user)@127.0.0.1"], timeout: timeout)
    }

    func ssh(_ partner: String, _ arguments: [String], timeout: TimeInterval = 20) throws -> (status: Int32, output: String) {
        try runCapturing("/usr/bin/ssh", sshOptions(partner) + ["-p", "\(port)"] + arguments, timeout: timeout)
    }

    func keyFingerprint(_ partner: String) throws -> String {
        // "256 SHA256:… alpha (ED25519)" → "ED25519 SHA256:…"
        let words = try runCapturing("/usr/bin/ssh-keygen", ["-lf", home.root + "/keys/\(partner).pub"], timeout: 10).output.split(separator: " ")
        return words.last!.trimmingCharacters(in: CharacterSet(charactersIn: "()\n")) + " " + words[1]
    }

    // MARK: tests

    func testUploadIsTranslatedWithItsUploaderAndTheFetchedOutboundFileIsDelivered() throws {
        let local = home.root + "/payroll.csv"
        try FileManager.default.copyItem(atPath: packageRoot + "/samples/acme-payroll/payroll/payroll-2026-11-27.csv", toPath: local)
        let up = try sftp("alpha", ["put \(local) /inbox/payroll/payroll.csv.part", "rename /inbox/payroll/payroll.csv.part /inbox/payroll/payroll.csv"])
        XCTAssertEqual(up.status, 0, up.output)
        // It landed in the gateway's inbox/<partner>/<channel>/, owned by the partner's account.
        var st = stat()
        XCTAssertEqual(stat(home.root + "/inbox/alpha/payroll/payroll.csv", &st), 0)
        XCTAssertEqual(st.st_uid, getpwnam(userA).pointee.pw_uid)

        try home.runOnce()
        let ledger = try home.ledger()
        let file = try XCTUnwrap(ledger.files(in: [.archived]).first { $0.name == "payroll.csv" }, "not translated")
        XCTAssertEqual(file.partner, "alpha")
        XCTAssertGreaterThan(file.recordCount, 0)
        let upload = try XCTUnwrap(ledger.upload(fileId: file.id!))
        XCTAssertEqual(upload.user, userA)
        XCTAssertEqual(upload.keyFingerprint, try keyFingerprint("alpha"))

        let out = try XCTUnwrap(ledger.outboundFiles().first)
        XCTAssertEqual(out.state, "emitted")
        XCTAssertTrue(out.path.hasPrefix(home.root + "/outbox/alpha/ach/"), out.path)
        let made = try bytes(out.path)
        let fetched = home.root + "/fetched.ach"
        let get = try sftp("alpha", ["ls /outbox/ach", "get /outbox/ach/\(out.name) \(fetched)", "rm /outbox/ach/\(out.name)"])
        XCTAssertEqual(get.status, 0, get.output)
        XCTAssertEqual(try bytes(fetched), made)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))

        try home.runOnce()
        XCTAssertEqual(try ledger.outboundFiles().first?.state, "delivered")
        let trail = try ledger.auditTrail(fileId: file.id!)
        let delivered = try XCTUnwrap(trail.first { $0.event == "delivered" }?.detail, "\(trail)")
        XCTAssertTrue(delivered.contains("fetched from the drop box by \(userA)"), delivered)
        XCTAssertTrue(trail.contains { $0.event == "uploaded" && ($0.detail ?? "").contains(userA) })
    }

    func testDoctorChecksTheDropBoxes() throws {
        var config = try home.config
        let findings = Doctor().check(config).filter { $0.check.hasPrefix("dropboxes") || $0.check.contains("dropbox") }
        XCTAssertEqual(findings.map(\.status), [.ok], findings.map(\.description).joined(separator: "\n"))
        config.dropboxes?.root = NSTemporaryDirectory() + "dropgate-box"
        let bad = Doctor().check(config).filter { $0.check == "dropboxes root" }
        XCTAssertEqual(bad.map(\.status), [.fail])
        XCTAssertTrue(bad.first?.message.contains("/tmp is owned by uid 0 with mode 1777") ?? false, bad.first?.message ?? "")
    }

    func testAPartnerReachesOnlyItsOwnFolders() throws {
        let probe = home.root + "/probe.csv"
        try "x\n".write(toFile: probe, atomically: true, encoding: .utf8)
        let root = try sftp("alpha", ["ls -1 /", "ls -1 /.."])
        XCTAssertEqual(root.status, 0, root.output)
        let names = Set(root.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.hasPrefix("sftp>") })
        XCTAssertEqual(names.subtracting(["/inbox", "/outbox", "../inbox", "../outbox", "/../inbox", "/../outbox"]), [], root.output)
        XCTAssertTrue(names.contains("/inbox") || names.contains("inbox"), root.output)
        // Out of the chroot: nothing of the host, nothing of B.
        for command in ["get /etc/passwd \(home.root)/passwd", "ls \(boxRoot)/beta", "ls /../beta/inbox/payroll",
                        "put \(probe) /../beta/inbox/payroll/probe.csv", "put \(probe) \(boxRoot)/beta/inbox/payroll/probe.csv",
                        "put \(probe) /probe.csv", "put \(probe) /inbox/probe.csv", "mkdir /inbox/other"] {
            let r = try sftp("alpha", [command])
            XCTAssertNotEqual(r.status, 0, "\(command) worked:\n\(r.output)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: home.root + "/passwd"))
        XCTAssertEqual(home.files(under: "inbox/beta"), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: boxRoot + "/alpha/probe.csv"))
        // B's own folder is B's: its account can write there.
        XCTAssertEqual(try sftp("beta", ["put \(probe) /inbox/payroll/probe.csv.part"]).status, 0)

        // No shell, no command, no TTY.
        let shell = try ssh("alpha", ["-tt", "\(userA)@127.0.0.1", "echo SHELL-OPENED; id"])
        XCTAssertFalse(shell.output.contains("SHELL-OPENED"), shell.output)
        XCTAssertFalse(shell.output.contains("uid="), shell.output)
        // No port forwarding: -W to sshd's own port would print its banner.
        let forward = try ssh("alpha", ["-W", "127.0.0.1:\(port)", "\(userA)@127.0.0.1"])
        XCTAssertNotEqual(forward.status, 0, forward.output)
        XCTAssertFalse(forward.output.contains("SSH-2.0-"), forward.output)
        let remote = try ssh("alpha", ["-N", "-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:\(port)", "\(userA)@127.0.0.1"])
        XCTAssertNotEqual(remote.status, 0, remote.output)
        XCTAssertTrue(remote.output.contains("forwarding failed") || remote.output.contains("administratively prohibited"), remote.output)
    }

    func testAnUploadInProgressIsNotPickedUp() throws {
        var csv = "Pay date,Company,Company id,Company account,Company routing,Employee,Employee id,Account type,Routing,Account,Amount,Memo\n"
        for i in 0..<90 { csv += "2026-11-27,Acme Trading Inc,1234567890,55500011,231380104,Employee \(i),E-\(1000 + i),checking,121042882,000123456789,\(100 + i).00,November salary\n" }
        let local = home.root + "/big.csv"
        try csv.write(toFile: local, atomically: true, encoding: .utf8)
        let total = csv.utf8.count
        XCTAssertGreaterThan(total, 10_000)

        // The gateway runs while A uploads under the final name at 16 kbit/s in 1 KiB writes.
        let stop = StopFlag()
        let config = try home.config
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let runner = try GatewayRunner(config: config, logger: logger)
        let gateway = Thread { runner.run(once: false) { stop.value } ; stop.finished = true }
        gateway.start()
        defer { stop.value = true; _ = waitFor(10) { stop.finished } }

        let batch = home.root + "/slow-batch"
        try "put \(local) /inbox/payroll/big.csv\n".write(toFile: batch, atomically: true, encoding: .utf8)
        let upload = try spawn("/usr/bin/sftp", sshOptions("alpha") + ["-B", "1024", "-l", "16", "-P", "\(port)", "-b", batch, "\(userA)@127.0.0.1"],
                               log: home.root + "/slow-upload.log")
        let inbox = home.root + "/inbox/alpha/payroll/big.csv"
        func size() -> Int { ((try? FileManager.default.attributesOfItem(atPath: inbox)[.size] as? Int) ?? nil) ?? 0 }
        XCTAssertTrue(waitFor(20) { size() > 2048 }, "the upload did not start")
        // Half-way: still in the inbox, not in the ledger, for a second and more.
        for _ in 0..<5 {
            XCTAssertLessThan(size(), total)
            XCTAssertTrue(FileManager.default.fileExists(atPath: inbox), "taken while being uploaded")
            XCTAssertEqual(try home.ledger().files(in: FileState.allCases).count, 0)
            usleep(250_000)
        }
        var status: Int32 = 0
        waitpid(upload, &status, 0)
        XCTAssertEqual(status, 0, (try? String(contentsOfFile: home.root + "/slow-upload.log", encoding: .utf8)) ?? "")
        XCTAssertTrue(waitFor(20) { ((try? home.ledger().files(in: [.archived]).count) ?? 0) == 1 }, "not picked up once complete")
        let file = try XCTUnwrap(try home.ledger().files(in: [.archived]).first)
        XCTAssertEqual(file.size, Int64(total))
        XCTAssertEqual(file.recordCount, 90)
    }
}

final class StopFlag: @unchecked Sendable {
    // @unchecked: a flag set by one thread and read by another; a late read only delays the stop.
    var value = false
    var finished = false
}

/// Runs a tool to its end (killed after `timeout`); its exit status. Output is discarded.
@discardableResult
func runTool(_ tool: String, _ arguments: [String], timeout: TimeInterval) throws -> Int32 {
    try runCapturing(tool, arguments, timeout: timeout).status
}

/// Runs a tool with stdin from /dev/null (killed after `timeout`); its exit status and output.
func runCapturing(_ tool: String, _ arguments: [String], timeout: TimeInterval) throws -> (status: Int32, output: String) {
    let log = NSTemporaryDirectory() + "dropgate-run-" + UUID().uuidString
    defer { unlink(log) }
    let pid = try spawn(tool, arguments, log: log)
    var status: Int32 = 0
    let deadline = Date() + timeout
    while waitpid(pid, &status, WNOHANG) == 0 {
        if Date() > deadline { kill(pid, SIGKILL); waitpid(pid, &status, 0); break }
        usleep(20_000)
    }
    let exit: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return (exit, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
}
