import TestSupport
import XCTest
import Foundation
import Canonical
import FormatKit

/// Shared test inputs: the corpus location and generated canonical invoices.
enum Fixtures {
    static var corpus: String? { ProjectPaths.corpus() }
    static var packageRoot: String { ProjectPaths.packageRoot }

    static var mig32Schemas: String? { corpus.map { $0 + "/xsd/tw-einvoice/mig-v3.2" } }

    /// The platform's MIG 3.2 XSDs from the shared corpus, or a skip naming the folder.
    static func requireMIG32Schemas() throws -> String {
        guard let mig32Schemas else { throw XCTSkip(ProjectPaths.corpusSkipReason("xsd/tw-einvoice/mig-v3.2")) }
        return mig32Schemas
    }

    static let seller = Party(id: "24634102", name: "何六百有限公司")
    static let businessBuyer = Party(id: "54834795", name: "台灣智慧家庭股份有限公司")
    static let consumer = Party(id: "0000000000")

    /// A valid B2C invoice paid in cash and printed: one taxable line, price including tax.
    static func consumerInvoice(_ n: Int, description: String = "鮮奶茶", date: String = "2024-03-15") -> Invoice {
        let amount = Amount(50 + n % 100)
        return Invoice(kind: .invoice, number: String(format: "LY%08d", 42_140_000 + n), issueDate: date, issueTime: "10:15:00",
                       currency: "TWD", seller: seller, buyer: consumer,
                       lines: [.init(sequence: 1, description: description, quantity: Amount(1), unit: "杯", unitPrice: amount, amount: amount)],
                       totals: .init(net: amount, tax: .zero, total: amount), taxRate: Amount("0.05"), taxType: "1",
                       einvoice: .init(invoiceType: "07", randomNumber: String(format: "%04d", n % 10_000), printMark: "Y", donateMark: "0"))
    }

    /// A valid B2B invoice: 1000 + 5% tax.
    static func businessInvoice(_ n: Int) -> Invoice {
        Invoice(kind: .invoice, number: String(format: "AB%08d", n), issueDate: "2024-03-15", issueTime: "09:00:00", currency: "TWD",
                seller: seller, buyer: businessBuyer,
                lines: [.init(sequence: 1, description: "伺服器維護", quantity: Amount(2), unit: "次", unitPrice: Amount(500), amount: Amount(1000))],
                totals: .init(net: Amount(1000), tax: Amount(50), total: Amount(1050)), taxRate: Amount("0.05"), taxType: "1",
                einvoice: .init(invoiceType: "07", randomNumber: "1234", printMark: "Y", donateMark: "0"))
    }

    static func cancel(of invoice: Invoice, kind: Invoice.Kind = .cancel) -> Invoice {
        Invoice(kind: kind, number: invoice.number, issueDate: "2024-03-16", issueTime: "11:00:00", currency: "TWD",
                seller: invoice.seller, buyer: invoice.buyer, lines: [], totals: .init(net: .zero, tax: .zero, total: .zero),
                originalNumber: invoice.number, originalDate: invoice.issueDate, reason: "買受人要求作廢")
    }

    static func record(_ invoice: Invoice, _ index: Int = 0) -> Record {
        Record(id: "test-\(index)", source: nil, body: .invoice(invoice))
    }
}
