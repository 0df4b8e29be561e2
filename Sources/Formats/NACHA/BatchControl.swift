import FormatKit

/// The batch control record (type 8): counts and totals of one batch, repeating the header's
/// service class, company and ODFI. ADV batches carry 20-digit totals.
enum BatchControl {
    static let layout = RecordLayout(recordName: "batch control", nodeName: "batchControl", fields: [
        Field("recordType", 1, 1, .constant("8")),
        Field("serviceClassCode", 2, 3, .numeric),
        Field("entryAddendaCount", 5, 6, .numeric),
        Field("entryHash", 11, 10, .numeric),
        Field("totalDebitAmount", 21, 12, .numeric),
        Field("totalCreditAmount", 33, 12, .numeric),
        Field("companyIdentification", 45, 10, .alphanumeric),
        Field("messageAuthenticationCode", 55, 19, .alphanumeric),
        Field("reserved", 74, 6, .reserved),
        Field("odfiIdentification", 80, 8, .numeric),
        Field("batchNumber", 88, 7, .numeric),
    ])

    static let advLayout = RecordLayout(recordName: "ADV batch control", nodeName: "batchControl", fields: [
        Field("recordType", 1, 1, .constant("8")),
        Field("serviceClassCode", 2, 3, .numeric),
        Field("entryAddendaCount", 5, 6, .numeric),
        Field("entryHash", 11, 10, .numeric),
        Field("totalDebitAmount", 21, 20, .numeric),
        Field("totalCreditAmount", 41, 20, .numeric),
        Field("achOperatorData", 61, 19, .alphanumeric),
        Field("odfiIdentification", 80, 8, .numeric),
        Field("batchNumber", 88, 7, .numeric),
    ])

    /// A control for a batch with these totals, repeating the header's values.
    static func write(_ totals: ControlTotals, header: [String: String]) throws(FormatError) -> [UInt8] {
        try layout.write([
            "serviceClassCode": header["serviceClassCode"] ?? "", "entryAddendaCount": String(totals.entryAddendaCount),
            "entryHash": totals.entryHashText(), "totalDebitAmount": String(totals.debit), "totalCreditAmount": String(totals.credit),
            "companyIdentification": header["companyIdentification"] ?? "", "odfiIdentification": header["odfiIdentification"] ?? "",
            "batchNumber": header["batchNumber"] ?? "",
        ])
    }

    /// Field formats, then counts and totals against the batch's entries, and the values that must
    /// repeat the header's (service class, company identification, ODFI, batch number).
    static func validate(_ record: RecordText, header: RecordText, computed totals: ControlTotals, adv: Bool,
                         _ findings: Findings) throws(FormatErrors) {
        let layout = adv ? advLayout : layout
        try layout.validateFields(record, findings)
        let options = findings.options
        if !options.unequalAddendaCounts {
            try FileControl.compare(layout, record, "entryAddendaCount", Int64(totals.entryAddendaCount), findings)
        }
        try FileControl.compare(layout, record, "entryHash", totals.entryHash % 10_000_000_000, findings)
        try FileControl.compare(layout, record, "totalDebitAmount", totals.debit, findings)
        try FileControl.compare(layout, record, "totalCreditAmount", totals.credit, findings)

        func mustRepeat(_ name: String, _ headerStart: Int, _ length: Int) throws(FormatErrors) {
            let mine = layout.value(name, record), theirs = header.trimmed(headerStart, length)
            if mine != theirs {
                try findings.add(layout.error("nacha.control.\(name)", "\"\(mine)\" does not match the batch header's \"\(theirs)\" (line \(header.line))", record, field: name))
            }
        }
        if !options.unequalServiceClassCode { try mustRepeat("serviceClassCode", 2, 3) }
        try mustRepeat("odfiIdentification", 80, 8)
        try mustRepeat("batchNumber", 88, 7)
        // IAT controls often leave the company blank; a filled one must match.
        if !adv && !options.bypassCompanyIdentificationMatch && !layout.value("companyIdentification", record).isEmpty {
            try mustRepeat("companyIdentification", 41, 10)
        }
    }
}
