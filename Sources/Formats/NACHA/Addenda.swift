import FormatKit

/// Addenda records (type 7) follow an entry and carry what does not fit in it: remittance text (05),
/// card terminal data (02), a notification of change (98, with its change code), a return (99, with
/// its return reason code) and the seven to twelve IAT addenda (10–18) that name the parties abroad.
/// The addenda type code in positions 2–3 picks the layout.
enum Addenda {
    private static func layout(_ type: String, _ name: String, _ fields: [Field]) -> RecordLayout {
        RecordLayout(recordName: "addenda \(type) (\(name))", nodeName: "addenda",
                     fields: [Field("recordType", 1, 1, .constant("7")), Field("typeCode", 2, 2, .constant(type))] + fields)
    }

    private static func partyLayout(_ type: String, _ prefix: String) -> RecordLayout {
        layout(type, "IAT \(prefix) bank", [
            Field("\(prefix)Name", 4, 35, .alphanumeric),
            Field("\(prefix)IdentificationNumberQualifier", 39, 2, .alphanumeric),
            Field("\(prefix)Identification", 41, 34, .alphanumeric),
            Field("\(prefix)BranchCountryCode", 75, 3, .alphanumeric),
            Field("reserved", 78, 10, .reserved),
            Field("entryDetailSequenceNumber", 88, 7, .numeric),
        ])
    }

    private static func twoLines(_ type: String, _ name: String, _ first: String, _ second: String) -> RecordLayout {
        layout(type, name, [
            Field(first, 4, 35, .alphanumeric), Field(second, 39, 35, .alphanumeric),
            Field("reserved", 74, 14, .reserved), Field("entryDetailSequenceNumber", 88, 7, .numeric),
        ])
    }

    static let layouts: [String: RecordLayout] = [
        "02": layout("02", "point of sale", [
            Field("referenceInformationOne", 4, 7, .alphanumeric),
            Field("referenceInformationTwo", 11, 3, .alphanumeric),
            Field("terminalIdentificationCode", 14, 6, .alphanumeric),
            Field("transactionSerialNumber", 20, 6, .alphanumeric),
            Field("transactionDate", 26, 4, .alphanumeric),
            Field("authorizationCodeOrExpireDate", 30, 6, .alphanumeric),
            Field("terminalLocation", 36, 27, .alphanumeric),
            Field("terminalCity", 63, 15, .alphanumeric),
            Field("terminalState", 78, 2, .alphanumeric),
            Field("traceNumber", 80, 15, .numeric),
        ]),
        "05": layout("05", "payment related information", [
            Field("paymentRelatedInformation", 4, 80, .alphanumeric),
            Field("sequenceNumber", 84, 4, .numeric),
            Field("entryDetailSequenceNumber", 88, 7, .numeric),
        ]),
        "98": layout("98", "notification of change", [
            Field("changeCode", 4, 3, .alphanumeric),
            Field("originalTrace", 7, 15, .numeric),
            Field("reserved", 22, 6, .reserved),
            Field("originalRDFI", 28, 8, .alphanumeric),
            Field("correctedData", 36, 29, .alphanumeric),
            Field("reserved2", 65, 15, .reserved),
            Field("traceNumber", 80, 15, .numeric),
        ]),
        "99": layout("99", "return", [
            Field("returnCode", 4, 3, .alphanumeric),
            Field("originalTrace", 7, 15, .alphanumeric),
            Field("dateOfDeath", 22, 6, .alphanumeric),
            Field("originalRDFI", 28, 8, .alphanumeric),
            Field("addendaInformation", 36, 44, .alphanumeric),
            Field("traceNumber", 80, 15, .numeric),
        ]),
        "10": layout("10", "IAT receiver", [
            Field("transactionTypeCode", 4, 3, .alphanumeric),
            Field("foreignPaymentAmount", 7, 18, .numeric),
            Field("foreignTraceNumber", 25, 22, .alphanumeric),
            Field("name", 47, 35, .alphanumeric),
            Field("reserved", 82, 6, .reserved),
            Field("entryDetailSequenceNumber", 88, 7, .numeric),
        ]),
        "11": twoLines("11", "IAT originator", "originatorName", "originatorStreetAddress"),
        "12": twoLines("12", "IAT originator address", "originatorCityStateProvince", "originatorCountryPostalCode"),
        "13": partyLayout("13", "odfi"),
        "14": partyLayout("14", "rdfi"),
        "15": layout("15", "IAT receiver identification", [
            Field("receiverIdentificationNumber", 4, 15, .alphanumeric),
            Field("receiverStreetAddress", 19, 35, .alphanumeric),
            Field("reserved", 54, 34, .reserved),
            Field("entryDetailSequenceNumber", 88, 7, .numeric),
        ]),
        "16": twoLines("16", "IAT receiver address", "receiverCityStateProvince", "receiverCountryPostalCode"),
        "17": layout("17", "IAT payment related information", [
            Field("paymentRelatedInformation", 4, 80, .alphanumeric),
            Field("sequenceNumber", 84, 4, .numeric),
            Field("entryDetailSequenceNumber", 88, 7, .numeric),
        ]),
        "18": layout("18", "IAT foreign correspondent bank", [
            Field("foreignCorrespondentBankName", 4, 35, .alphanumeric),
            Field("foreignCorrespondentBankIDNumberQualifier", 39, 2, .alphanumeric),
            Field("foreignCorrespondentBankIDNumber", 41, 34, .alphanumeric),
            Field("foreignCorrespondentBankBranchCountryCode", 75, 3, .alphanumeric),
            Field("reserved", 78, 6, .reserved),
            Field("sequenceNumber", 84, 4, .numeric),
            Field("entryDetailSequenceNumber", 88, 7, .numeric),
        ]),
    ]

    /// Rule "dishonored and contested returns": an addenda 99 whose return reason code is a
    /// dishonored one (R61, R62, R67–R70) or a contested dishonored one (R71–R77) has its own
    /// layout (NACHA Operating Guidelines, Appendix Four, "Dishonored Return Entries" and
    /// "Contested Dishonored Return Entries"; moov-io/ach reads them as Addenda99Dishonored and
    /// Addenda99Contested). Each embeds the return it answers: trace, settlement date, reason.
    static let dishonoredLayout = layout("99", "dishonored return", [
        Field("returnCode", 4, 3, .alphanumeric),
        Field("originalTrace", 7, 15, .alphanumeric),
        Field("reserved", 22, 6, .reserved),
        Field("originalRDFI", 28, 8, .alphanumeric),
        Field("reserved2", 36, 3, .reserved),
        Field("returnTraceNumber", 39, 15, .alphanumeric),
        Field("returnSettlementDate", 54, 3, .alphanumeric),
        Field("returnReasonCode", 57, 2, .alphanumeric),
        Field("addendaInformation", 59, 21, .alphanumeric),
        Field("traceNumber", 80, 15, .numeric),
    ])

    static let contestedLayout = layout("99", "contested dishonored return", [
        Field("returnCode", 4, 3, .alphanumeric),
        Field("originalTrace", 7, 15, .alphanumeric),
        Field("dateOriginalEntryReturned", 22, 6, .alphanumeric),
        Field("originalRDFI", 28, 8, .alphanumeric),
        Field("originalSettlementDate", 36, 3, .alphanumeric),
        Field("returnTraceNumber", 39, 15, .alphanumeric),
        Field("returnSettlementDate", 54, 3, .alphanumeric),
        Field("returnReasonCode", 57, 2, .alphanumeric),
        Field("dishonoredReturnTraceNumber", 59, 15, .alphanumeric),
        Field("dishonoredReturnSettlementDate", 74, 3, .alphanumeric),
        Field("dishonoredReturnReasonCode", 77, 2, .alphanumeric),
        Field("reserved", 79, 1, .reserved),
        Field("traceNumber", 80, 15, .numeric),
    ])

    static let dishonoredCodes: Set<String> = ["R61", "R62", "R67", "R68", "R69", "R70"]
    static let contestedCodes: Set<String> = Set((71...77).map { "R\($0)" })

    /// The layout of this addenda record: by type code, and for a 99 by its return reason code.
    static func layout(of record: RecordText) -> RecordLayout? {
        let type = typeCode(record)
        guard type == "99" else { return layouts[type] }
        let code = record.raw(4, 3)
        return dishonoredCodes.contains(code) ? dishonoredLayout : contestedCodes.contains(code) ? contestedLayout : layouts["99"]
    }

    /// The addenda type code (positions 2–3).
    static func typeCode(_ record: RecordText) -> String { record.raw(2, 2) }

    /// The addenda as a node named `addenda` with a `typeCode` child; nil for an unknown type.
    static func parse(_ record: RecordText) -> Node? {
        guard let layout = layout(of: record) else { return nil }
        var node = layout.node(record)
        node.children.insert(Node("typeCode", value: typeCode(record), line: record.line, column: record.column + 1), at: 0)
        return node
    }

    /// A type 05 addenda with remittance text, numbered within its entry.
    static func writeRemittance(_ text: String, sequence: Int, entryTrace: String, into out: inout [UInt8]) throws(FormatError) {
        try remittanceLayout.write(into: &out) { i in
            switch remittanceLayout.fields[i].name {
            case "paymentRelatedInformation": text
            case "sequenceNumber": String(sequence)
            case "entryDetailSequenceNumber": String(entryTrace.suffix(7))
            default: nil
            }
        }
    }
    private static let remittanceLayout = layouts["05"]!

    /// Field formats, a type code the SEC code allows, a known return or change code, a known
    /// IAT transaction type code, and the entry detail sequence number matching the entry's trace.
    static func validate(_ record: RecordText, sec: String, entryTrace: String, _ findings: Findings) throws(FormatErrors) {
        let type = typeCode(record)
        guard let layout = layout(of: record) else {
            try findings.add(FormatError("nacha.addenda.type", "addenda type code \"\(type)\" is not one NACHA defines (02, 05, 10–18, 98, 99)",
                                         line: record.line, column: record.column + 1, segment: "addenda", field: "typeCode"))
            return
        }
        try layout.validateFields(record, findings)
        if type != "99" && !ACHCodes.allowedAddenda(sec: sec).contains(type) {
            try findings.add(layout.error("nacha.addenda.type", "addenda \(type) is not allowed in \(sec) batches", record, field: "typeCode"))
        }
        switch type {
        case "99":
            let code = layout.value("returnCode", record)
            if !findings.options.customReturnCodes && !ACHCodes.returnCodes.contains(code) {
                try findings.add(layout.error("nacha.return-code", "\"\(code)\" is not a return reason code", record, field: "returnCode"))
            }
            // The return a dishonored or contested entry answers carries a two-digit reason (R01 → "01").
            if layout.fields.contains(where: { $0.name == "returnReasonCode" }), !findings.options.customReturnCodes,
               !ACHCodes.returnCodes.contains("R" + layout.value("returnReasonCode", record)) {
                try findings.add(layout.error("nacha.return-code", "\"\(layout.value("returnReasonCode", record))\" is not the reason code of a return", record, field: "returnReasonCode"))
            }
        case "98":
            let code = layout.value("changeCode", record)
            if !ACHCodes.changeCodes.contains(code) {
                try findings.add(layout.error("nacha.change-code", "\"\(code)\" is not a change code", record, field: "changeCode"))
            }
        case "10":
            let code = layout.value("transactionTypeCode", record)
            if !ACHCodes.iatTransactionTypeCodes.contains(code) {
                try findings.add(layout.error("nacha.iat.transaction-type", "\"\(code)\" is not an IAT transaction type code", record, field: "transactionTypeCode"))
            }
        default:
            break
        }
        if !findings.options.customTraceNumbers, layout.fields.contains(where: { $0.name == "entryDetailSequenceNumber" }),
           record.raw(88, 7) != String(entryTrace.suffix(7)) {
            try findings.add(layout.error("nacha.addenda.sequence", "entry detail sequence number \(record.raw(88, 7)) does not match the entry's trace number \(entryTrace)", record, field: "entryDetailSequenceNumber"))
        }
    }
}
