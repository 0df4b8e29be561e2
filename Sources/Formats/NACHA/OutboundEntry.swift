import Canonical
import FormatKit

/// One outbound `payment` record checked and put in NACHA terms: which party is the originator
/// (the company, whose bank is the ODFI) and which the receiver (whose bank is the RDFI), decided
/// by the transaction code: a credit pays the receiver (creditor), a debit collects from it (debtor).
struct OutboundEntry {
    let transactionCode: Int
    let side: ACHCodes.Side
    let sec: String
    let companyId: String
    let companyName: String
    let companyEntryDescription: String
    /// `YYMMDD`.
    let effectiveEntryDate: String
    /// The originating bank's 9-digit routing number.
    let odfiRouting: String
    let receiverRouting: String
    let receiverAccount: String
    let receiverName: String
    let identificationNumber: String
    let amountCents: Int64
    let remittance: [String]

    /// SEC codes the writer makes (all share the standard entry layout, CTX with its addenda count).
    static let writableSECCodes: Set<String> = ["PPD", "CCD", "CTX", "WEB", "TEL", "CIE"]

    init(_ record: Record, index: Int) throws(FormatError) {
        func fail(_ field: String, _ message: String) -> FormatError {
            FormatError("nacha.write.record", "record \(index) (\(record.id)): \(field) \(message)", segment: "payment", field: field)
        }
        guard case .payment(let p) = record.body else { throw fail("type", "is \(record.type.rawValue); only payment records can be written as NACHA") }
        guard p.direction == .outbound else { throw fail("direction", "is \(p.direction.rawValue); only outbound payments are originated") }
        guard p.method == "ach" else { throw fail("method", "is \"\(p.method)\", not \"ach\"") }
        guard p.currency == "USD" else { throw fail("currency", "is \(p.currency); ACH moves US dollars") }
        guard let ach = p.ach else { throw fail("ach", "is missing (secCode, transactionCode, companyId…)") }
        guard let code = Int(ach.transactionCode), let side = ACHCodes.side(code), code < 80 else {
            throw fail("ach.transactionCode", "\"\(ach.transactionCode)\" is not a transaction code")
        }
        guard Self.writableSECCodes.contains(ach.secCode) else {
            throw fail("ach.secCode", "\"\(ach.secCode)\" cannot be written (supported: \(Self.writableSECCodes.sorted().joined(separator: ", ")))")
        }
        guard let effective = ACHDate.yymmdd(p.executionDate) else { throw fail("executionDate", "\"\(p.executionDate)\" is not a date YYYY-MM-DD in 2000–2099") }
        guard !p.amount.isNegative, let cents = p.amount.minorUnits(scale: 2), cents <= 9_999_999_999 else {
            throw fail("amount", "\(p.amount) is not a positive amount in cents of at most 10 digits")
        }
        if (ACHCodes.isPrenote(code) && cents != 0) || (!ACHCodes.allowsZeroAmount(code) && cents == 0) {
            throw fail("amount", "\(p.amount) does not suit transaction code \(code) (prenotes are zero, live entries are not)")
        }
        let originator = side == .credit ? p.debtor : p.creditor
        let receiver = side == .credit ? p.creditor : p.debtor
        let originatorRole = side == .credit ? "debtor" : "creditor"
        let receiverRole = side == .credit ? "creditor" : "debtor"
        guard let odfi = originator.agent, RoutingNumber.isValid(odfi) else {
            throw fail("\(originatorRole).agent", "\"\(originator.agent ?? "")\" is not a 9-digit routing number with a valid check digit (the ODFI)")
        }
        guard let rdfi = receiver.agent, RoutingNumber.isValid(rdfi) else {
            throw fail("\(receiverRole).agent", "\"\(receiver.agent ?? "")\" is not a 9-digit routing number with a valid check digit (the RDFI)")
        }
        guard let account = receiver.account, !account.isEmpty, account.count <= 17 else {
            throw fail("\(receiverRole).account", "\"\(receiver.account ?? "")\" must be 1 to 17 characters")
        }
        guard !ach.companyId.isEmpty, ach.companyId.count <= 10 else { throw fail("ach.companyId", "\"\(ach.companyId)\" must be 1 to 10 characters") }
        guard !ach.companyEntryDescription.isEmpty, ach.companyEntryDescription.count <= 10 else {
            throw fail("ach.companyEntryDescription", "\"\(ach.companyEntryDescription)\" must be 1 to 10 characters")
        }
        let id = p.endToEndId ?? ""
        guard id.count <= 15 else { throw fail("endToEndId", "\"\(id)\" is longer than the 15 characters of the identification number") }

        var remittance = [String]()
        for (i, addenda) in ach.addenda.enumerated() {
            guard addenda["typeCode"]?.stringValue == "05", let text = addenda["paymentRelatedInformation"]?.stringValue else {
                throw fail("ach.addenda[\(i)]", "must be {typeCode: \"05\", paymentRelatedInformation}; outbound entries carry remittance addenda only")
            }
            remittance.append(text)
        }
        if remittance.isEmpty, let text = p.remittance { remittance = [text] }
        if let long = remittance.first(where: { $0.count > 80 }) { throw fail("ach.addenda", "\"\(long)\" is longer than the 80 characters of an addenda") }
        if ach.secCode != "CTX" && remittance.count > 1 { throw fail("ach.addenda", "\(ach.secCode) entries carry at most one addenda") }

        transactionCode = code
        self.side = side
        sec = ach.secCode
        companyId = ach.companyId
        // Names longer than NACHA's fields are cut to fit, as banks do; identifiers never are.
        companyName = String(originator.name.prefix(16))
        companyEntryDescription = ach.companyEntryDescription
        effectiveEntryDate = effective
        odfiRouting = odfi
        receiverRouting = rdfi
        receiverAccount = account
        receiverName = String(receiver.name.prefix(ach.secCode == "CTX" ? 16 : 22))
        identificationNumber = id
        amountCents = Int64(cents)
        self.remittance = remittance
    }

    /// Entries with the same key go in one batch: one company, SEC code, effective date and description.
    struct BatchKey: Hashable {
        let companyId, companyName, sec, effectiveEntryDate, companyEntryDescription, odfiRouting: String
    }
    var batchKey: BatchKey {
        BatchKey(companyId: companyId, companyName: companyName, sec: sec, effectiveEntryDate: effectiveEntryDate,
                 companyEntryDescription: companyEntryDescription, odfiRouting: odfiRouting)
    }

    /// Appends the entry detail record and its addenda (each line with its newline) to `out`, with
    /// `trace` as trace number (the writer fills in the real one once every entry is written).
    func write(into out: inout [UInt8], trace: String) throws(FormatError) {
        let slots = sec == "CTX" ? Self.ctxSlots : Self.standardSlots
        try EntryDetail.layout(sec: sec).write(into: &out) { i in
            switch slots[i] {
            case .transactionCode: String(transactionCode)
            case .rdfiIdentification: String(receiverRouting.prefix(8))
            case .checkDigit: String(receiverRouting.suffix(1))
            case .dfiAccountNumber: receiverAccount
            case .amount: String(amountCents)
            case .identificationNumber: identificationNumber
            case .individualName: receiverName
            case .addendaRecordIndicator: remittance.isEmpty ? "0" : "1"
            case .traceNumber: trace
            case .numberOfAddendaRecords: String(remittance.count)
            case nil: nil
            }
        }
        out.append(10)
        for (i, text) in remittance.enumerated() {
            try Addenda.writeRemittance(text, sequence: i + 1, entryTrace: trace, into: &out)
            out.append(10)
        }
    }

    /// The fields of the entry layouts the writer fills, by their place in the layout (found once,
    /// not by name per record). TEL and WEB share the standard layout's fields.
    private enum Slot: String {
        case transactionCode, rdfiIdentification, checkDigit, dfiAccountNumber, amount, identificationNumber
        case individualName, addendaRecordIndicator, traceNumber, numberOfAddendaRecords
    }
    private static let standardSlots = EntryDetail.layout.fields.map { Slot(rawValue: $0.name) }
    private static let ctxSlots = EntryDetail.ctxLayout.fields.map { Slot(rawValue: $0.name) }
}
