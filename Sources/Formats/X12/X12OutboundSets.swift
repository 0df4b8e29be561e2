import Canonical
import FormatKit

/// Canonical records → the segments of an 850, 810 or 856, where the default mappings in
/// `mappings/x12/` read them back from (the writer and those mappings are mirror images).
enum X12OutboundSets {
    static func body(for record: Record, index: Int) throws -> X12SetBody {
        switch record.body {
        case .purchaseOrder(let po): return purchaseOrder(po)
        case .invoice(let invoice): return try self.invoice(invoice, index: index)
        case .shipNotice(let asn): return shipNotice(asn)
        default:
            throw FormatError("x12.write.unsupported-type", "record \(index) is a \(record.type.rawValue); X12 writes purchase_order (850), invoice (810) and ship_notice (856)")
        }
    }

    /// 850: BEG (purpose 00 original / 01 cancel / 04 change, type SA), CUR, DTM*002 delivery date,
    /// N1 loops BY/SE/ST, PO1 loops with PID description, CTT line count.
    static func purchaseOrder(_ po: PurchaseOrder) -> X12SetBody {
        var b = X12SetBody(identifier: "850", functionalID: "PO")
        let purpose = ["original": "00", "cancel": "01", "change": "04"][po.purpose.rawValue]
        b.add("BEG", purpose, "SA", po.number, nil, X12SetBody.date(po.date))
        b.add("CUR", "BY", po.currency)
        if let d = po.requestedDeliveryDate { b.add("DTM", "002", X12SetBody.date(d)) }
        b.addParty("BY", po.buyer)
        b.addParty("SE", po.seller)
        b.addParty("ST", po.shipTo)
        for line in po.lines {
            let head: [String?] = [String(line.sequence), X12SetBody.number(line.quantity), line.unit, X12SetBody.number(line.unitPrice), nil]
            b.segments.append(("PO1", (head + X12SetBody.productIDPairs(line.productIds)).map { $0 ?? "" }))
            if let d = line.description { b.add("PID", "F", nil, nil, nil, d) }
        }
        b.add("CTT", String(po.lines.count))
        return b
    }

    /// 810: BIG (date, number, PO number, CR/DR for credit/debit notes), CUR, REF*OI original
    /// invoice, N1 loops SE/BY, ITD net due date, DTM*003 issue date and time, IT1 loops with PID and
    /// TXI, TDS total and net in implied cents, TXI tax, CTT line count.
    static func invoice(_ inv: Invoice, index: Int) throws -> X12SetBody {
        var b = X12SetBody(identifier: "810", functionalID: "IN")
        let type: String?
        switch inv.kind {
        case .invoice: type = nil
        case .creditNote: type = "CR"
        case .debitNote: type = "DR"
        default:
            throw FormatError("x12.write.invoice-kind", "invoice \(inv.number) (record \(index)) is a \(inv.kind.rawValue), which an 810 cannot carry")
        }
        b.add("BIG", X12SetBody.date(inv.issueDate), inv.number, nil, inv.purchaseOrderNumber, nil, nil, type)
        // In the 810 table's order: CUR (040), REF (050), the N1 loops (070), ITD (130), DTM (140).
        b.add("CUR", "SE", inv.currency)
        if let o = inv.originalNumber { b.add("REF", "OI", o) }
        b.addParty("SE", inv.seller)
        b.addParty("BY", inv.buyer)
        if let due = inv.dueDate { b.add("ITD", "01", "3", nil, nil, nil, X12SetBody.date(due)) }
        if let t = inv.issueTime { b.add("DTM", "003", X12SetBody.date(inv.issueDate), X12SetBody.time(t)) }
        for line in inv.lines {
            b.add("IT1", String(line.sequence), X12SetBody.number(line.quantity), line.unit, X12SetBody.number(line.unitPrice))
            if let t = line.taxType { b.add("TXI", t) }
            b.add("PID", "F", nil, nil, nil, line.description)
        }
        guard let total = inv.totals.total.minorUnits(scale: 2), let net = inv.totals.net.minorUnits(scale: 2) else {
            throw FormatError("x12.write.tds-cents", "invoice \(inv.number): TDS carries whole cents; total \(inv.totals.total) or net \(inv.totals.net) has more decimals")
        }
        b.add("TDS", String(total), String(net))
        b.add("TXI", inv.taxType ?? "TX", X12SetBody.number(inv.totals.tax), X12SetBody.number(inv.taxRate))
        b.add("CTT", String(inv.lines.count))
        return b
    }

    /// 856: BSN, then the HL hierarchy shipment (TD1 totals, TD5 carrier, REF*CN tracking, DTM*011,
    /// N1 SF/ST) → order (PRF) → pack (MAN*GM SSCC) → item (LIN, SN1, PID), items directly under an
    /// order for loose items; CTT counts HL levels.
    static func shipNotice(_ asn: ShipNotice) -> X12SetBody {
        var b = X12SetBody(identifier: "856", functionalID: "SH")
        b.add("BSN", "00", asn.shipmentId, X12SetBody.date(asn.shipDate), "0000", "0001")
        var hl = 1
        b.add("HL", "1", nil, "S")
        if asn.totals.packages != nil || asn.totals.weight != nil {
            b.add("TD1", "CTN", X12SetBody.number(asn.totals.packages), nil, nil, nil,
                  asn.totals.weight == nil ? nil : "G", X12SetBody.number(asn.totals.weight), asn.totals.weightUnit)
        }
        if asn.carrier.scac != nil || asn.carrier.name != nil {
            b.add("TD5", nil, asn.carrier.scac == nil ? nil : "2", asn.carrier.scac, nil, asn.carrier.name)
        }
        if let t = asn.trackingNumber { b.add("REF", "CN", t) }
        b.add("DTM", "011", X12SetBody.date(asn.shipDate))
        b.addParty("SF", asn.shipFrom)
        b.addParty("ST", asn.shipTo)
        func item(_ i: ShipNotice.Item, parent: Int) {
            hl += 1
            b.add("HL", String(hl), String(parent), "I")
            let sequence = i.sequence.map(String.init)
            b.segments.append(("LIN", ([sequence] + X12SetBody.productIDPairs(i.productIds)).map { $0 ?? "" }))
            b.add("SN1", sequence, X12SetBody.number(i.quantity), i.unit)
            if let d = i.description { b.add("PID", "F", nil, nil, nil, d) }
        }
        for order in asn.orders {
            hl += 1
            let orderLevel = hl
            b.add("HL", String(orderLevel), "1", "O")
            b.add("PRF", order.purchaseOrderNumber)
            for pack in order.packs {
                hl += 1
                let packLevel = hl
                b.add("HL", String(packLevel), String(orderLevel), "P")
                if let s = pack.sscc { b.add("MAN", "GM", s) }
                for i in pack.items { item(i, parent: packLevel) }
            }
            for i in order.items { item(i, parent: orderLevel) }
        }
        b.add("CTT", String(hl))
        return b
    }
}
