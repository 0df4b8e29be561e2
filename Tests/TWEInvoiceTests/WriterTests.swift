import XCTest
import Canonical
import FormatKit
import XMLSupport
@testable import TWEInvoice

final class WriterTests: XCTestCase {
    private func write(_ invoices: [Invoice], settings: [String: String] = [:], encoding: TextEncoding = .utf8,
                       rules: BusinessRules? = nil) throws -> [OutputFile] {
        try EInvoiceWriter(rules: rules).write(invoices.enumerated().map { Fixtures.record($1, $0) },
                                               context: WriteContext(settings: settings, encoding: encoding))
    }

    private func errors(_ body: () throws -> Void) -> [FormatError] {
        do { try body(); return [] } catch let e as FormatErrors { return e.errors } catch let e as FormatError { return [e] } catch {
            XCTFail("unexpected \(error)"); return []
        }
    }

    func testEveryMIG41MessageValidatesAgainstItsBundledSchema() throws {
        let invoice = Fixtures.consumerInvoice(1)
        var allowance = Fixtures.businessInvoice(7)
        allowance.kind = .allowance
        allowance.number = "AL2024031500001"
        allowance.originalNumber = "AB00000007"
        allowance.originalDate = "2024-03-15"
        var allowanceCancel = Fixtures.cancel(of: allowance, kind: .allowanceCancel)
        allowanceCancel.originalNumber = allowance.number
        let files = try write([invoice, Fixtures.cancel(of: invoice), Fixtures.cancel(of: invoice, kind: .void),
                               Fixtures.businessInvoice(7), allowance, allowanceCancel])
        XCTAssertEqual(files.map(\.name), ["F0401_LY42140001.xml", "F0501_LY42140001.xml", "F0701_LY42140001.xml",
                                           "F0401_AB00000007.xml", "G0401_AL2024031500001.xml", "G0501_AL2024031500001.xml"])
        let catalog = SchemaCatalog()
        for file in files {
            let code = String(file.name.prefix(5))
            let problems = try catalog.schema(for: MessageType.named(code, version: .v41)!).validate(XMLDocument(bytes: file.bytes))
            XCTAssertEqual(problems, [], file.name)
            XCTAssertTrue(String(decoding: file.bytes.prefix(40), as: UTF8.self).hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"))
        }
        let g0401 = String(decoding: files[4].bytes, as: UTF8.self)
        XCTAssertTrue(g0401.contains("<Tax>50</Tax>"), g0401)
        XCTAssertTrue(g0401.contains("<TotalAmount>1000</TotalAmount>"), g0401)
    }

    func testMIG32MessagesValidateAgainstTheCorpusSchemas() throws {
        let xsd = try Fixtures.requireMIG32Schemas()
        let b2c = Fixtures.consumerInvoice(2)
        let b2b = Fixtures.businessInvoice(3)
        var allowance = Fixtures.consumerInvoice(4)
        allowance.kind = .allowance
        allowance.number = "AL001"
        allowance.originalNumber = b2c.number
        allowance.originalDate = b2c.issueDate
        allowance.totals = .init(net: allowance.totals.net, tax: .zero, total: allowance.totals.net)
        var allowanceCancel = Fixtures.cancel(of: allowance, kind: .allowanceCancel)
        allowanceCancel.originalNumber = "AL001"
        let files = try write([b2c, Fixtures.cancel(of: b2c), Fixtures.cancel(of: b2c, kind: .void), allowance, allowanceCancel,
                               b2b, Fixtures.cancel(of: b2b)], settings: ["mig": "3.2", "xsdDirectory": xsd])
        XCTAssertEqual(files.map { String($0.name.prefix(5)) }, ["C0401", "C0501", "C0701", "D0401", "D0501", "A0401", "A0501"])
        let catalog = SchemaCatalog(directories: [.v32: xsd])
        for file in files {
            let schema = try catalog.schema(for: MessageType.named(String(file.name.prefix(5)), version: .v32)!)
            XCTAssertEqual(schema.validate(try XMLDocument(bytes: file.bytes)), [], file.name)
        }
    }

    func testBig5OutputConvertsBackToTheSameText() throws {
        let xsd = try Fixtures.requireMIG32Schemas()
        let invoice = Fixtures.consumerInvoice(5, description: "珍珠奶茶（大杯）")
        let big5 = try write([invoice], settings: ["mig": "3.2", "xsdDirectory": xsd], encoding: TextEncoding("BIG5")!)[0].bytes
        let utf8 = try write([invoice], settings: ["mig": "3.2", "xsdDirectory": xsd])[0].bytes
        XCTAssertNotEqual(big5, utf8)
        let back = try TextEncoding("BIG5")!.decode(big5)
        XCTAssertTrue(back.hasPrefix("<?xml version=\"1.0\" encoding=\"Big5\"?>"))
        XCTAssertEqual(back.replacingOccurrences(of: "encoding=\"Big5\"", with: "encoding=\"UTF-8\""), String(decoding: utf8, as: UTF8.self))
        XCTAssertTrue(back.contains("珍珠奶茶（大杯）"))
    }

    func testCharacterMissingFromBig5IsRefusedNamingInvoiceAndField() throws {
        let xsd = try Fixtures.requireMIG32Schemas()
        let found = errors {
            _ = try write([Fixtures.consumerInvoice(1), Fixtures.consumerInvoice(6, description: "𠀀字奶茶")],
                          settings: ["mig": "3.2", "xsdDirectory": xsd], encoding: TextEncoding("BIG5")!)
        }
        XCTAssertEqual(found.count, 1)
        XCTAssertEqual(found.first?.field, "Details/ProductItem/Description")
        XCTAssertTrue(found.first?.message.contains("invoice LY42140006") == true, found.description)
        XCTAssertTrue(found.first?.message.contains("U+20000") == true, found.description)
    }

    func testMIG41RefusesBig5() {
        let found = errors { _ = try write([Fixtures.consumerInvoice(1)], encoding: TextEncoding("BIG5")!) }
        XCTAssertEqual(found.map(\.code), ["tw-einvoice.encoding"])
    }

    func testOneBadInvoiceRefusesTheWholeRun() {
        var bad = Fixtures.consumerInvoice(2)
        bad.totals.total = Amount(999)
        let found = errors { _ = try write([Fixtures.consumerInvoice(1), bad, Fixtures.consumerInvoice(3)]) }
        XCTAssertEqual(found.map(\.field), ["Amount/TotalAmount"])
        XCTAssertTrue(found[0].message.hasPrefix("invoice LY42140002, field Amount/TotalAmount"), found[0].message)
    }

    func testFileOverTheSizeLimitIsRefused() {
        let found = errors { _ = try write([Fixtures.consumerInvoice(1)], settings: ["maxFileBytes": "500"]) }
        XCTAssertEqual(found.map(\.code), ["tw-einvoice.file-too-large"])
    }

    func testCancelMustReferToAnIssuedInvoice() throws {
        let rules = BusinessRules(exists: { $0 == "LY42140009" })
        let invoice = Fixtures.consumerInvoice(1)
        let unknown = errors { _ = try write([Fixtures.cancel(of: invoice)], rules: rules) }
        XCTAssertEqual(unknown.map(\.code), ["tw-einvoice.unknown-reference"])
        XCTAssertEqual(unknown.first?.field, "CancelInvoiceNumber")
        // Issued earlier in the same run, or known to the caller's lookup: fine.
        XCTAssertEqual(try write([invoice, Fixtures.cancel(of: invoice)], rules: rules).count, 2)
        XCTAssertEqual(try write([Fixtures.cancel(of: Fixtures.consumerInvoice(9))], rules: rules).count, 1)
    }
}
