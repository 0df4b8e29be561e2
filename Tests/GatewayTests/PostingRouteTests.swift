import Foundation
import XCTest
import Canonical
import FormatKit
import Gateway
import GLFormats

/// Invoices arriving at the gateway become journal files for the accountant through a route with
/// `post: true`; a void in a later file reverses the entry of an invoice from an earlier one.
final class PostingRouteTests: XCTestCase {
    func testInvoicesArePostedThroughARouteAndAVoidReversesAnEarlierFile() throws {
        let home = try GatewayHome(partnersAndRoutes: """
            pickup: { minAge: 0ms, pollInterval: 50ms }
            partners:
              northwind:
                channels:
                  - { name: invoices, mapping: csv/invoice, encoding: windows-1252 }
              accounting:
                channels: []
            routes:
              - name: invoices to the general ledger
                from: { partner: northwind, channel: invoices, type: invoice }
                emit: { format: gl-csv, partner: accounting, channel: journals, post: true }
            """)
        defer { home.remove() }
        let sample = try Data(contentsOf: URL(fileURLWithPath: packageRoot + "/samples/northwind/invoices/invoices-2026-11.csv"))
        try home.drop("invoices.csv", Array(sample), into: "northwind/invoices")
        try home.runOnce()
        let first = try journalLines(home)
        XCTAssertEqual(first.count, 6, "an invoice (AR, revenue, tax) and a credit note (revenue, tax, AR)")
        XCTAssertEqual(first.map(\.debit).sum(), first.map(\.credit).sum())
        XCTAssertEqual(first.filter { $0.account == "1100" }.map(\.debit).sum(), Amount("1250"))

        let void = "Invoice,Kind,Date,Due,Currency,Seller VAT,Seller,Buyer VAT,Buyer,PO,Original,Tax rate,Net,Tax,Total,Line,Description,Quantity,Unit,Unit price,Line amount\n"
            + "VOID-1,Void,2026-11-22,,EUR,NL001234567B01,Acme Trading B.V.,DE123456789,Northwind Traders,,INV-2026-0042,0.21,1033.06,216.94,1250.00,1,Void of INV-2026-0042,1,EA,1033.06,1033.06\n"
        try home.drop("void.csv", Array(void.utf8), into: "northwind/invoices")
        try home.runOnce()
        let reversal = try journalLines(home).dropFirst(first.count)
        XCTAssertEqual(reversal.count, 3)
        let original = first.prefix(3)
        XCTAssertEqual(reversal.map(\.account).sorted(), original.map(\.account).sorted())
        for line in reversal {
            let twin = try XCTUnwrap(original.first { $0.account == line.account })
            XCTAssertEqual(line.debit, twin.credit, "the void swaps debit and credit of account \(line.account)")
            XCTAssertEqual(line.credit, twin.debit)
        }
    }

    /// Every journal line in the accountant's outbox, read back with the gl-csv reader, in file order.
    func journalLines(_ home: GatewayHome) throws -> [(account: String, debit: Amount, credit: Amount)] {
        var out = [(account: String, debit: Amount, credit: Amount)]()
        for name in home.files(under: "outbox/accounting/journals") where name.hasSuffix(".csv") && !name.contains("control") {
            let reader = try XCTUnwrap(GLCSVFormat.reader(options: FormatOptions()))
            try reader.read(ByteReader(path: home.root + "/outbox/accounting/journals/" + name)) { entry in
                for line in entry.children(named: "line") {
                    out.append((line["account"] ?? "", Amount(line["debit"] ?? "0") ?? .zero, Amount(line["credit"] ?? "0") ?? .zero))
                }
            }
        }
        return out
    }
}
