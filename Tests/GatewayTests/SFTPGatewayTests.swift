import Foundation
import XCTest
import Gateway
import Ledger
import Logging
import TestSupport
import Transport

/// The SFTP plugin inside a real gateway, against a real OpenSSH sshd on 127.0.0.1. Time is
/// injected through `pipeline.tick(now:)`; it starts an hour ahead so that the remote files'
/// real mtimes are old enough.
final class SFTPGatewayTests: XCTestCase {
    var sshd: TestSSHD!
    var home: GatewayHome!
    var t0: Date!

    override func setUpWithError() throws {
        sshd = try TestSSHD()
        home = try GatewayHome()
        // 10 s past a 5-minute mark, so that interval schedules (on a grid from 1970) are not due by chance.
        t0 = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 300).rounded(.down) * 300 + 3600 + 10)
        for dir in ["in", "archive", "out"] {
            try FileManager.default.createDirectory(atPath: sshd.remoteRoot + "/" + dir, withIntermediateDirectories: true)
        }
    }

    override func tearDown() {
        sshd.stop()
        home.remove()
    }

    /// The connection keys of the test sshd, as gateway.yaml writes them.
    private var connection: String {
        "host: 127.0.0.1, port: \(sshd.port), user: \(NSUserName()), privateKey: \(sshd.clientKey), knownHosts: \(sshd.knownHosts), connectTimeout: 2s, operationTimeout: 10s"
    }

    /// A bank whose payments channel is pulled from `remote/in` (when `pull`) and whose
    /// emitted payment files are delivered to `remote/out` (when `deliver`).
    private func configure(pull: Bool = true, deliver: Bool = true) throws -> GatewayConfig {
        let remote = pull ? "\n        remote: { \(connection), directory: \(sshd.remoteRoot)/in, archiveDirectory: \(sshd.remoteRoot)/archive, minAge: 1s, interval: 5m }" : ""
        let outbound = deliver ? """

                outbound:
                  - name: payments-out
                    deliver: { \(connection), directory: \(sshd.remoteRoot)/out, interval: 1m }
            """ : ""
        let yaml = """
            folders: { inbox: inbox, outbox: outbox, var: var, mappings: \(packageRoot)/mappings }
            pickup: { minAge: 0ms, pollInterval: 50ms }
            partners:
              bank:
                channels:
                  - name: payments
                    mapping: csv/bank-payment\(remote)\(outbound)
            routes:
              - name: payments to the bank
                from: { partner: bank, channel: payments, type: payment }
                emit: { format: csv, mapping: csv/bank-payment-out, partner: bank, channel: payments-out }
            """
        try yaml.write(toFile: home.root + "/gateway.yaml", atomically: true, encoding: .utf8)
        return try home.config
    }

    private func runner(_ config: GatewayConfig) throws -> GatewayRunner {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return try GatewayRunner(config: config, logger: logger)
    }

    private func remoteNames(_ dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: sshd.remoteRoot + "/" + dir).sorted()
    }

    /// Puts a payment file in the local inbox and runs it through the pipeline (→ an outbox file).
    private func emitPaymentFile(_ pipeline: Pipeline, _ config: GatewayConfig) throws -> String {
        try home.drop("a.csv", paymentCSV(1))
        let channel = try XCTUnwrap(config.channel(partner: "bank", name: "payments"))
        pipeline.process(workPath: try pipeline.claim(home.inbox + "/a.csv", channel: channel), channel: channel)
        let outbox = home.files(under: "outbox/bank/payments-out")
        XCTAssertEqual(outbox, ["a.1.csv"])
        return home.root + "/outbox/bank/payments-out/a.1.csv"
    }

    func testARemoteFileIsPulledTranslatedAndMovedOnTheServerOnlyAfterCommit() throws {
        let config = try configure(deliver: false)
        try Data(paymentCSV(1)).write(to: URL(fileURLWithPath: sshd.remoteRoot + "/in/pay.csv"))
        let gateway = try runner(config)
        let ledger = gateway.pipeline.ledger

        gateway.pipeline.tick(now: t0)
        XCTAssertEqual(try remoteNames("in"), ["pay.csv"], "first sight: not known to be stable yet")
        XCTAssertEqual(try ledger.stateCounts().count, 0)

        gateway.pipeline.tick(now: t0 + 0.5)
        XCTAssertEqual(try remoteNames("in"), ["pay.csv"], "the follow-up poll is not due yet")

        gateway.pipeline.tick(now: t0 + 2)
        XCTAssertEqual(try ledger.stateCounts().map { "\($0.0.rawValue)=\($0.1)" }, ["archived=1"])
        XCTAssertEqual(try ledger.recordCount(), 2)
        XCTAssertEqual(try remoteNames("in"), [], "moved away after the commit")
        XCTAssertEqual(try remoteNames("archive"), ["pay.csv"])
        XCTAssertEqual(home.files(under: "inbox"), [], "no temp or pulled file left in the inbox")
        XCTAssertEqual(home.files(under: "outbox/records"), ["bank/payments/pay.csv.1.jsonl"])
        let events = try ledger.auditTrail(fileId: 1).map(\.event)
        let committed = try XCTUnwrap(events.firstIndex(of: "translated"))
        let removed = try XCTUnwrap(events.firstIndex(of: "sftp-remote-done"))
        XCTAssertLessThan(committed, removed, "the server copy goes only after the ledger committed: \(events)")
        XCTAssertEqual(home.files(under: "outbox/bank/payments-out"), ["pay.1.csv"], "routes ran on the pulled file")

        // The same content sent again under another name: a duplicate in the ledger, and gone from the server.
        try Data(paymentCSV(1)).write(to: URL(fileURLWithPath: sshd.remoteRoot + "/in/pay-again.csv"))
        gateway.pipeline.tick(now: t0 + 400)
        gateway.pipeline.tick(now: t0 + 402)
        XCTAssertEqual(try ledger.files(in: [.duplicate]).map(\.name), ["pay-again.csv"])
        XCTAssertEqual(try remoteNames("in"), [])
    }

    func testAnEmittedFileIsDeliveredOnceAndNeverAgainAfterARestart() throws {
        let config = try configure(pull: false)
        var gateway: GatewayRunner? = try runner(config)
        let local = try emitPaymentFile(gateway!.pipeline, config)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: local))
        let ledger = gateway!.pipeline.ledger
        XCTAssertEqual(try ledger.outboundState(path: local), "emitted")

        gateway!.pipeline.tick(now: t0)
        XCTAssertEqual(try remoteNames("out"), ["a.1.csv"], "final name only: the temp name was renamed")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: sshd.remoteRoot + "/out/a.1.csv")), bytes)
        XCTAssertEqual(try ledger.outboundState(path: local), "delivered")
        XCTAssertEqual(home.files(under: "outbox/bank/payments-out"), [], "the outbox keeps only what waits")
        let day = ISO8601DateFormatter.string(from: t0, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        XCTAssertEqual(home.files(under: "var/delivered"), ["\(day)/bank/payments-out/a.1.csv"])
        func putBack() throws {
            let delivered = try XCTUnwrap(home.files(under: "var/delivered").first)
            try FileManager.default.moveItem(atPath: home.root + "/var/delivered/" + delivered, toPath: local)
        }
        var inode = stat()
        stat(sshd.remoteRoot + "/out/a.1.csv", &inode)

        // A crash after the ledger said delivered but before the file left the outbox; meanwhile
        // the bank took the file. After the restart nothing is uploaded again.
        gateway = nil
        try putBack()
        try FileManager.default.moveItem(atPath: sshd.remoteRoot + "/out/a.1.csv", toPath: sshd.remoteRoot + "/taken.csv")
        gateway = try runner(config)
        gateway!.pipeline.tick(now: t0 + 120)
        XCTAssertEqual(try remoteNames("out"), [], "never uploaded twice")
        XCTAssertEqual(home.files(under: "outbox/bank/payments-out"), [], "its move finished")

        // A crash after the rename on the server but before the ledger knew: the listing shows it is there.
        try FileManager.default.moveItem(atPath: sshd.remoteRoot + "/taken.csv", toPath: sshd.remoteRoot + "/out/a.1.csv")
        try putBack()
        _ = try ledger.write { try $0.execute(sql: "UPDATE sftp_items SET phase = 'retrying', nextAttempt = ?", arguments: [t0]) }
        gateway = nil
        gateway = try runner(config)
        gateway!.pipeline.tick(now: t0 + 180)
        var after = stat()
        stat(sshd.remoteRoot + "/out/a.1.csv", &after)
        XCTAssertEqual(after.st_ino, inode.st_ino, "the server's file was not rewritten")
        XCTAssertEqual(try ledger.outboundState(path: local), "delivered")
        XCTAssertEqual(home.files(under: "outbox/bank/payments-out"), [])
    }

    func testAFailingEndpointRetriesThenDeadLettersAndARetryByAPersonDelivers() throws {
        let config = try configure(pull: false)
        let gateway = try runner(config)
        let pipeline = gateway.pipeline, ledger = pipeline.ledger
        _ = try emitPaymentFile(pipeline, config)
        sshd.kill()
        let endpoint = "127.0.0.1:\(sshd.port)"
        func item() throws -> SFTPItem { try XCTUnwrap(try ledger.sftpItem(kind: .delivery, partner: "bank", channel: "payments-out", name: "a.1.csv")) }

        // Five quick tries (1 s, 2 s, 4 s, 8 s apart ±10 %): the fifth makes a dead letter and opens the breaker.
        var now: Date = t0
        pipeline.tick(now: now)
        XCTAssertEqual(try item().failures, 1)
        XCTAssertEqual(try item().phase, "retrying")
        pipeline.tick(now: now + 0.5)
        XCTAssertEqual(try item().attempts, 1, "the next try waits for its backoff")
        for n in 2...5 {
            now += 20
            pipeline.tick(now: now)
            XCTAssertEqual(try item().attempts, n)
        }
        XCTAssertEqual(try item().phase, "deadLettered")
        let lastError = try item().lastError ?? ""
        XCTAssertTrue(lastError.contains("cannot connect"), lastError)
        let plugin = try XCTUnwrap(PluginRegistry.all.first { $0 is SFTPPlugin })
        let status = plugin.statusLines(config: config, ledger: ledger, now: now).joined(separator: "\n")
        XCTAssertTrue(status.contains("breaker \(endpoint) open since"), status)
        XCTAssertTrue(status.contains("1 dead letter(s)"), status)
        XCTAssertTrue(try SFTPStatus.deadLetterLines(ledger: ledger)[0].hasPrefix("#\(try item().id!) bank/payments-out delivery of a.1.csv"))

        // Dead letters are tried again every 15 minutes, three times, then wait for a person.
        pipeline.tick(now: now + 600)
        XCTAssertEqual(try item().attempts, 5)
        for n in 6...8 {
            now += 901
            pipeline.tick(now: now)
            XCTAssertEqual(try item().attempts, n)
        }
        XCTAssertEqual(try item().phase, "waitingForPerson")
        now += 3 * 3600
        pipeline.tick(now: now)
        XCTAssertEqual(try item().attempts, 8, "nobody tries until a person says so")
        XCTAssertEqual(try remoteNames("out"), [])

        // The server is back; a person retries; the next look (breaker half-open by then) delivers it.
        try sshd.start()
        XCTAssertThrowsError(try SFTPPlugin.retry(id: 999, ledger: ledger, now: now))
        try SFTPPlugin.retry(id: try item().id!, ledger: ledger, now: now)
        pipeline.tick(now: now + 31)
        XCTAssertEqual(try item().phase, "succeeded")
        XCTAssertEqual(try remoteNames("out"), ["a.1.csv"])
        XCTAssertEqual(try SFTPStatus.deadLetterLines(ledger: ledger), ["no dead letters"])
        let after = plugin.statusLines(config: config, ledger: ledger, now: now + 31).joined(separator: "\n")
        XCTAssertTrue(after.contains("breaker \(endpoint) half-open since"), after)
        XCTAssertThrowsError(try SFTPPlugin.retry(id: try item().id!, ledger: ledger, now: now), "a delivered item is no dead letter")
    }

    func testSFTPConfigurationMistakesAreReportedWithTheirPaths() throws {
        let yaml = """
            folders: { mappings: \(packageRoot)/mappings }
            partners:
              bank:
                channels:
                  - name: statements
                    mapping: csv/bank-statement
                    remote: { host: h, user: u, privateKey: k, passwordEnv: PW, directory: /in, afterPickup: move, schedule: "0 25 * * *" }
                outbound:
                  - name: payments-out
                    deliver: { host: h, user: u, privateKey: k, knownHosts: kh, fingerprint: "SHA256:x", directory: /out, cutoff: "25:00", colour: red }
            """
        let path = home.root + "/bad.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try GatewayConfig.load(path: path)) { e in
            let p = (e as! ConfigError).problems.joined(separator: "\n")
            for expected in ["partners.bank.channels[0].remote: give privateKey or a password",
                             "partners.bank.channels[0].remote: needs knownHosts or fingerprint",
                             "partners.bank.channels[0].remote.afterPickup: move needs archiveDirectory",
                             "partners.bank.channels[0].remote.schedule: schedule \"0 25 * * *\"",
                             "partners.bank.outbound[0].deliver: give knownHosts or fingerprint, not both",
                             "partners.bank.outbound[0].deliver.cutoff:", "partners.bank.outbound[0].deliver.colour: unknown key"] {
                XCTAssertTrue(p.contains(expected), "missing \(expected) in:\n\(p)")
            }
        }
    }

    func testDeliveriesWaitForTheWindowAndTheBanksBusinessDays() throws {
        let yaml = """
            folders: { mappings: \(packageRoot)/mappings }
            partners:
              bank:
                channels: []
                outbound:
                  - name: payments-out
                    deliver: { host: h, user: u, privateKey: k, fingerprint: "SHA256:abc", directory: /out, schedule: "0 14 * * 1-5",
                               timeZone: Europe/Amsterdam, cutoff: "15:00", holidays: ["2026-12-25"] }
                  - name: einvoices
                    deliver: { host: h, user: u, passwordEnv: PW, fingerprint: "SHA256:abc", directory: /up, rename: false,
                               interval: 10m, window: { start: "22:00", end: "04:00" }, timeZone: Asia/Taipei }
            """
        let path = home.root + "/ok.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try GatewayConfig.load(path: path)
        let payments = try XCTUnwrap(config.outboundChannels[0].deliver), einvoices = try XCTUnwrap(config.outboundChannels[1].deliver)
        func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
        XCTAssertTrue(payments.schedule.releases(at: at("2026-12-24T13:00:00Z")), "Thursday 14:00 in Amsterdam, before the cutoff")
        XCTAssertFalse(payments.schedule.releases(at: at("2026-12-24T14:30:00Z")), "15:30: after the cutoff")
        XCTAssertFalse(payments.schedule.releases(at: at("2026-12-25T13:00:00Z")), "a bank holiday")
        XCTAssertEqual(payments.schedule.schedule.nextRun(after: at("2026-12-24T13:00:00Z")), at("2026-12-25T13:00:00Z"))
        XCTAssertEqual(payments.schedule.heldReason(at: at("2026-12-25T13:00:00Z")), "after the cutoff or not a business day: next business day 2026-12-28")
        XCTAssertFalse(einvoices.push.uploadUnderTemporaryName)
        XCTAssertTrue(einvoices.schedule.releases(at: at("2026-12-24T15:00:00Z")), "23:00 in Taipei")
        XCTAssertFalse(einvoices.schedule.releases(at: at("2026-12-24T06:00:00Z")), "14:00 in Taipei")
        XCTAssertEqual(einvoices.connection.authentication, .password(.environment("PW")))
    }
}
