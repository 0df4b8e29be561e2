import TestSupport
import XCTest
import Canonical
import FormatKit
import Mapping
import XMLSupport
@testable import TWEInvoice

/// File → reader → default mapping → canonical, and back out through the writer.
final class ReadTests: XCTestCase {
    private let library = try! MappingLibrary(directory: Fixtures.packageRoot + "/mappings")

    private func records(_ bytes: [UInt8], name: String = "file.xml") throws -> [Record] {
        var out = [Record]()
        try EInvoiceReader().read(ByteReader(bytes: bytes, name: name)) { unit in
            let mapping = try XCTUnwrap(library.defaultMapping(format: TWEInvoiceFormat.id, unit: unit), unit.outline())
            out.append(try mapping.apply(to: unit, source: RecordSource(partner: "p", channel: "c", format: "tw-einvoice", file: name, sha256: "0", index: out.count)))
        }
        return out
    }

    private func invoice(_ record: Record) throws -> Invoice {
        guard case .invoice(let i) = record.body else { throw NotA("invoice") }
        return i
    }

    func testCorpusC0401SamplesTranslateAndWriteBackValidAgainstTheMIG32Schema() throws {
        guard let corpus = Fixtures.corpus else { throw XCTSkip(ProjectPaths.corpusSkipReason()) }
        let folder = corpus + "/xsd/tw-einvoice/samples"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("C0401_v32") }.sorted()
        XCTAssertEqual(names.count, 5)
        let schema = try SchemaCatalog(directories: [.v32: Fixtures.mig32Schemas!]).schema(for: MessageType.named("C0401")!)
        for name in names {
            let original = try ByteReader(path: folder + "/" + name).readAll()
            let invoice = try invoice(XCTUnwrap(records(original, name: name).first))
            XCTAssertEqual(invoice.kind, .invoice)
            XCTAssertEqual(invoice.buyer.id, BusinessID.consumer)
            XCTAssertEqual(invoice.seller.name, "何六百有限公司")
            XCTAssertEqual(invoice.lines.first?.description, "鮮奶茶")
            XCTAssertEqual(invoice.einvoice?.randomNumber, "1234")
            XCTAssertEqual(invoice.issueDate.count, 10)

            // A consumer price includes the tax: canonical net = total = TotalAmount, tax 0, and the
            // tax the sender stated is kept in extra.
            let record = try XCTUnwrap(records(original, name: name).first)
            XCTAssertEqual(invoice.totals.net, invoice.totals.total)
            XCTAssertEqual(invoice.totals.tax, .zero)
            XCTAssertNotNil(record.extra?["includedTaxAmount"], name)

            // Back to C0401 through the whole writer (business rules, XSD): valid against the 3.2 schema…
            let files = try EInvoiceWriter().write([record], context: WriteContext(settings: ["mig": "3.2", "xsdDirectory": Fixtures.mig32Schemas!]))
            XCTAssertEqual(files.map(\.name), ["C0401_\(invoice.number).xml"])
            XCTAssertEqual(schema.validate(try XMLDocument(bytes: files[0].bytes)), [], name)
            // …and reads back to the same canonical invoice.
            let again = try self.invoice(XCTUnwrap(records(files[0].bytes).first))
            XCTAssertEqual(again.lines, invoice.lines, name)
            XCTAssertEqual(again.totals, invoice.totals, name)
            XCTAssertEqual(again.einvoice, invoice.einvoice, name)
        }
    }

    func testEveryWrittenMessageReadsBackAsTheSameCanonicalInvoice() throws {
        let original = Fixtures.businessInvoice(8)
        var allowance = original
        allowance.kind = .allowance
        allowance.number = "AL20240316001"
        allowance.issueTime = nil
        allowance.taxRate = nil
        allowance.originalNumber = original.number
        allowance.originalDate = original.issueDate
        allowance.einvoice = nil
        let all = [original, Fixtures.cancel(of: original), Fixtures.cancel(of: original, kind: .void), allowance]
        let files = try EInvoiceWriter().write(all.enumerated().map { Fixtures.record($1, $0) }, context: WriteContext())
        for (file, sent) in zip(files, all) {
            let read = try invoice(XCTUnwrap(records(file.bytes, name: file.name).first))
            XCTAssertEqual(read.kind, sent.kind, file.name)
            XCTAssertEqual(read.number, sent.number, file.name)
            XCTAssertEqual(read.totals, sent.totals, file.name)
            XCTAssertEqual(read.lines.map(\.amount), sent.lines.map(\.amount), file.name)
            XCTAssertEqual(read.originalDate, sent.kind == .invoice ? nil : sent.originalDate, file.name)
            XCTAssertEqual(read.reason, sent.reason, file.name)
        }
    }

    func testBig5MessageReads() throws {
        let xsd = try Fixtures.requireMIG32Schemas()
        let sent = Fixtures.consumerInvoice(3, description: "珍珠奶茶")
        let file = try EInvoiceWriter().write([Fixtures.record(sent)], context: WriteContext(settings: ["mig": "3.2", "xsdDirectory": xsd], encoding: TextEncoding("BIG5")!))
        let read = try invoice(XCTUnwrap(records(file[0].bytes).first))
        XCTAssertEqual(read.lines.first?.description, "珍珠奶茶")
        XCTAssertEqual(read.seller.name, "何六百有限公司")
    }

    func testResultFilesMarkTheRightInvoicesAcceptedOrRejected() throws {
        let folder = Fixtures.packageRoot + "/samples/tw-einvoice/results/"
        func statuses(_ name: String) throws -> [String: Acknowledgment.Status] {
            var out = [String: Acknowledgment.Status]()
            for record in try records(ByteReader(path: folder + name).readAll(), name: name) {
                guard case .acknowledgment(let a) = record.body else { XCTFail("not an acknowledgment"); continue }
                out[a.subject.invoiceNumber ?? "?"] = a.status
                if a.status == .rejected { XCTAssertFalse(a.items.first?.errors.isEmpty ?? true) }
            }
            return out
        }
        XCTAssertEqual(try statuses("ProcessResult_F0401_rejected.xml"),
                       ["LY42140001": .accepted, "LY42140002": .rejected, "LY42140003": .accepted])
        let process = try records(ByteReader(path: folder + "ProcessResult_F0401_rejected.xml").readAll())
        guard case .acknowledgment(let rejected) = process[1].body else { return XCTFail() }
        XCTAssertEqual(rejected.items.first?.errors.first?.code, "2001")
        XCTAssertEqual(rejected.items.first?.errors.first?.message, "發票號碼不在配號區間內")

        XCTAssertEqual(try statuses("SummaryResult_20240315.xml"),
                       ["LY42140001": .accepted, "LY42140002": .rejected, "LY42140003": .accepted])
        let counts = try SummaryResultCheck.counts(ByteReader(path: folder + "SummaryResult_20240315.xml"))
        XCTAssertEqual(counts["F0401"], SummaryCounts(total: 3, good: 2, failed: 1))
        XCTAssertEqual(SummaryResultCheck.discrepancies(stated: counts, sent: ["F0401": 3, "F0501": 1]), [])
        XCTAssertEqual(SummaryResultCheck.discrepancies(stated: counts, sent: ["F0401": 4, "F0501": 1]),
                       ["F0401: the platform counted 3, we sent 4"])
    }

    func testDetectAndUnknownNamespace() {
        XCTAssertTrue(TWEInvoiceFormat.detect(Array("<?xml version=\"1.0\"?><Invoice xmlns=\"urn:GEINV:eInvoiceMessage:F0401:4.1\">".utf8)))
        XCTAssertFalse(TWEInvoiceFormat.detect(Array("<Document xmlns=\"urn:iso:std:iso:20022\">".utf8)))
        XCTAssertThrowsError(try EInvoiceReader().read(ByteReader(text: "<Invoice xmlns=\"urn:other\"/>")) { _ in }) { error in
            XCTAssertEqual((error as? FormatError)?.code, "tw-einvoice.unknown")
        }
    }
}
