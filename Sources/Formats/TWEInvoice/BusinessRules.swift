import Foundation
import Canonical
import FormatKit

/// The platform's rules beyond the XSD, checked on a canonical invoice before it is written as
/// `message`. Every finding names the invoice (or allowance) number and the MIG field.
public struct BusinessRules: Sendable {
    /// Whether a referenced invoice or allowance exists (for void, cancel and allowance messages);
    /// nil skips the check. Numbers written earlier in the same run count as existing.
    public var exists: (@Sendable (String) -> Bool)?
    public var businessIDRule: BusinessID.ChecksumRule

    public init(businessIDRule: BusinessID.ChecksumRule = .mod5, exists: (@Sendable (String) -> Bool)? = nil) {
        self.businessIDRule = businessIDRule
        self.exists = exists
    }

    /// All findings for one invoice; `earlier` holds the numbers of documents written before it in this run.
    public func check(_ invoice: Invoice, as message: MessageType, earlier: Set<String> = []) -> [FormatError] {
        var report = RuleReport(invoice: invoice, message: message)
        checkParties(invoice, &report)
        if invoice.currency != "TWD" {
            report.fail("Amount/Currency", "currency-not-twd", "amounts must be in New Taiwan dollars (TWD), not \(invoice.currency)")
        }
        switch message.family {
        case .invoice:
            InvoiceRules(businessIDRule: businessIDRule).check(invoice, message: message, &report)
        case .allowance:
            checkAllowance(invoice, &report)
            checkReference(invoice.originalNumber, field: "Details/ProductItem/OriginalInvoiceNumber", earlier: earlier, &report)
        case .cancelInvoice, .voidInvoice, .cancelAllowance:
            checkCancellation(invoice, message: message, &report)
            let field = message.family == .voidInvoice ? "VoidInvoiceNumber" : (message.family == .cancelAllowance ? "CancelAllowanceNumber" : "CancelInvoiceNumber")
            checkReference(invoice.originalNumber ?? invoice.number, field: field, earlier: earlier, &report)
        }
        return report.errors
    }

    private func checkParties(_ invoice: Invoice, _ report: inout RuleReport) {
        let seller = invoice.seller.id ?? ""
        if !BusinessID.isValid(seller, rule: businessIDRule) {
            report.fail(report.partyField("Seller"), "business-id", "seller business ID \"\(seller)\" is not 8 digits passing the \(businessIDRule.rawValue) check")
        }
        let buyer = invoice.buyer.id ?? ""
        if buyer != BusinessID.consumer && !BusinessID.isValid(buyer, rule: businessIDRule) {
            report.fail(report.partyField("Buyer"), "business-id", "buyer business ID \"\(buyer)\" is neither \(BusinessID.consumer) (consumer) nor 8 digits passing the \(businessIDRule.rawValue) check")
        }
    }

    private func checkAllowance(_ invoice: Invoice, _ report: inout RuleReport) {
        if invoice.number.isEmpty || invoice.number.count > 16 {
            report.fail("Main/AllowanceNumber", "allowance-number", "allowance number must be 1 to 16 characters")
        }
        report.checkDate(invoice.issueDate, field: "Main/AllowanceDate")
        if !InvoiceNumber.isValid(invoice.originalNumber ?? "") {
            report.fail("Details/ProductItem/OriginalInvoiceNumber", "invoice-number", "original invoice number \"\(invoice.originalNumber ?? "")\" is not 2 capital letters and 8 digits")
        }
        report.checkDate(invoice.originalDate, field: "Details/ProductItem/OriginalInvoiceDate")
        if invoice.lines.isEmpty { report.fail("Details/ProductItem", "no-lines", "an allowance needs at least one line") }
        report.checkInteger(invoice.totals.tax, field: "Amount/TaxAmount")
        report.checkInteger(invoice.totals.net, field: "Amount/TotalAmount")
        report.checkTotals(invoice)
    }

    private func checkCancellation(_ invoice: Invoice, message: MessageType, _ report: inout RuleReport) {
        let target = invoice.originalNumber ?? invoice.number
        if message.family != .cancelAllowance && !InvoiceNumber.isValid(target) {
            report.fail(message.family == .voidInvoice ? "VoidInvoiceNumber" : "CancelInvoiceNumber", "invoice-number",
                        "invoice number \"\(target)\" is not 2 capital letters and 8 digits")
        }
        let action = message.family == .voidInvoice ? "Void" : "Cancel"
        report.checkDate(invoice.originalDate, field: message.family == .cancelAllowance ? "AllowanceDate" : "InvoiceDate")
        report.checkDate(invoice.issueDate, field: action + "Date")
        report.checkTime(invoice.issueTime, field: action + "Time")
        let reason = (invoice.reason ?? "").trimmingCharacters(in: .whitespaces)
        if reason.isEmpty || reason.count > 20 {
            report.fail(action + "Reason", "reason", "a reason of 1 to 20 characters is required")
        }
    }

    private func checkReference(_ number: String?, field: String, earlier: Set<String>, _ report: inout RuleReport) {
        guard let exists, let number, !number.isEmpty else { return }
        if !earlier.contains(number) && !exists(number) {
            report.fail(field, "unknown-reference", "refers to \(number), which was never issued")
        }
    }
}

/// The invoice number (發票號碼): a two-letter track (字軌) and eight digits.
public enum InvoiceNumber {
    public static func isValid(_ s: String) -> Bool {
        let u = Array(s.unicodeScalars)
        return u.count == 10 && u[0..<2].allSatisfy { $0.value >= 65 && $0.value <= 90 } && u[2...].allSatisfy { $0.value >= 48 && $0.value <= 57 }
    }
}

/// Collects findings for one invoice, each prefixed with the document number.
struct RuleReport {
    let invoice: Invoice
    let message: MessageType
    var errors: [FormatError] = []

    mutating func fail(_ field: String, _ code: String, _ text: String) {
        let what = message.family == .allowance || message.family == .cancelAllowance ? "allowance" : "invoice"
        errors.append(FormatError("tw-einvoice." + code, "\(what) \(invoice.number), field \(field): \(text)",
                                  segment: message.code, field: field))
    }

    func partyField(_ role: String) -> String {
        switch message.family {
        case .invoice, .allowance: "Main/\(role)/Identifier"
        default: role + "Id"
        }
    }

    mutating func checkDate(_ value: String?, field: String) {
        guard let value, DateRules.isDate(value) else {
            return fail(field, "date", "\"\(value ?? "")\" is not a calendar date YYYY-MM-DD")
        }
    }

    mutating func checkTime(_ value: String?, field: String) {
        guard let value, DateRules.isTime(value) else {
            return fail(field, "time", "\"\(value ?? "")\" is not a time HH:MM:SS")
        }
    }

    mutating func checkInteger(_ amount: Amount, field: String) {
        if amount.rescaled(to: 0) == nil { fail(field, "integer-amount", "\(amount) must be whole New Taiwan dollars") }
        if amount.isNegative { fail(field, "negative-amount", "\(amount) must not be negative") }
    }

    /// net + tax = total (for an invoice: SalesAmount + FreeTaxSalesAmount + ZeroTaxSalesAmount + TaxAmount = TotalAmount).
    mutating func checkTotals(_ invoice: Invoice) {
        let t = invoice.totals
        if t.net + t.tax != t.total {
            fail("Amount/TotalAmount", "total", "sales \(t.net) + tax \(t.tax) = \(t.net + t.tax), but the total is \(t.total)")
        }
        let lines = invoice.lines.map(\.amount).sum()
        if !invoice.lines.isEmpty && lines != t.net {
            fail("Details/ProductItem/Amount", "line-sum", "the line amounts add up to \(lines), but the sales amount is \(t.net)")
        }
    }
}

/// Calendar dates `YYYY-MM-DD` and times `HH:MM:SS`, checked for real values (no 2 February 30).
enum DateRules {
    static func isDate(_ s: String) -> Bool {
        let p = s.split(separator: "-", omittingEmptySubsequences: false)
        guard p.count == 3, p[0].count == 4, p[1].count == 2, p[2].count == 2,
              let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]), (1...12).contains(m), d >= 1 else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return d <= days
    }

    static func isTime(_ s: String) -> Bool {
        let p = s.split(separator: ":", omittingEmptySubsequences: false)
        guard p.count == 3, p.allSatisfy({ $0.count == 2 }), let h = Int(p[0]), let m = Int(p[1]), let sec = Int(p[2]) else { return false }
        return (0...23).contains(h) && (0...59).contains(m) && (0...59).contains(sec)
    }
}
