import Canonical
import FormatKit
import XCTest
@testable import NACHA

final class WriterTests: XCTestCase {
    func testBalancedFileBatchedByCompanyWithTraceNumbersFromCounters() throws {
        let counters = MemoryCounters()
        _ = try counters.next("nacha.trace.23138010")  // an earlier file used sequence 1
        let records = [
            Sample.payment(1, amount: "100.00"),
            Sample.payment(2, amount: "25.50", transactionCode: "27"),
            Sample.payment(3, amount: "7.25", companyId: "9999999999", company: "Other Co"),
            Sample.payment(4, amount: "1.00", date: "2025-03-18"),
        ]
        let file = try XCTUnwrap(NACHAWriter().write(records, context: Sample.context(counters: counters)).first)
        let lines = Sample.lines(file.bytes)
        XCTAssertEqual(file.name, "ach-231380104-20250314-A.ach")
        XCTAssertEqual(lines.count % 10, 0, "filled to a multiple of 10")
        XCTAssertTrue(lines.allSatisfy { $0.count == 94 })
        XCTAssertEqual(lines.map { $0.first! }.filter { $0 == "5" }.count, 3, "same company and date batch together")
        XCTAssertTrue(lines[0].hasPrefix("101 2313801041234567890250314"), lines[0])
        XCTAssertEqual(lines[1].prefix(4), "5200", "mixed credits and debits: service class 200")
        XCTAssertEqual(String(lines[2].suffix(15)), "231380100000002")
        XCTAssertEqual(String(lines[3].suffix(15)), "231380100000003")
        XCTAssertTrue(lines.last!.allSatisfy { $0 == "9" })
        // Batch 1 totals: one debit of 25.50, one credit of 100.00; hash 12104288 * 2.
        XCTAssertEqual(lines[4], String(lines[4].prefix(4)) + "000002" + "0024208576" + "000000002550" + "000000010000"
                       + String(lines[4].dropFirst(44)))
        XCTAssertEqual(Sample.findings(file.bytes), [])
    }

    func testFileIDModifierRunsAtoZThen0to9AndRefusesThe37th() throws {
        let counters = MemoryCounters()
        var modifiers = [String]()
        for _ in 1...36 {
            let file = try NACHAWriter().write([Sample.payment(1, amount: "1.00")], context: Sample.context(counters: counters))[0]
            modifiers.append(String(Sample.lines(file.bytes)[0].dropFirst(33).prefix(1)))
        }
        XCTAssertEqual(modifiers.joined(), "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        XCTAssertThrowsError(try NACHAWriter().write([Sample.payment(1, amount: "1.00")], context: Sample.context(counters: counters))) { error in
            XCTAssertEqual((error as? FormatError)?.code, "nacha.write.file-id-modifier")
        }
        // Another destination has its own sequence.
        let other = try NACHAWriter().write([Sample.payment(1, amount: "1.00")],
                                            context: Sample.context(settings: ["immediateDestination": "121042882"], counters: counters))[0]
        XCTAssertEqual(Sample.lines(other.bytes)[0].dropFirst(33).prefix(1), "A")
    }

    func testHeaderFromPartnerSettings() throws {
        let settings = ["immediateDestination": "121042882", "immediateOrigin": "1999999999",
                        "immediateDestinationName": "WELLS FARGO", "immediateOriginName": "ACME INC", "fileName": "out.ach"]
        let file = try NACHAWriter().write([Sample.payment(1, amount: "1.00")], context: Sample.context(settings: settings))[0]
        let header = Sample.lines(file.bytes)[0]
        XCTAssertEqual(file.name, "out.ach")
        XCTAssertTrue(header.hasPrefix("101 1210428821999999999"))
        XCTAssertEqual(String(Array(header)[40..<63]), "WELLS FARGO            ")
        XCTAssertEqual(String(Array(header)[63..<86]), "ACME INC               ")
    }

    func testAllOrNothing() {
        var inbound = Sample.payment(2, amount: "5.00")
        if case .payment(var p) = inbound.body { p.direction = .return; inbound.body = .payment(p) }
        let counters = MemoryCounters()
        XCTAssertThrowsError(try NACHAWriter().write([Sample.payment(1, amount: "1.00"), inbound], context: Sample.context(counters: counters))) { error in
            let e = error as? FormatError
            XCTAssertEqual(e?.field, "direction")
            XCTAssertTrue(e?.message.contains("record 1 (r2)") ?? false, e?.message ?? "")
        }
        XCTAssertEqual(try counters.next("nacha.trace.23138010"), 1, "no trace number was taken")
        XCTAssertThrowsError(try NACHAWriter().write([Sample.payment(1, amount: "0.00")], context: Sample.context()), "live entry of zero")
        XCTAssertThrowsError(try NACHAWriter().write([Sample.payment(1, amount: "1.005")], context: Sample.context()), "fractions of a cent")
        XCTAssertThrowsError(try NACHAWriter().write([Sample.payment(1, amount: "1.00", sec: "IAT")], context: Sample.context()))
        XCTAssertThrowsError(try NACHAWriter().write([Sample.payment(1, amount: "1.00", endToEndId: "SIXTEEN-CHARS-XX")], context: Sample.context()))
    }

    /// Write → read → the same payment records (trace numbers and addenda sequence numbers as the writer assigned them).
    func testRoundTrip() throws {
        let records = [
            Sample.payment(1, amount: "1234.56", remittance: "INVOICE 42", endToEndId: "EMP-001"),
            Sample.payment(2, amount: "0.01", transactionCode: "27", sec: "CCD"),
            Sample.payment(3, amount: "99999999.99", transactionCode: "32", sec: "WEB"),
            Sample.payment(4, amount: "12.00", sec: "CTX", remittance: "ISA*00*~"),
        ]
        let file = try NACHAWriter().write(records, context: Sample.context())[0]
        let read = try Sample.units(file.bytes).map(UnitToPayment.payment)
        XCTAssertEqual(read.count, records.count)
        for (i, record) in records.enumerated() {
            guard case .payment(var expected) = record.body else { return XCTFail() }
            let trace = "23138010" + String(i + 1).leftPadded(to: 7)
            expected.ach!.traceNumber = trace
            expected.ach!.addenda = expected.ach!.addenda.map { a in
                JSONObject(a.pairs + [("sequenceNumber", .string("0001")), ("entryDetailSequenceNumber", .string(String(trace.suffix(7))))])
            }
            XCTAssertEqual(read[i], expected, "record \(i)")
        }
    }
}
