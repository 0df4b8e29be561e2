import Foundation
import XCTest
import Canonical
import FormatKit
import Gateway
import Mapping

/// samples/records/ holds canonical records for every emitter; each writes a file with the settings
/// the README's `emit` examples give.
final class SampleRecordsTests: XCTestCase {
    static let x12 = ["isaSenderId": "ACMETRADING", "isaReceiverId": "GLOBEXRETAIL"]
    static let nacha = ["immediateDestination": "231380104", "immediateOrigin": "1234567890",
                        "immediateDestinationName": "FIRST NATIONAL", "immediateOriginName": "ACME TRADING"]
    static let cases: [(format: String, file: String, mapping: String?, settings: [String: String])] = [
        ("csv", "payments.jsonl", "csv/bank-payment-out", [:]),
        ("nacha", "payroll-ach.jsonl", nil, nacha),
        ("x12", "purchase-order.jsonl", nil, x12),
        ("x12", "invoices.jsonl", nil, x12),
        ("gl-csv", "journal-entries.jsonl", nil, [:]),
        ("quickbooks-iif", "journal-entries.jsonl", nil, [:]),
        ("tw-einvoice", "tw-einvoices.jsonl", nil, [:]),
        ("pain001", "payments.jsonl", nil, [:]),     // last: skipped without `make schemas`
    ]

    func testEveryEmitterWritesItsSampleRecords() throws {
        let emitter = Emitter(mappings: try MappingLibrary(directory: packageRoot + "/mappings"), counters: MemoryCounters())
        let writable = FormatRegistry.all.filter { $0.writer(options: FormatOptions()) != nil || $0 is any TabularFormat.Type }.map { $0.id }
        XCTAssertEqual(Set(Self.cases.map(\.format)), Set(writable), "a sample for every format that writes")
        for c in Self.cases {
            if c.format == "pain001" && ResourceLocator().pain001Schemas() == nil {
                throw XCTSkip("pain.001 case not run: its schemas are absent from .build/dropgate-schemas/pain001 (run make schemas)")
            }
            let records = try JSONLines.decode(fileAt: packageRoot + "/samples/records/" + c.file)
            XCTAssertFalse(records.isEmpty, c.file)
            let files = try emitter.emit(records, Emitter.Request(format: c.format, mapping: c.mapping, settings: c.settings))
            XCTAssertFalse(files.isEmpty, "\(c.format) \(c.file)")
            XCTAssertTrue(files.allSatisfy { !$0.bytes.isEmpty }, "\(c.format) \(c.file)")
        }
    }
}
