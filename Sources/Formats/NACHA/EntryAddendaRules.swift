import FormatKit

/// Rules about an entry and its addenda taken together, checked once the entry's last addenda is read.
enum EntryAddendaRules {
    /// - The addenda record indicator is 1 exactly when addenda follow.
    /// - IAT entries carry the seven mandatory addenda 10–16 in order (returns and NOCs: 99/98 instead),
    ///   at most two 17s and five 18s.
    /// - COR entries carry one addenda 98 (or a 99 for a refused NOC).
    /// - CTX, ATX and TRX entries carry at most 9,999 addenda and say how many in positions 55–58; other SEC codes
    ///   at most one, besides a return's or NOC's.
    /// Rule "zero-dollar remittance": a CCD or CTX entry may carry a zero amount when it carries
    /// remittance addenda (05) — NACHA Operating Rules allow zero-dollar CCD/CTX entries to send
    /// payment-related information alone (transaction codes 24/34/44/54 name them; originators
    /// also send them on their live codes). Without an addenda 05 a zero live entry stays refused.
    static let zeroDollarRemittanceSECs: Set<String> = ["CCD", "CTX"]

    static func validate(_ entry: RecordText, addenda: [RecordText], sec: String, _ findings: Findings) throws(FormatErrors) {
        let layout = EntryDetail.layout(sec: sec)
        let types = addenda.map(Addenda.typeCode)
        if zeroDollarRemittanceSECs.contains(sec), !findings.options.allowZeroEntryAmount, let code = entry.number(2, 2).map(Int.init),
           EntryDetail.amount(entry, sec: sec) == 0, !ACHCodes.isPrenote(code), !ACHCodes.allowsZeroAmount(code), !types.contains("05") {
            try findings.add(layout.error("nacha.amount.zero", "a live entry (transaction code \(code)) must not have a zero amount unless it carries remittance addenda (05)", entry, field: "amount"))
        }
        let indicator = entry.raw(79, 1)
        if !findings.options.customTraceNumbers && indicator != (addenda.isEmpty ? "0" : "1") {
            try findings.add(layout.error("nacha.addenda.indicator", "addenda record indicator \(indicator) but \(addenda.count) addenda follow", entry, field: "addendaRecordIndicator"))
        }
        let isReturnOrNOC = types.contains("99") || types.contains("98")
        switch sec {
        case "IAT" where !isReturnOrNOC:
            let mandatory = ["10", "11", "12", "13", "14", "15", "16"]
            if Array(types.prefix(7)) != mandatory {
                try findings.add(layout.error("nacha.iat.addenda", "IAT entry needs addenda 10 to 16 in order, found \(types.isEmpty ? "none" : types.joined(separator: " "))", entry, field: "addendaRecordIndicator"))
            }
            if types.filter({ $0 == "17" }).count > 2 || types.filter({ $0 == "18" }).count > 5 {
                try findings.add(layout.error("nacha.iat.addenda", "IAT entry allows at most two addenda 17 and five addenda 18", entry, field: "addendaRecordIndicator"))
            }
        case "COR":
            if !isReturnOrNOC {
                try findings.add(layout.error("nacha.cor.addenda", "COR entry needs an addenda 98 (notification of change)", entry, field: "addendaRecordIndicator"))
            }
        case "CTX", "TRX", "ATX":
            if let declared = entry.number(55, 4), declared != addenda.count, !isReturnOrNOC {
                try findings.add(layout.error("nacha.ctx.addenda-count", "entry says \(declared) addenda, \(addenda.count) follow", entry, field: "numberOfAddendaRecords"))
            }
            if addenda.count > 9999 {
                try findings.add(layout.error("nacha.addenda.count", "\(sec) entry has \(addenda.count) addenda, at most 9,999 allowed", entry, field: "addendaRecordIndicator"))
            }
        case "IAT":
            break
        default:
            if addenda.count > 1 {
                try findings.add(layout.error("nacha.addenda.count", "\(sec) entry has \(addenda.count) addenda, at most one allowed", entry, field: "addendaRecordIndicator"))
            }
        }
    }
}
