import Canonical

/// Rules for an invoice message (F0401, C0401, A0401): number, date and time, the platform marks
/// (random number, print, donation, carrier), tax type and rate, and the amounts.
struct InvoiceRules {
    let businessIDRule: BusinessID.ChecksumRule

    func check(_ invoice: Invoice, message: MessageType, _ report: inout RuleReport) {
        if !InvoiceNumber.isValid(invoice.number) {
            report.fail("Main/InvoiceNumber", "invoice-number", "\"\(invoice.number)\" is not 2 capital letters and 8 digits")
        }
        report.checkDate(invoice.issueDate, field: "Main/InvoiceDate")
        report.checkTime(invoice.issueTime, field: "Main/InvoiceTime")
        let consumer = invoice.buyer.id == BusinessID.consumer
        if message.carriesConsumerFields {
            checkMarks(invoice, consumer: consumer, &report)
        } else if consumer {
            report.fail("Main/Buyer/Identifier", "b2b-message", "\(message.code) is for a business buyer; a consumer invoice goes as C0401")
        }
        if invoice.lines.isEmpty { report.fail("Details/ProductItem", "no-lines", "an invoice needs at least one line") }
        checkTax(invoice, consumer: consumer, &report)
        for (field, amount) in amountFields(invoice, message) { report.checkInteger(amount, field: field) }
        report.checkTotals(invoice)
    }

    /// Random number, print and donation marks and the carrier, consistent with each other.
    private func checkMarks(_ invoice: Invoice, consumer: Bool, _ report: inout RuleReport) {
        guard let e = invoice.einvoice else {
            return report.fail("Main/RandomNumber", "einvoice-missing", "the invoice has no einvoice block (invoice type, random number, print and donate marks)")
        }
        if !["07", "08"].contains(e.invoiceType) {
            report.fail("Main/InvoiceType", "invoice-type", "\"\(e.invoiceType)\" is not 07 (general) or 08 (special tax)")
        }
        let random = Array(e.randomNumber.unicodeScalars)
        if random.count != 4 || !random.allSatisfy({ $0.value >= 48 && $0.value <= 57 }) {
            report.fail("Main/RandomNumber", "random-number", "\"\(e.randomNumber)\" is not 4 digits")
        }
        if !["Y", "N"].contains(e.printMark) { report.fail("Main/PrintMark", "print-mark", "\"\(e.printMark)\" is not Y or N") }
        if !["0", "1"].contains(e.donateMark) { report.fail("Main/DonateMark", "donate-mark", "\"\(e.donateMark)\" is not 0 or 1") }
        let hasCarrier = !(e.carrierType ?? "").isEmpty
        if hasCarrier != !(e.carrierId ?? "").isEmpty {
            report.fail("Main/CarrierId1", "carrier", "carrier type and carrier id come together")
        }
        if e.donateMark == "1" {
            let npoban = e.npoban ?? ""
            if npoban.count < 3 || npoban.count > 7 || !npoban.allSatisfy(\.isASCIIDigit) {
                report.fail("Main/NPOBAN", "npoban", "a donated invoice needs the 3 to 7 digit donation code of the receiving organisation")
            }
            if e.printMark != "N" { report.fail("Main/PrintMark", "donated-printed", "a donated invoice is not printed (PrintMark N)") }
            if !consumer { report.fail("Main/DonateMark", "donated-b2b", "only a consumer invoice can be donated") }
        } else if !(e.npoban ?? "").isEmpty {
            report.fail("Main/NPOBAN", "npoban", "a donation code needs DonateMark 1")
        }
        if hasCarrier && e.printMark == "Y" {
            report.fail("Main/PrintMark", "carrier-printed", "an invoice kept on a carrier is not printed (PrintMark N)")
        }
        if consumer && e.printMark == "N" && !hasCarrier && e.donateMark != "1" {
            report.fail("Main/PrintMark", "unclaimable", "a consumer invoice must be printed, kept on a carrier or donated")
        }
    }

    private func checkTax(_ invoice: Invoice, consumer: Bool, _ report: inout RuleReport) {
        guard let type = TaxType(rawValue: invoice.taxType ?? "1") else {
            return report.fail("Amount/TaxType", "tax-type", "\"\(invoice.taxType ?? "")\" is not 1, 2, 3, 4 or 9")
        }
        let rate = invoice.taxRate ?? type.defaultRate
        if !type.allowedRates.contains(rate) {
            report.fail("Amount/TaxRate", "tax-rate", "rate \(rate) does not go with tax type \(type.rawValue) (allowed: \(type.allowedRates.map(\.description).joined(separator: ", ")))")
        }
        if (invoice.einvoice?.invoiceType == "08") != (type == .special) {
            report.fail("Amount/TaxType", "tax-type", "special tax type 4 and invoice type 08 come together")
        }
        if [.zeroRated, .exempt].contains(type) && !invoice.totals.tax.isZero {
            report.fail("Amount/TaxAmount", "tax-amount", "a zero-rated or exempt invoice carries no tax, not \(invoice.totals.tax)")
        }
        if type == .mixed {
            for line in invoice.lines where !["1", "2", "3"].contains(line.taxType ?? "") {
                report.fail("Details/ProductItem/TaxType", "tax-type", "line \(line.sequence) of a mixed invoice needs tax type 1, 2 or 3")
            }
        }
        // A business buyer's tax is computed on the taxable sales (a consumer's price includes it).
        if !consumer && [.taxable, .special, .mixed].contains(type) {
            let expected = (SalesSplit(invoice).sales * rate).rounded(to: 0)
            if (invoice.totals.tax - expected).magnitude > Amount(1) {
                report.fail("Amount/TaxAmount", "tax-amount", "tax \(invoice.totals.tax) is not taxable sales × \(rate) = \(expected) (±1)")
            }
        }
    }

    private func amountFields(_ invoice: Invoice, _ message: MessageType) -> [(String, Amount)] {
        let split = SalesSplit(invoice)
        var fields = [("Amount/SalesAmount", message.splitsSalesByTaxType ? split.sales : invoice.totals.net)]
        if message.splitsSalesByTaxType {
            fields += [("Amount/FreeTaxSalesAmount", split.freeTax), ("Amount/ZeroTaxSalesAmount", split.zeroTax)]
        }
        return fields + [("Amount/TaxAmount", invoice.totals.tax), ("Amount/TotalAmount", invoice.totals.total)]
    }
}
