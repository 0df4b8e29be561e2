import Canonical
import FormatKit
import Foundation
import Gateway
import Mapping
import XCTest
import TestSupport
@testable import NACHA

/// File → reader → default mapping `mappings/nacha/payment.yaml` → canonical payment records.
final class TranslateTests: XCTestCase {
    private func translator() throws -> Translator { Translator(mappings: try MappingLibrary(directory: ProjectPaths.mappings)) }

    private func translate(_ path: String, format: String? = "nacha", options: [String: String] = [:]) throws -> [Record] {
        var out = [Record]()
        let job = Translator.Job(path: path, sha256: try sha256Hex(ofFileAt: path), partner: "bank", channel: "ach",
                                 format: format, options: FormatOptions(values: options))
        try translator().translate(job) { out.append($0) }
        return out
    }

    /// Write → read through the real pipeline → the same payment records.
    func testRoundTripThroughTheDefaultMapping() throws {
        let records = [
            Sample.payment(1, amount: "1234.56", remittance: "INVOICE 42", endToEndId: "EMP-001"),
            Sample.payment(2, amount: "0.01", transactionCode: "27", sec: "CCD"),
        ]
        let file = try NACHAWriter().write(records, context: Sample.context())[0]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nacha-\(UUID().uuidString).ach").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(file.bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }

        let read = try translate(path, format: nil)  // detected from the content
        XCTAssertEqual(read.count, 2)
        XCTAssertEqual(read[0].source?.format, "nacha")
        for (i, record) in records.enumerated() {
            guard case .payment(var expected) = record.body, case .payment(let got) = read[i].body else { return XCTFail("not a payment") }
            let trace = "23138010" + String(i + 1).leftPadded(to: 7)
            expected.ach!.traceNumber = trace
            expected.ach!.addenda = expected.ach!.addenda.map { a in
                JSONObject(a.pairs + [("sequenceNumber", .string("0001")), ("entryDetailSequenceNumber", .string(String(trace.suffix(7))))])
            }
            XCTAssertEqual(got, expected, "record \(i)")
        }
        XCTAssertEqual(read[0].extra?["batchNumber"]?.stringValue, "0000001")
    }

    func testCorpusReturnBecomesAReturnPayment() throws {
        guard let root = Sample.corpus("ach") else { throw XCTSkip(ProjectPaths.corpusSkipReason("ach")) }
        let records = try translate(root.appendingPathComponent("moov-io-ach/testdata/iat-addenda99.ach").path)
        guard case .payment(let p) = try XCTUnwrap(records.first).body else { return XCTFail("not a payment") }
        XCTAssertEqual(p.direction, .return)
        XCTAssertEqual(p.ach?.returnCode, "R01")
        XCTAssertEqual(p.amount, Amount("1000.00"))
        XCTAssertEqual(p.ach?.addenda.last?["returnCode"]?.stringValue, "R01")
    }
}
