import XCTest
import Canonical
import FormatKit
import Posting
import Mapping
@testable import GLFormats

final class GLFormatsTests: XCTestCase {
    let context = WriteContext(settings: [:], partner: "ledger", counters: MemoryCounters(),
                               now: Date(timeIntervalSince1970: 1_710_500_000), timeZone: TimeZone(identifier: "UTC")!)

    func dayEntries() throws -> [Record] {
        let poster = try Poster(rulesDirectory: DayFixture.rulesDirectory)
        return try poster.post(records: DayFixture.day)
    }

    func testGLCSVReReadsToTheSameTotals() throws {
        let entries = try dayEntries()
        let files = try GLCSVWriter().write(entries, context: context)
        XCTAssertEqual(files.map(\.name), ["journal-20240315-001.csv", "journal-20240315-001.control.csv"])

        let control = String(decoding: files[1].bytes, as: UTF8.self)
        let journals = entries.compactMap(\.journal)
        let debit = journals.flatMap(\.lines).map(\.debit).sum()
        XCTAssertEqual(control, "batch,currency,entries,lines,debitTotal,creditTotal\r\n20240315-001,USD,12,\(journals.flatMap(\.lines).count),\(debit),\(debit)\r\n")

        var units = [Node]()
        try GLCSVReader().read(ByteReader(bytes: files[0].bytes)) { units.append($0) }
        XCTAssertEqual(units.count, 12)
        let lines = units.flatMap { $0.children(named: "line") }
        XCTAssertEqual(lines.compactMap { $0["debit"].flatMap(Amount.init) }.sum(), debit)
        XCTAssertEqual(lines.compactMap { $0["credit"].flatMap(Amount.init) }.sum(), debit)
        XCTAssertEqual(units.map { $0["number"] }, journals.map(\.number))
        XCTAssertEqual(units.map { $0["sourceRecord"] }, journals.map(\.sourceRecord))
        XCTAssertEqual(units[0]["description"], "Invoice INV-1001 Contoso Ltd")
        XCTAssertEqual(lines[0]["account"], "1110")
        XCTAssertEqual(lines[0].line, 2)
        XCTAssertTrue(GLCSVFormat.detect(files[0].bytes))
    }

    func testReaderLocatesProblems() {
        let header = GLCSVFormat.header.joined(separator: ",")
        func errors(_ body: String) -> [FormatError] { GLCSVReader().validate(ByteReader(text: header + "\n" + body)) }

        let unbalanced = errors("E1,2024-03-15,2024-03,USD,1100,,10.00,,x,x,r1\nE1,2024-03-15,2024-03,USD,4000,,,9.99,x,x,r1\n")
        XCTAssertEqual(unbalanced.first?.code, "gl.unbalanced")
        XCTAssertEqual(unbalanced.first?.line, 2)
        XCTAssertTrue(unbalanced.first?.message.contains("difference 0.01") ?? false)

        let badAmount = errors("E1,2024-03-15,2024-03,USD,1100,,\"1,000.00\",,x,x,r1\n")
        XCTAssertEqual(badAmount.first?.code, "gl.amount")
        XCTAssertEqual(badAmount.first?.field, "debit")

        let quoted = errors("E1,2024-03-15,2024-03,USD,1100,,5,,\"two\nlines, \"\"quoted\"\"\",x,r1\nE1,2024-03-15,2024-03,USD,4000,,,5,x,x,r1\nE2,2024-03-1,2024-03,USD,1,,1,,x,x,r2\n")
        XCTAssertEqual(quoted.first?.code, "gl.date", "the multi-line quoted field reads; the bad date is found")
        XCTAssertEqual(quoted.first?.line, 5)
    }

    func testWriterRefusesWhatIsNotABalancedJournal() {
        XCTAssertThrowsError(try GLCSVWriter().write([DayFixture.invoices[0]], context: context)) {
            XCTAssertEqual(($0 as? FormatError)?.code, "gl.not-journal-entry")
        }
        let bad = JournalEntry(number: "X", date: "2024-03-15", period: "2024-03", currency: "USD", description: "x", sourceRecord: "r",
                               lines: [.init(account: "1", debit: Amount("1")!, credit: .zero)])
        XCTAssertThrowsError(try GLCSVWriter().write([Record(id: "X", source: nil, body: .journalEntry(bad))], context: context)) {
            XCTAssertEqual(($0 as? FormatError)?.code, "gl.unbalanced")
        }
    }

    func testQuickBooksIIFBlocksBalance() throws {
        let entries = try dayEntries()
        let files = try QuickBooksIIFWriter().write(entries, context: context)
        XCTAssertEqual(files.map(\.name), ["journal-20240315-001.iif", "journal-20240315-001.control.csv"])
        let rows = String(decoding: files[0].bytes, as: UTF8.self).components(separatedBy: "\r\n").dropLast().map { $0.components(separatedBy: "\t") }
        XCTAssertEqual(rows[0], ["!TRNS", "TRNSID", "TRNSTYPE", "DATE", "ACCNT", "CLASS", "AMOUNT", "DOCNUM", "MEMO"])
        XCTAssertEqual(rows[3], ["TRNS", "1", "GENERAL JOURNAL", "03/15/2024", "1110", "", "1050.00", entries[0].id, "Receivable Contoso Ltd"])
        XCTAssertEqual(rows[4][6], "-1000.00")
        var blocks = 0, sum = Amount.zero
        for row in rows.dropFirst(3) {
            if row[0] == "ENDTRNS" { XCTAssertEqual(sum, .zero); blocks += 1; sum = .zero } else { sum += Amount(row[6])! }
        }
        XCTAssertEqual(blocks, 12)

        var euro = entries[0]
        if case .journalEntry(var j) = euro.body { j.currency = "EUR"; euro.body = .journalEntry(j) }
        XCTAssertThrowsError(try QuickBooksIIFWriter().write([entries[1], euro], context: context)) {
            XCTAssertEqual(($0 as? FormatError)?.code, "iif.currencies")
        }
    }
}

final class GLCSVMappingTests: XCTestCase {
    /// gl-csv file → reader → default mapping (mappings/gl-csv) → the same journal entries.
    func testGLCSVReadsBackThroughTheDefaultMapping() throws {
        let entries = try Poster(rulesDirectory: DayFixture.rulesDirectory).post(records: DayFixture.day)
        let csv = try GLCSVWriter().write(entries, context: WriteContext(settings: ["batchId": "day"]))[0]
        let library = try MappingLibrary(directory: DayFixture.packageRoot + "/mappings")
        var back = [JournalEntry]()
        try GLCSVReader().read(ByteReader(bytes: csv.bytes)) { unit in
            let mapping = try XCTUnwrap(library.defaultMapping(format: GLCSVFormat.id, unit: unit))
            let record = try mapping.apply(to: unit, source: RecordSource(partner: "ledger", channel: "gl", format: "gl-csv",
                                                                        file: csv.name, sha256: "00", index: back.count))
            back.append(try XCTUnwrap(record.journal))
        }
        // gl-csv writes the entry's description on lines that have none of their own.
        let expected = entries.compactMap(\.journal).map { entry in
            var e = entry
            e.lines = e.lines.map { var l = $0; l.description = l.description ?? entry.description; return l }
            return e
        }
        XCTAssertEqual(back, expected)
    }
}
