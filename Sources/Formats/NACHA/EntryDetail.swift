import FormatKit

/// The entry detail record (type 6): one payment to or from one receiver. The transaction code
/// says checking/savings/GL/loan and credit/debit; positions 40–78 mean different things per SEC
/// code (CTX counts its addenda there, IAT carries a 35-character foreign account, ADV has wider
/// amounts), so each family has its own layout of the same 94 positions.
enum EntryDetail {
    private static func standard(_ recordName: String, nameKind: Field.Kind) -> RecordLayout {
        RecordLayout(recordName: recordName, nodeName: "entryDetail", fields: [
            Field("recordType", 1, 1, .constant("6")),
            Field("transactionCode", 2, 2, .numeric),
            Field("rdfiIdentification", 4, 8, .numeric),
            Field("checkDigit", 12, 1, .numeric),
            Field("dfiAccountNumber", 13, 17, .alphanumeric),
            Field("amount", 30, 10, .numeric),
            Field("identificationNumber", 40, 15, .alphanumeric),
            Field("individualName", 55, 22, nameKind),
            Field("discretionaryData", 77, 2, .alphanumeric),
            Field("addendaRecordIndicator", 79, 1, .numeric),
            Field("traceNumber", 80, 15, .numeric),
        ])
    }

    static let layout = standard("entry detail", nameKind: .alphanumeric)
    /// TEL and WEB entries must name the consumer.
    static let namedLayout = standard("entry detail", nameKind: .mandatoryAlphanumeric)

    static let ctxLayout = RecordLayout(recordName: "CTX entry detail", nodeName: "entryDetail", fields: [
        Field("recordType", 1, 1, .constant("6")),
        Field("transactionCode", 2, 2, .numeric),
        Field("rdfiIdentification", 4, 8, .numeric),
        Field("checkDigit", 12, 1, .numeric),
        Field("dfiAccountNumber", 13, 17, .alphanumeric),
        Field("amount", 30, 10, .numeric),
        Field("identificationNumber", 40, 15, .alphanumeric),
        Field("numberOfAddendaRecords", 55, 4, .numeric),
        Field("individualName", 59, 16, .alphanumeric),
        Field("reserved", 75, 2, .reserved),
        Field("discretionaryData", 77, 2, .alphanumeric),
        Field("addendaRecordIndicator", 79, 1, .numeric),
        Field("traceNumber", 80, 15, .numeric),
    ])

    static let iatLayout = RecordLayout(recordName: "IAT entry detail", nodeName: "entryDetail", fields: [
        Field("recordType", 1, 1, .constant("6")),
        Field("transactionCode", 2, 2, .numeric),
        Field("rdfiIdentification", 4, 8, .numeric),
        Field("checkDigit", 12, 1, .numeric),
        Field("numberOfAddendaRecords", 13, 4, .numeric),
        Field("reserved", 17, 13, .reserved),
        Field("amount", 30, 10, .numeric),
        Field("dfiAccountNumber", 40, 35, .alphanumeric),
        Field("reserved2", 75, 2, .reserved),
        Field("ofacScreeningIndicator", 77, 1, .alphanumeric),
        Field("secondaryOFACScreeningIndicator", 78, 1, .alphanumeric),
        Field("addendaRecordIndicator", 79, 1, .numeric),
        Field("traceNumber", 80, 15, .numeric),
    ])

    static let advLayout = RecordLayout(recordName: "ADV entry detail", nodeName: "entryDetail", fields: [
        Field("recordType", 1, 1, .constant("6")),
        Field("transactionCode", 2, 2, .numeric),
        Field("rdfiIdentification", 4, 8, .numeric),
        Field("checkDigit", 12, 1, .numeric),
        Field("dfiAccountNumber", 13, 15, .alphanumeric),
        Field("amount", 28, 12, .numeric),
        Field("adviceRoutingNumber", 40, 9, .numeric),
        Field("fileIdentification", 49, 5, .alphanumeric),
        Field("achOperatorData", 54, 1, .alphanumeric),
        Field("individualName", 55, 22, .alphanumeric),
        Field("discretionaryData", 77, 2, .alphanumeric),
        Field("addendaRecordIndicator", 79, 1, .numeric),
        Field("achOperatorRoutingNumber", 80, 8, .numeric),
        Field("julianDay", 88, 3, .numeric),
        Field("sequenceNumber", 91, 4, .numeric),
    ])

    static func layout(sec: String) -> RecordLayout {
        switch sec {
        case "CTX", "ATX", "TRX": ctxLayout   // ATX (acknowledgment of a CTX) and TRX count their addenda the same way
        case "IAT": iatLayout
        case "ADV": advLayout
        case "TEL", "WEB": namedLayout
        default: layout
        }
    }

    /// The entry as a node, with the full 9-digit RDFI routing number (`rdfiRoutingNumber`).
    static func parse(_ record: RecordText, sec: String) -> Node {
        var node = layout(sec: sec).node(record)
        node.append("rdfiRoutingNumber", record.raw(4, 9), line: record.line, column: record.column + 3)
        return node
    }

    /// The amount in cents (10 digits, 12 for ADV); nil when not digits.
    static func amount(_ record: RecordText, sec: String) -> Int64? {
        sec == "ADV" ? record.number(28, 12) : record.number(30, 10)
    }

    /// The trace number (positions 80–94; ADV has none, its sequence sits there instead).
    static func traceNumber(_ record: RecordText) -> String { record.raw(80, 15) }

    /// Field formats, then: a known transaction code for the SEC code, the RDFI check digit,
    /// an amount allowed for the code (prenotes zero, live entries non-zero), the trace number
    /// starting with the ODFI's routing number (a warning: files from processors often number their own way).
    static func validate(_ record: RecordText, sec: String, odfi: String, _ findings: Findings) throws(FormatErrors) {
        let layout = layout(sec: sec)
        let options = findings.options
        try layout.validateFields(record, findings)

        let code = record.number(2, 2).map(Int.init)
        if let code {
            if ACHCodes.side(code) == nil || (code > 80) != (sec == "ADV") {
                try findings.add(layout.error("nacha.transaction-code", "\(record.raw(2, 2)) is not a transaction code for \(sec) entries", record, field: "transactionCode"))
            }
        }
        if !options.allowInvalidCheckDigit, record.isDigits(4, 9), RoutingNumber.checkDigit(record.slice(4, 8)) != record.slice(12, 1).first {
            let expected = RoutingNumber.checkDigit(record.slice(4, 8)).map { String(UnicodeScalar($0)) } ?? "?"
            try findings.add(layout.error("nacha.routing.check-digit", "\(record.raw(12, 1)) is not the check digit of RDFI \(record.raw(4, 8)) (expected \(expected))", record, field: "checkDigit"))
        }
        if let code, let amount = amount(record, sec: sec) {
            if ACHCodes.isPrenote(code) && amount != 0 {
                try findings.add(layout.error("nacha.amount.prenote", "prenote (transaction code \(code)) must have a zero amount, found \(amount)", record, field: "amount"))
            } else if amount == 0 && !ACHCodes.allowsZeroAmount(code) && !options.allowZeroEntryAmount && !["COR", "ENR", "DNE", "ADV"].contains(sec)
                        && !EntryAddendaRules.zeroDollarRemittanceSECs.contains(sec) {  // decided with the addenda, see EntryAddendaRules
                try findings.add(layout.error("nacha.amount.zero", "a live entry (transaction code \(code)) must not have a zero amount", record, field: "amount"))
            }
        }
        if sec != "ADV" && !options.customTraceNumbers && !options.bypassOriginValidation && !odfi.isEmpty,
           record.isDigits(80, 15), record.raw(80, 8) != odfi {
            try findings.add(layout.error("nacha.trace.odfi", "trace number \(record.raw(80, 15)) does not start with the batch's ODFI \(odfi)", record, field: "traceNumber", severity: .warning))
        }
    }
}
