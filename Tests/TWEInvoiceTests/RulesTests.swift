import XCTest
import Canonical
import FormatKit
@testable import TWEInvoice

final class RulesTests: XCTestCase {
    private let f0401 = MessageType.named("F0401")!

    private func fields(_ invoice: Invoice) -> [String] {
        BusinessRules().check(invoice, as: f0401).compactMap(\.field)
    }

    func testBusinessIDChecksum() {
        XCTAssertTrue(BusinessID.isValid("24634102", rule: .mod10))      // digit sum 30
        XCTAssertTrue(BusinessID.isValid("10000078", rule: .mod10))      // 7th digit 7: 19 + 1
        XCTAssertFalse(BusinessID.isValid("10000071", rule: .mod5))
        XCTAssertFalse(BusinessID.isValid("00015555", rule: .mod10))     // sum 15: only the 2023 mod-5 rule
        XCTAssertTrue(BusinessID.isValid("00015555", rule: .mod5))
        XCTAssertFalse(BusinessID.isValid("2463410", rule: .mod5))
        XCTAssertFalse(BusinessID.isValid("2463410A", rule: .mod5))
    }

    func testValidInvoicesPass() {
        XCTAssertEqual(fields(Fixtures.consumerInvoice(1)), [])
        XCTAssertEqual(fields(Fixtures.businessInvoice(1)), [])
    }

    func testNumberRandomNumberDateAndTime() {
        var i = Fixtures.consumerInvoice(1)
        i.number = "ly42140001"
        i.einvoice?.randomNumber = "12A4"
        i.issueDate = "2024-02-30"
        i.issueTime = "25:00:00"
        XCTAssertEqual(fields(i), ["Main/InvoiceNumber", "Main/InvoiceDate", "Main/InvoiceTime", "Main/RandomNumber"])
    }

    func testDonationAndCarrierConsistency() {
        var donated = Fixtures.consumerInvoice(1)
        donated.einvoice?.donateMark = "1"
        XCTAssertEqual(fields(donated), ["Main/NPOBAN", "Main/PrintMark"])
        donated.einvoice?.npoban = "25885"
        donated.einvoice?.printMark = "N"
        XCTAssertEqual(fields(donated), [])

        var carrier = Fixtures.consumerInvoice(2)
        carrier.einvoice?.carrierType = "3J0002"
        XCTAssertEqual(fields(carrier), ["Main/CarrierId1", "Main/PrintMark"])
        carrier.einvoice?.carrierId = "/ABC+123"
        carrier.einvoice?.printMark = "N"
        XCTAssertEqual(fields(carrier), [])

        var unclaimable = Fixtures.consumerInvoice(3)
        unclaimable.einvoice?.printMark = "N"
        XCTAssertEqual(fields(unclaimable), ["Main/PrintMark"])
    }

    func testTaxTypeRateAndAmounts() {
        var zero = Fixtures.businessInvoice(1)
        zero.taxType = "2"
        XCTAssertEqual(fields(zero), ["Amount/TaxRate", "Amount/TaxAmount"])
        zero.taxRate = .zero
        zero.totals = .init(net: Amount(1000), tax: .zero, total: Amount(1000))
        XCTAssertEqual(fields(zero), [])

        var wrongTax = Fixtures.businessInvoice(2)
        wrongTax.totals = .init(net: Amount(1000), tax: Amount(80), total: Amount(1080))
        XCTAssertEqual(fields(wrongTax), ["Amount/TaxAmount"])

        var cents = Fixtures.businessInvoice(3)
        cents.lines[0].amount = Amount("1000.50")!
        cents.totals = .init(net: Amount("1000.50")!, tax: Amount(50), total: Amount("1050.50")!)
        XCTAssertEqual(fields(cents), ["Amount/SalesAmount", "Amount/TotalAmount"])

        var badBuyer = Fixtures.businessInvoice(4)
        badBuyer.buyer.id = "12345678"
        let found = BusinessRules().check(badBuyer, as: f0401)
        XCTAssertEqual(found.map(\.field), ["Main/Buyer/Identifier"])
        XCTAssertTrue(found[0].message.hasPrefix("invoice AB00000004, field Main/Buyer/Identifier"))
    }

    func testMixedInvoiceSplitsSalesByLineTaxType() {
        var mixed = Fixtures.businessInvoice(5)
        mixed.taxType = "9"
        mixed.lines = [.init(sequence: 1, description: "應稅", quantity: Amount(1), unitPrice: Amount(1000), amount: Amount(1000), taxType: "1"),
                       .init(sequence: 2, description: "免稅", quantity: Amount(1), unitPrice: Amount(200), amount: Amount(200), taxType: "3")]
        mixed.totals = .init(net: Amount(1200), tax: Amount(50), total: Amount(1250))
        XCTAssertEqual(fields(mixed), [])
        XCTAssertEqual(SalesSplit(mixed), SalesSplit(sales: Amount(1000), freeTax: Amount(200), zeroTax: .zero))
    }
}

extension SalesSplit {
    init(sales: Amount, freeTax: Amount, zeroTax: Amount) {
        self.init(Fixtures.consumerInvoice(0))
        self.sales = sales; self.freeTax = freeTax; self.zeroTax = zeroTax
    }
}
