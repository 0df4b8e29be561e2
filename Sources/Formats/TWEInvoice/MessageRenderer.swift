import Canonical

/// Turns one canonical invoice record into the XML text of one platform message, element by
/// element in the order the message's schema prescribes. It checks nothing: `BusinessRules`
/// and the XSD do that on what it produced.
struct MessageRenderer {
    let message: MessageType
    /// The name written in the XML declaration (`UTF-8`, `Big5`).
    let encodingName: String

    func render(_ invoice: Invoice, extra: JSONObject?) -> XMLText {
        var xml = XMLText(root: message.rootElement, namespace: message.namespace, encodingName: encodingName)
        switch message.family {
        case .invoice: renderInvoice(invoice, into: &xml)
        case .allowance: renderAllowance(invoice, allowanceType: extra?["allowanceType"]?.stringValue ?? "2", into: &xml)
        case .cancelInvoice: renderCancellation(invoice, number: "CancelInvoiceNumber", date: "InvoiceDate", action: "Cancel", into: &xml)
        case .voidInvoice: renderCancellation(invoice, number: "VoidInvoiceNumber", date: "InvoiceDate", action: "Void", into: &xml)
        case .cancelAllowance: renderCancellation(invoice, number: "CancelAllowanceNumber", date: "AllowanceDate", action: "Cancel", into: &xml)
        }
        return xml
    }

    // MARK: invoice (F0401, C0401, A0401)

    private func renderInvoice(_ invoice: Invoice, into xml: inout XMLText) {
        let e = invoice.einvoice
        let taxType = invoice.taxType ?? TaxType.taxable.rawValue
        xml.open("Main")
        xml.leaf("InvoiceNumber", invoice.number)
        xml.leaf("InvoiceDate", MIGValue.date(invoice.issueDate))
        xml.leaf("InvoiceTime", invoice.issueTime ?? "")
        party("Seller", invoice.seller, into: &xml)
        party("Buyer", invoice.buyer, into: &xml)
        xml.leaf("InvoiceType", e?.invoiceType ?? "07")
        xml.leaf("DonateMark", e?.donateMark ?? "0")
        if message.carriesConsumerFields {
            xml.optionalLeaf("CarrierType", e?.carrierType)
            xml.optionalLeaf("CarrierId1", e?.carrierId)
            xml.optionalLeaf("CarrierId2", e?.carrierId)
            xml.leaf("PrintMark", e?.printMark ?? "")
            xml.optionalLeaf("NPOBAN", e?.npoban)
            xml.leaf("RandomNumber", e?.randomNumber ?? "")
        }
        xml.close()
        xml.open("Details")
        for line in invoice.lines {
            xml.open("ProductItem")
            xml.leaf("Description", line.description)
            xml.leaf("Quantity", MIGValue.decimal(line.quantity))
            xml.optionalLeaf("Unit", line.unit)
            xml.leaf("UnitPrice", MIGValue.decimal(line.unitPrice))
            if message.linesCarryTaxType { xml.leaf("TaxType", line.taxType ?? (taxType == "9" ? "1" : taxType)) }
            xml.leaf("Amount", MIGValue.decimal(line.amount))
            xml.leaf("SequenceNumber", sequenceNumber(line.sequence))
            xml.close()
        }
        xml.close()
        xml.open("Amount")
        if message.splitsSalesByTaxType {
            let split = SalesSplit(invoice)
            xml.leaf("SalesAmount", MIGValue.decimal(split.sales))
            xml.leaf("FreeTaxSalesAmount", MIGValue.decimal(split.freeTax))
            xml.leaf("ZeroTaxSalesAmount", MIGValue.decimal(split.zeroTax))
        } else {
            xml.leaf("SalesAmount", MIGValue.decimal(invoice.totals.net))
        }
        xml.leaf("TaxType", taxType)
        xml.leaf("TaxRate", MIGValue.decimal(invoice.taxRate ?? (TaxType(rawValue: taxType)?.defaultRate ?? .zero)))
        xml.leaf("TaxAmount", MIGValue.decimal(invoice.totals.tax))
        xml.leaf("TotalAmount", MIGValue.decimal(invoice.totals.total))
        xml.close()
    }

    // MARK: allowance (G0401, D0401, B0401)

    /// An allowance's amount block holds the tax and the allowance amount before tax
    /// (`TotalAmount` = net); each line carries its own tax, allocated so the lines add up to the tax total.
    private func renderAllowance(_ invoice: Invoice, allowanceType: String, into xml: inout XMLText) {
        xml.open("Main")
        xml.leaf("AllowanceNumber", invoice.number)
        xml.leaf("AllowanceDate", MIGValue.date(invoice.issueDate))
        party("Seller", invoice.seller, into: &xml)
        party("Buyer", invoice.buyer, into: &xml)
        xml.leaf("AllowanceType", allowanceType)
        xml.close()
        xml.open("Details")
        let lineTaxes = AllowanceTax.allocate(invoice)
        for (line, tax) in zip(invoice.lines, lineTaxes) {
            xml.open("ProductItem")
            xml.leaf("OriginalInvoiceDate", MIGValue.date(invoice.originalDate))
            xml.leaf("OriginalInvoiceNumber", invoice.originalNumber ?? "")
            xml.leaf("OriginalDescription", line.description)
            xml.leaf("Quantity", MIGValue.decimal(line.quantity))
            xml.optionalLeaf("Unit", line.unit)
            xml.leaf("UnitPrice", MIGValue.decimal(line.unitPrice))
            xml.leaf("Amount", MIGValue.decimal(line.amount))
            xml.leaf("Tax", MIGValue.decimal(tax))
            xml.leaf("AllowanceSequenceNumber", sequenceNumber(line.sequence))
            xml.leaf("TaxType", line.taxType ?? invoice.taxType ?? TaxType.taxable.rawValue)
            xml.close()
        }
        xml.close()
        xml.open("Amount")
        xml.leaf("TaxAmount", MIGValue.decimal(invoice.totals.tax))
        xml.leaf("TotalAmount", MIGValue.decimal(invoice.totals.net))
        xml.close()
    }

    // MARK: cancel and void (F0501 F0701 G0501, C0501 C0701 D0501, A0501 B0501)

    /// Flat messages naming the cancelled document, its date, both parties, when and why.
    private func renderCancellation(_ invoice: Invoice, number: String, date: String, action: String, into xml: inout XMLText) {
        xml.leaf(number, invoice.originalNumber ?? invoice.number)
        xml.leaf(date, MIGValue.date(invoice.originalDate))
        xml.leaf("BuyerId", invoice.buyer.id ?? "")
        xml.leaf("SellerId", invoice.seller.id ?? "")
        xml.leaf(action + "Date", MIGValue.date(invoice.issueDate))
        xml.leaf(action + "Time", invoice.issueTime ?? "")
        xml.leaf(action + "Reason", invoice.reason ?? "")
    }

    private func party(_ role: String, _ party: Party, into xml: inout XMLText) {
        xml.open(role)
        xml.leaf("Identifier", party.id ?? "")
        // A consumer buyer has no name; the platform convention is to repeat 0000000000.
        xml.leaf("Name", party.name ?? (party.id == BusinessID.consumer ? BusinessID.consumer : ""))
        xml.optionalLeaf("Address", party.address?.lines?.joined(separator: " "))
        xml.close()
    }

    /// `1` → `001` (three digits as the 3.x schemas allow; 4.1 allows four, used above 999).
    private func sequenceNumber(_ n: Int) -> String {
        let s = String(n)
        return s.count >= 3 ? s : String(repeating: "0", count: 3 - s.count) + s
    }
}

/// Per-line tax of an allowance: each taxable line's amount × rate rounded to whole dollars,
/// the rounding difference put on the last taxable line so the lines add up to the stated tax.
enum AllowanceTax {
    static func allocate(_ invoice: Invoice) -> [Amount] {
        let rate = invoice.taxRate ?? TaxType.taxable.defaultRate
        func taxable(_ line: Invoice.Line) -> Bool { ["1", "4"].contains(line.taxType ?? invoice.taxType ?? "1") }
        var taxes = invoice.lines.map { taxable($0) ? ($0.amount * rate).rounded(to: 0) : Amount.zero }
        if let last = invoice.lines.lastIndex(where: taxable) {
            taxes[last] += invoice.totals.tax - taxes.sum()
        }
        return taxes
    }
}
