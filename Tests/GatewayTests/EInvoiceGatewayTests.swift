import Foundation
import XCTest
import Ledger
import Logging
import Mapping
@testable import Gateway

/// Invoices from a shop's CSV export routed to the e-invoice platform: held in the ledger, released
/// to the upload client's folders only inside the window, in batches, and answered by result files.
/// The clock is injected: `pipeline.tick(now:)` and `statusLines(now:)` are called with chosen times.
final class EInvoiceGatewayTests: XCTestCase {
    var home: GatewayHome!
    var pipeline: Pipeline!

    override func tearDown() { home?.remove() }

    /// A shop whose invoices (csv/tw-invoice) are routed to `platform`, which sets the window.
    func start(settings: String = "uploadWindow: \"22:00-06:00\", timeZone: Asia/Taipei, batchSize: 3") throws {
        home = try GatewayHome(partnersAndRoutes: """
            partners:
              shop:
                channels:
                  - { name: invoices, mapping: csv/tw-invoice }
              platform:
                settings: { \(settings) }
                channels:
                  - { name: results, format: tw-einvoice }
            routes:
              - name: invoices to the platform
                from: { partner: shop, channel: invoices, type: invoice }
                emit: { format: tw-einvoice, partner: platform, channel: upload }
            """)
        try reload()
    }

    /// A pipeline on the home's current config (as after a restart).
    func reload() throws {
        let config = try home.config
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        pipeline = Pipeline(config: config, ledger: try Ledger(path: config.ledgerPath),
                            mappings: try MappingLibrary(directory: config.mappingsDir), logger: logger, plugins: [EInvoicePlugin()])
    }

    /// Drops a file into a channel and runs it through the pipeline (without a tick).
    func drop(_ partner: String, _ channel: String, _ name: String, _ bytes: [UInt8]) throws {
        let path = "\(home.root)/inbox/\(partner)/\(channel)/\(name)"
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        let channel = try XCTUnwrap(pipeline.config.channel(partner: partner, name: channel))
        pipeline.process(workPath: try pipeline.claim(path, channel: channel), channel: channel)
    }

    var queue: EInvoiceQueue { EInvoiceQueue(ledger: pipeline.ledger) }

    func rows(_ state: QueuedEInvoice.State) throws -> [QueuedEInvoice] { try queue.rows(partner: "platform", state: state) }

    var srcFolder: String { home.root + "/outbox/platform/UpCast/B2SSTORAGE/F0401/SRC" }

    /// What waits in the F0401 SRC folder.
    func waiting() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: srcFolder)) ?? []).sorted() }

    /// The upload client takes everything out of SRC.
    func uploadClientTakesAll() throws {
        for name in waiting() { try FileManager.default.removeItem(atPath: srcFolder + "/" + name) }
    }

    func status(_ now: Date) -> [String] { EInvoicePlugin().statusLines(config: pipeline.config, ledger: pipeline.ledger, now: now) }

    // MARK: queue and release

    func testInvoicesWaitForTheWindowAndGoInBatchesOnceSRCIsEmptied() throws {
        try start()
        try drop("shop", "invoices", "march.csv", invoiceCSV(1...7))
        XCTAssertEqual(try rows(.queued).map(\.number), (1...7).map(number))
        XCTAssertEqual(try rows(.queued).first?.deadline, taipei(18, 0))   // B2C: two days after 15 March
        XCTAssertEqual(home.files(under: "outbox/platform"), [], "nothing is written when a route queues")

        pipeline.tick(now: taipei(15, 21, 59))
        XCTAssertEqual(waiting(), [], "closed before 22:00")

        pipeline.tick(now: taipei(15, 22, 0))
        XCTAssertEqual(waiting(), (1...3).map { "F0401_\(number($0)).xml" })
        let first = try rows(.released)
        XCTAssertEqual(first.map(\.number), (1...3).map(number))
        XCTAssertEqual(Set(first.map(\.batchId)), ["platform-000001"])
        XCTAssertEqual(first.map(\.releasedAt), Array(repeating: taipei(15, 22, 0), count: 3))
        XCTAssertEqual(first[0].fileName, "F0401_\(number(1)).xml")
        let xml = try String(contentsOfFile: srcFolder + "/" + first[0].fileName!, encoding: .utf8)
        XCTAssertTrue(xml.contains("<InvoiceNumber>\(number(1))</InvoiceNumber>"), xml)
        XCTAssertFalse(waiting().contains { $0.hasPrefix(".") }, "temp names are renamed")

        pipeline.tick(now: taipei(15, 22, 10))
        XCTAssertEqual(try rows(.released).count, 3, "the next batch waits until the upload client took the previous one")

        try uploadClientTakesAll()
        pipeline.tick(now: taipei(15, 23, 0))
        XCTAssertEqual(waiting(), (4...6).map { "F0401_\(number($0)).xml" })
        try uploadClientTakesAll()
        pipeline.tick(now: taipei(16, 6, 0))
        XCTAssertEqual(waiting(), [], "closed from 06:00")
        pipeline.tick(now: taipei(16, 22, 0))
        XCTAssertEqual(waiting(), ["F0401_\(number(7)).xml"])
        XCTAssertEqual(try rows(.queued).count, 0)
        XCTAssertEqual(try rows(.released).count, 7)
    }

    /// A release cut short after the ledger marked it (killed before the files were written) is
    /// written again first, even though nothing says the upload client took anything.
    func testAnInterruptedReleaseIsWrittenAgain() throws {
        try start()
        try drop("shop", "invoices", "march.csv", invoiceCSV(1...4))
        let ids = try rows(.queued).prefix(3).map { $0.id! }
        try queue.begin(ids, batchId: "platform-000001", at: taipei(15, 22), uploadDay: "2024-03-15")
        try reload()
        pipeline.tick(now: taipei(15, 22, 1))
        XCTAssertEqual(waiting(), (1...3).map { "F0401_\(number($0)).xml" })
        XCTAssertEqual(try rows(.released).map(\.batchId), Array(repeating: "platform-000001", count: 3))
        XCTAssertEqual(try rows(.queued).map(\.number), [number(4)])
    }

    func testAVoidNeverGoesBeforeItsInvoice() throws {
        try start(settings: "uploadWindow: \"22:00-06:00\", batchSize: 1")
        // The void arrives first (in its own file), then the invoice it voids.
        try drop("shop", "invoices", "void.csv", invoiceCSV(5...5, kind: "Void", time: "11:00:00"))
        XCTAssertEqual(try rows(.queued).count, 0, "a void of an invoice nobody issued is refused")
        try drop("shop", "invoices", "both.csv", invoiceCSV(5...5, kind: "Void", time: "11:00:00") + invoiceCSV(5...5, header: false))
        XCTAssertEqual(try rows(.queued).map(\.message), ["F0701", "F0401"])
        pipeline.tick(now: taipei(15, 22))
        XCTAssertEqual(try rows(.released).map(\.message), ["F0401"])
        try uploadClientTakesAll()
        pipeline.tick(now: taipei(15, 22, 30))
        XCTAssertEqual(Set(try rows(.released).map(\.message)), ["F0401", "F0701"])
        XCTAssertEqual(waiting(), [], "the void went to its own folder")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: home.root + "/outbox/platform/UpCast/B2SSTORAGE/F0701/SRC"),
                       ["F0701_\(number(5)).xml"])
    }

    func testAnInvalidInvoiceRefusesTheWholeRoute() throws {
        try start()
        try drop("shop", "invoices", "bad.csv", invoiceCSV(1...3, random: { $0 == 2 ? "12A4" : nil }))
        XCTAssertEqual(try queue.counts(partner: "platform"), [:], "nothing queued")
        let failed = try pipeline.ledger.read { db in
            try String.fetchOne(db, sql: "SELECT lastError FROM outbound WHERE state = 'failed'")
        }
        XCTAssertTrue(failed?.contains("refused, none queued") == true, failed ?? "no failed outbound")
        XCTAssertTrue(failed?.contains(number(2)) == true, failed ?? "")
        XCTAssertEqual(try pipeline.ledger.files(in: [.archived]).count, 1, "the shop's file itself was read fine")
    }

    func testAFileOverTheSizeLimitIsRefusedAtRelease() throws {
        try start()
        try drop("shop", "invoices", "march.csv", invoiceCSV(1...2))
        // The platform lowers its limit before the window opens.
        let yaml = try String(contentsOfFile: home.root + "/gateway.yaml", encoding: .utf8)
            .replacingOccurrences(of: "batchSize: 3", with: "batchSize: 3, maxFileBytes: 600")
        try yaml.write(toFile: home.root + "/gateway.yaml", atomically: true, encoding: .utf8)
        try reload()
        pipeline.tick(now: taipei(15, 22))
        XCTAssertEqual(waiting(), [])
        let failed = try rows(.failed)
        XCTAssertEqual(failed.count, 2)
        XCTAssertTrue(failed[0].error?.contains("over the platform limit of 600 bytes") == true, failed[0].error ?? "")
        XCTAssertTrue(status(taipei(15, 22, 5)).contains { $0.contains("refused F0401 \(number(1))") && $0.contains("over the platform limit") })
    }

    /// The default batch size: 5,003 generated invoices go as 5,000, then 3.
    func testDefaultBatchOf5000() throws {
        try start(settings: "uploadWindow: \"22:00-06:00\"")
        try drop("shop", "invoices", "day.csv", invoiceCSV(1...5003))
        XCTAssertEqual(try queue.counts(partner: "platform")[.queued], 5003)
        pipeline.tick(now: taipei(15, 22))
        XCTAssertEqual(waiting().count, 5000)
        try uploadClientTakesAll()
        pipeline.tick(now: taipei(15, 22, 1))
        XCTAssertEqual(waiting().count, 3)
        XCTAssertEqual(try queue.counts(partner: "platform")[.released], 5003)
    }

    // MARK: results, deadlines, alerts

    func testProcessResultMarksInvoicesAcceptedOrRejectedAndLateAnswersAreOverdue() throws {
        try start()
        try drop("shop", "invoices", "march.csv", invoiceCSV(1...3))
        pipeline.tick(now: taipei(15, 22))
        try drop("platform", "results", "ProcessResult_1.xml", processResult([(number(1), "0", "成功"), (number(2), "2001", "發票號碼不在配號區間內")]))
        XCTAssertEqual(try rows(.accepted).map(\.number), [number(1)])
        let rejected = try rows(.rejected)
        XCTAssertEqual(rejected.map(\.number), [number(2)])
        XCTAssertEqual(rejected.first?.resultCode, "2001")
        XCTAssertEqual(rejected.first?.resultMessage, "發票號碼不在配號區間內")
        XCTAssertEqual(try rows(.released).map(\.number), [number(3)])

        let early = status(taipei(16, 12))
        XCTAssertTrue(early.contains { $0.contains("rejected F0401 \(number(2)): 2001 發票號碼不在配號區間內") }, "\(early)")
        XCTAssertFalse(early.contains { $0.contains("overdue") })
        let late = status(taipei(17, 23))   // 49 hours after the release
        XCTAssertTrue(late.contains { $0.contains("overdue F0401 \(number(3))") }, "\(late)")
        XCTAssertFalse(late.contains { $0.contains("overdue F0401 \(number(1))") })
    }

    func testDeadlineWarningComesBeforeTheDeadlineIsMissed() throws {
        try start(settings: "uploadWindow: \"22:00-06:00\", b2cDeadlineDays: 2")
        try drop("shop", "invoices", "march.csv", invoiceCSV(1...1))   // dated 15 March: due before 18 March 00:00
        XCTAssertFalse(status(taipei(16, 12)).contains { $0.hasPrefix("WARNING") || $0.hasPrefix("LATE") })
        let soon = status(taipei(17, 12))
        XCTAssertTrue(soon.first?.hasPrefix("WARNING F0401 \(number(1)) for platform: legal upload deadline 2024-03-18 00:00 Asia/Taipei in 12 h") == true, "\(soon)")
        XCTAssertTrue(soon.contains { $0.contains("queued 1") && $0.contains("opens 2024-03-17 22:00") }, "\(soon)")
        let missed = status(taipei(18, 1))
        XCTAssertTrue(missed.first?.hasPrefix("LATE F0401 \(number(1))") == true, "\(missed)")
        pipeline.tick(now: taipei(17, 22))
        XCTAssertFalse(status(taipei(18, 1)).contains { $0.hasPrefix("LATE") }, "released in time: no warning")
    }

    func testSummaryResultWhoseCountsDisagreeRaisesAnAlert() throws {
        try start()
        try drop("shop", "invoices", "march.csv", invoiceCSV(1...3))
        pipeline.tick(now: taipei(15, 22))
        try drop("platform", "results", "SummaryResult_ok.xml", summaryResult(total: 3, good: [1, 2, 3]))
        XCTAssertFalse(status(taipei(16, 8)).contains { $0.hasPrefix("ALERT") })
        XCTAssertEqual(try rows(.accepted).count, 3)

        try drop("platform", "results", "SummaryResult_short.xml", summaryResult(total: 2, good: [1, 2]))
        let lines = status(taipei(16, 8))
        XCTAssertTrue(lines.contains { $0.hasPrefix("ALERT") && $0.contains("upload day 2024-03-15: F0401: the platform counted 2, we sent 3") }, "\(lines)")
        let audited = try pipeline.ledger.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit WHERE event = 'einvoice-summary-alert'")
        }
        XCTAssertEqual(audited, 1)
    }

    // MARK: inputs

    func number(_ n: Int) -> String { String(format: "LY%08d", 42_140_000 + n) }

    /// 2024-03-<day> hh:mm in Taipei.
    func taipei(_ day: Int, _ hour: Int, _ minute: Int = 0) -> Date {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "Asia/Taipei")!
        return c.date(from: DateComponents(year: 2024, month: 3, day: day, hour: hour, minute: minute))!
    }

    /// B2C invoices of 15 March in the csv/tw-invoice layout, one line each.
    func invoiceCSV(_ numbers: ClosedRange<Int>, kind: String = "Invoice", time: String = "10:15:00", header: Bool = true,
                    random: (Int) -> String? = { _ in nil }) -> [UInt8] {
        var text = header ? "Kind,Invoice,Date,Time,Currency,Seller VAT,Seller,Buyer VAT,Buyer,Tax type,Tax rate,Net,Tax,Total,Random number,Original,Original date,Reason,Line,Description,Quantity,Unit,Unit price,Line amount\n" : ""
        for n in numbers {
            let amount = 50 + n % 100
            let original = kind == "Invoice" ? ",," : "\(number(n)),2024-03-15,買受人要求作廢"
            text += "\(kind),\(number(n)),2024-03-15,\(time),TWD,24634102,何六百有限公司,0000000000,,1,0.05,\(amount),0,\(amount),"
                + "\(random(n) ?? String(format: "%04d", n % 10_000)),\(original),1,鮮奶茶,1,杯,\(amount),\(amount)\n"
        }
        return Array(text.utf8)
    }

    /// A platform ProcessResult for F0401 messages: (invoice number, code, description) per item.
    func processResult(_ items: [(String, String, String)]) -> [UInt8] {
        let infos = items.map { "<Info><Code>\($0.1)</Code><Description>\($0.2)</Description><Parameter0>\($0.0)</Parameter0></Info>" }
        return Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <ProcessResult xmlns="urn:GEINV:ProcessResult:3.0">
              <RoutingInfo><From><PartyId>EINVOICE</PartyId></From><FromVAC><RoutingId>EINVOICE</RoutingId></FromVAC>
                <To><PartyId>24634102</PartyId></To><ToVAC><RoutingId>24634102</RoutingId></ToVAC></RoutingInfo>
              <MessageInfo><Id>F0401-20240315-000001</Id><Size>\(items.count)</Size><MessageType>F0401</MessageType>
                <Service>B2SSTORAGE</Service><Action>Upload</Action></MessageInfo>
              <Result>\(infos.joined())</Result>
            </ProcessResult>
            """.utf8)
    }

    /// A platform SummaryResult for F0401: the stated total and the invoices listed as good.
    func summaryResult(total: Int, good: [Int]) -> [UInt8] {
        let invoices = good.map { "<Invocie><ReferenceNumber>\(number($0))</ReferenceNumber><InvoiceDate>2024-03-15</InvoiceDate></Invocie>" }
        return Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <SummaryResult xmlns="urn:GEINV:SummaryResult:3.0">
              <RoutingInfo><From><PartyId>EINVOICE</PartyId></From><FromVAC><RoutingId>EINVOICE</RoutingId></FromVAC>
                <To><PartyId>24634102</PartyId></To><ToVAC><RoutingId>24634102</RoutingId></ToVAC></RoutingInfo>
              <DetailList><Message>
                <Info><Id>SUMMARY-20240315-F0401</Id><Size>\(total)</Size><MessageType>F0401</MessageType><Service>B2SSTORAGE</Service><Action>Summary</Action></Info>
                <Result><Total><Count>\(total)</Count></Total>
                  <Good><Count>\(good.count)</Count><Invoices>\(invoices.joined())</Invoices></Good>
                  <Failed><Count>0</Count></Failed></Result>
              </Message></DetailList>
            </SummaryResult>
            """.utf8)
    }
}
