import TestSupport
import Foundation
import Canonical

/// A realistic trading day on the US operating account 000123456789 (2024-03-15): four sales,
/// one voided, a credit note, four outbound payments we emitted, and the evening's bank statement
/// with customer receipts, our payments, a fee, interest and one deposit nobody expected.
enum DayFixture {
    static let account = "000123456789"

    static func source(_ file: String, _ index: Int) -> RecordSource {
        RecordSource(partner: "acme", channel: "test", format: "test", file: file,
                     sha256: String(repeating: file.hasPrefix("inv") ? "a1" : (file.hasPrefix("pay") ? "b2" : "c3"), count: 32), index: index)
    }

    static let seller = Party(id: "53907001", name: "Dropgate Demo Inc")

    static func invoice(_ index: Int, _ kind: Invoice.Kind, _ number: String, date: String = "2024-03-15",
                        buyer: Party, net: String, tax: String, original: String? = nil) -> Record {
        let total = Amount(net)! + Amount(tax)!
        let body = Invoice(kind: kind, number: number, issueDate: date, currency: "USD", seller: seller, buyer: buyer,
                           lines: [.init(sequence: 1, description: "Widgets", quantity: Amount("1")!, unitPrice: Amount(net)!, amount: Amount(net)!)],
                           totals: .init(net: Amount(net)!, tax: Amount(tax)!, total: total), originalNumber: original, taxType: "1")
        return Record(source: source("invoices.jsonl", index), body: .invoice(body))
    }

    static let contoso = Party(id: "84149961", name: "Contoso Ltd")
    static let fabrikam = Party(id: "12345678", name: "Fabrikam Inc")
    static let northwind = Party(id: "22223333", name: "Northwind Traders")
    static let globex = Party(id: "44445555", name: "Globex Corporation")
    static let initech = Party(id: "66667777", name: "Initech GmbH")

    /// Yesterday's invoice, still open: paid today without a reference.
    static let openFromYesterday = invoice(0, .invoice, "INV-0999", date: "2024-03-14", buyer: initech, net: "500.00", tax: "25.00")

    static let invoices: [Record] = [
        invoice(1, .invoice, "INV-1001", buyer: contoso, net: "1000.00", tax: "50.00"),
        invoice(2, .invoice, "INV-1002", buyer: fabrikam, net: "200.00", tax: "10.00"),
        invoice(3, .invoice, "INV-1003", buyer: northwind, net: "300.00", tax: "15.00"),
        invoice(4, .invoice, "INV-1004", buyer: globex, net: "400.00", tax: "20.00"),
        invoice(5, .void, "VOID-1003", buyer: northwind, net: "300.00", tax: "15.00", original: "INV-1003"),
        invoice(6, .creditNote, "CN-2001", buyer: fabrikam, net: "20.00", tax: "1.00", original: "INV-1002"),
    ]

    static func payment(_ index: Int, _ amount: String, to creditor: String, date: String = "2024-03-15",
                        endToEndId: String? = nil, trace: String? = nil) -> Record {
        let ach = trace.map { Payment.ACH(secCode: "CCD", transactionCode: "22", traceNumber: $0, companyId: "1234567890", companyEntryDescription: "PAYABLES") }
        let body = Payment(direction: .outbound, method: ach == nil ? "wire" : "ach", amount: Amount(amount)!, currency: "USD",
                           executionDate: date, debtor: .init(name: "Dropgate Demo Inc", account: account),
                           creditor: .init(name: creditor, account: "99887766"), endToEndId: endToEndId, ach: ach)
        return Record(source: source("payments.jsonl", index), body: .payment(body))
    }

    static let payments: [Record] = [
        payment(0, "1500.00", to: "ACME Supplies", endToEndId: "E2E-7781"),
        payment(1, "800.00", to: "Widget Co", trace: "091000010000001"),
        payment(2, "250.00", to: "Cleaning Co", date: "2024-03-13"),
        payment(3, "99.00", to: "Paper Co"),
    ]

    static func line(_ amount: String, code: String, name: String? = nil, remittance: String? = nil, details: String? = nil,
                     date: String = "2024-03-15") -> Statement.Line {
        Statement.Line(valueDate: date, amount: Amount(amount)!, transactionCode: code,
                       counterparty: name.map { .init(name: $0) }, remittance: remittance, details: details)
    }

    static let statementLines: [Statement.Line] = [
        line("1050.00", code: "NTRF", name: "CONTOSO LTD", remittance: "INV-1001"),          // 1 matched by number
        line("400.00", code: "NTRF", name: "Globex Corp", remittance: "Payment for INV-1004"), // 2 short by 20.00
        line("525.00", code: "NTRF", name: "INITECH GMBH", remittance: "March"),              // 3 amount + customer
        line("-1500.00", code: "NTRF", details: "EREF+E2E-7781 ACME SUPPLIES"),               // 4 end-to-end id
        line("-800.00", code: "NTRF", details: "ACH CCD TRACE 091000010000001"),              // 5 trace number
        line("-12.50", code: "NCHG", details: "ACCOUNT FEE MARCH"),                           // 6 fee
        line("3.20", code: "NINT", details: "CREDIT INTEREST"),                               // 7 interest
        line("77.00", code: "NTRF", name: "Unknown Person", remittance: "MISC DEPOSIT"),      // 8 nobody expected it
        line("-250.00", code: "NTRF", name: "Cleaning Co"),                                   // 9 amount + date (2 days)
    ]

    static var statement: Record {
        let opening = Amount("10000.00")!
        let closing = opening + statementLines.map(\.amount).sum()
        let body = Statement(account: .init(id: account, name: "Dropgate Demo Inc"), currency: "USD", statementNumber: "74/1",
                             reference: "STMT20240315", openingBalance: .init(date: "2024-03-14", amount: opening),
                             closingBalance: .init(date: "2024-03-15", amount: closing), lines: statementLines)
        return Record(source: source("statement.sta", 0), body: .statement(body))
    }

    /// Everything the day brings to the ledger, in arrival order.
    static var day: [Record] { invoices + payments + [statement] }

    /// What we expect to see paid: yesterday's open invoice, today's documents and payments.
    static var expected: [Record] { [openFromYesterday] + invoices + payments }

    static let packageRoot = ProjectPaths.packageRoot

    static var rulesDirectory: String { packageRoot + "/mappings/gl" }

    static func temporaryDirectory(_ name: String) -> String {
        let path = NSTemporaryDirectory() + "dropgate-gl-\(name)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

extension Record {
    var journal: JournalEntry? { if case .journalEntry(let j) = body { return j }; return nil }
}
