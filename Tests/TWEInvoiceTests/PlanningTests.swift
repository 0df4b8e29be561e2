import XCTest
import Canonical
import FormatKit
import XMLSupport
@testable import TWEInvoice

final class PlanningTests: XCTestCase {
    /// 2024-03-15 at hh:mm Asia/Taipei.
    private func taipei(_ day: Int, _ hour: Int, _ minute: Int = 0) -> Date {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = UploadWindow.taipei
        return c.date(from: DateComponents(year: 2024, month: 3, day: day, hour: hour, minute: minute))!
    }

    func testWindowCrossesMidnight() {
        let w = UploadWindow()
        XCTAssertFalse(w.isOpen(at: taipei(15, 21, 59)))
        XCTAssertTrue(w.isOpen(at: taipei(15, 22, 0)))
        XCTAssertTrue(w.isOpen(at: taipei(16, 5, 59)))
        XCTAssertFalse(w.isOpen(at: taipei(16, 6, 0)))
        XCTAssertEqual(w.nextOpening(after: taipei(15, 12)), taipei(15, 22))
        XCTAssertEqual(w.nextOpening(after: taipei(15, 23)), taipei(16, 22))
        XCTAssertEqual(UploadWindow("01:30-03:00")?.isOpen(at: taipei(15, 2)), true)
        XCTAssertEqual(UploadWindow("01:30-03:00")?.isOpen(at: taipei(15, 3)), false)
        XCTAssertNil(UploadWindow("25:00-03:00"))
    }

    func testCancelNeverPrecedesItsInvoice() {
        let queue = [PlannedMessage(number: "AA00000002", kind: .cancel, references: "AA00000002", message: "F0501"),
                     PlannedMessage(number: "AA00000001", kind: .invoice, message: "F0401"),
                     PlannedMessage(number: "AA00000009", kind: .void, references: "AA00000009", message: "F0701"),
                     PlannedMessage(number: "AA00000002", kind: .invoice, message: "F0401")]
        XCTAssertEqual(BatchPlanner().order(queue).map { "\($0.message) \($0.number)" },
                       ["F0401 AA00000001", "F0701 AA00000009", "F0401 AA00000002", "F0501 AA00000002"])
    }

    func testDeadlinesWarnBeforeTheyAreMissed() {
        let d = UploadDeadline()
        XCTAssertEqual(d.deadline(issueDate: "2024-03-15", businessBuyer: false), taipei(18, 0))
        XCTAssertEqual(d.deadline(issueDate: "2024-03-15", businessBuyer: true), taipei(23, 0))
        XCTAssertEqual(d.status(issueDate: "2024-03-15", businessBuyer: false, now: taipei(17, 11)), .onTime)
        XCTAssertEqual(d.status(issueDate: "2024-03-15", businessBuyer: false, now: taipei(17, 18)), .dueSoon(remaining: 6 * 3600))
        XCTAssertEqual(d.status(issueDate: "2024-03-15", businessBuyer: false, now: taipei(18, 0)), .missed)
        XCTAssertNil(d.status(issueDate: "2024-02-30", businessBuyer: false, now: taipei(18, 0)))
    }

    func testHandOffWritesUnderTempNameThenRenames() throws {
        let root = NSTemporaryDirectory() + "tweinvoice-handoff-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let files = try EInvoiceWriter().write([Fixtures.record(Fixtures.consumerInvoice(1))], context: WriteContext())
        let paths = try HandOff(root: root).deliver(files, version: .v41)
        XCTAssertEqual(paths, [root + "/UpCast/B2SSTORAGE/F0401/SRC/F0401_LY42140001.xml"])
        let folder = root + "/UpCast/B2SSTORAGE/F0401/SRC"
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["F0401_LY42140001.xml"])
        XCTAssertFalse(HandOff(root: root).isTaken(MessageType.named("F0401")!))
        try FileManager.default.removeItem(atPath: paths[0])
        XCTAssertTrue(HandOff(root: root).isTaken(MessageType.named("F0401")!))
    }

    /// 10,000 invoices (with cancels queued before their invoices) released in batches of at most
    /// 5,000, only inside the window and only once the previous batch was taken; every file valid
    /// against its schema, in UTF-8 (4.1) and Big5 (3.2, checked by converting back with iconv).
    func testTenThousandInvoicesReleaseInWindowInValidBatches() throws {
        var invoices = (0..<10_000).map { Fixtures.consumerInvoice($0, description: "珍珠奶茶 第\($0)杯") }
        var queue = [PlannedMessage]()
        var byNumber = [String: Invoice]()
        for (i, invoice) in invoices.enumerated() {
            if i % 1000 == 7 {   // a cancel queued before its invoice
                let cancel = Fixtures.cancel(of: invoice)
                queue.append(PlannedMessage(number: cancel.number, kind: .cancel, references: invoice.number, message: "F0501"))
                byNumber["cancel " + cancel.number] = cancel
            }
            queue.append(PlannedMessage(number: invoice.number, kind: .invoice, message: "F0401"))
            byNumber[invoice.number] = invoice
        }
        invoices.removeAll()
        let planner = BatchPlanner()
        var clock = taipei(15, 12)    // noon: closed
        var released = [[PlannedMessage]]()
        var pending = queue
        var taken = true
        while !pending.isEmpty {
            let batch = planner.release(pending, at: clock, previousTaken: taken)
            if batch.isEmpty {
                // Closed or not yet taken: the upload client takes the files; the clock moves 30 minutes.
                taken = true
                clock += 1800
                continue
            }
            XCTAssertTrue(planner.window.isOpen(at: clock))
            released.append(batch)
            let sent = Set(batch)
            pending.removeAll { sent.contains($0) }
            taken = false
        }
        XCTAssertEqual(released.map(\.count), [5000, 5000, 10])
        XCTAssertEqual(clock, taipei(15, 23))   // released at 22:00, 22:30 and 23:00
        var seen = Set<String>()
        for m in released.joined() {
            if m.kind == .cancel { XCTAssertTrue(seen.contains(m.references!), "cancel \(m.number) before its invoice") }
            seen.insert(m.number)
        }

        let records = { (batch: [PlannedMessage]) in
            batch.enumerated().map { i, m in Fixtures.record(byNumber[(m.kind == .cancel ? "cancel " : "") + m.number]!, i) }
        }
        let utf8Files = try EInvoiceWriter().write(records(released[0]), context: WriteContext())
        XCTAssertEqual(utf8Files.count, 5000)
        let f0401 = try SchemaCatalog().schema(for: MessageType.named("F0401")!)
        XCTAssertEqual(f0401.validate(try XMLDocument(bytes: utf8Files[4321].bytes)), [])

        let xsd = try Fixtures.requireMIG32Schemas()   // the UTF-8 half above ran; the Big5 half needs the corpus
        let big5 = TextEncoding("BIG5")!
        let big5Files = try EInvoiceWriter().write(records(released[1]), context: WriteContext(settings: ["mig": "3.2", "xsdDirectory": xsd], encoding: big5))
        XCTAssertEqual(big5Files.count, 5000)
        for file in big5Files.prefix(50) {
            let text = try big5.decode(file.bytes)
            XCTAssertTrue(text.hasPrefix("<?xml version=\"1.0\" encoding=\"Big5\"?>"))
            XCTAssertEqual(try big5.encode(text), file.bytes)
            XCTAssertTrue(file.name.hasPrefix("C0501") || text.contains("珍珠奶茶 第"), file.name)
        }
    }
}
