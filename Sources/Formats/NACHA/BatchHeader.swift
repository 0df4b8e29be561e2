import FormatKit

/// The batch header record (type 5): the originating company, the SEC code that says what kind
/// of entries follow, the effective entry date and the ODFI. IAT batches use their own layout
/// (foreign exchange, countries, currencies) in the same 94 positions.
enum BatchHeader {
    static let layout = RecordLayout(recordName: "batch header", nodeName: "batchHeader", fields: [
        Field("recordType", 1, 1, .constant("5")),
        Field("serviceClassCode", 2, 3, .numeric),
        Field("companyName", 5, 16, .mandatoryAlphanumeric),
        Field("companyDiscretionaryData", 21, 20, .alphanumeric),
        Field("companyIdentification", 41, 10, .alphanumeric),
        Field("standardEntryClassCode", 51, 3, .alphanumeric),
        Field("companyEntryDescription", 54, 10, .mandatoryAlphanumeric),
        Field("companyDescriptiveDate", 64, 6, .alphanumeric),
        Field("effectiveEntryDate", 70, 6, .alphanumeric),
        Field("settlementDate", 76, 3, .numericOrBlank),
        Field("originatorStatusCode", 79, 1, .alphanumeric),
        Field("odfiIdentification", 80, 8, .numeric),
        Field("batchNumber", 88, 7, .numeric),
    ])

    static let iatLayout = RecordLayout(recordName: "IAT batch header", nodeName: "batchHeader", fields: [
        Field("recordType", 1, 1, .constant("5")),
        Field("serviceClassCode", 2, 3, .numeric),
        Field("iatIndicator", 5, 16, .alphanumeric),
        Field("foreignExchangeIndicator", 21, 2, .alphanumeric),
        Field("foreignExchangeReferenceIndicator", 23, 1, .numericOrBlank),
        Field("foreignExchangeReference", 24, 15, .alphanumeric),
        Field("isoDestinationCountryCode", 39, 2, .alphanumeric),
        Field("originatorIdentification", 41, 10, .alphanumeric),
        Field("standardEntryClassCode", 51, 3, .alphanumeric),
        Field("companyEntryDescription", 54, 10, .mandatoryAlphanumeric),
        Field("isoOriginatingCurrencyCode", 64, 3, .alphanumeric),
        Field("isoDestinationCurrencyCode", 67, 3, .alphanumeric),
        Field("effectiveEntryDate", 70, 6, .alphanumeric),
        Field("settlementDate", 76, 3, .numericOrBlank),
        Field("originatorStatusCode", 79, 1, .alphanumeric),
        Field("odfiIdentification", 80, 8, .numeric),
        Field("batchNumber", 88, 7, .numeric),
    ])

    /// The SEC code (positions 51–53).
    static func secCode(_ record: RecordText) -> String { record.trimmed(51, 3) }

    /// The SEC code whose layouts the batch's records use: `IAT` also for a notification of change
    /// on IAT entries (SEC `COR` with `IATCOR` in the IAT indicator), which keeps the IAT layouts.
    static func layoutFamily(_ record: RecordText) -> String {
        let sec = secCode(record)
        return sec == "COR" && record.raw(5, 6) == "IATCOR" ? "IAT" : sec
    }

    static func layout(sec: String) -> RecordLayout { sec == "IAT" ? iatLayout : layout }

    /// The header as a node, with the effective entry date also as `YYYY-MM-DD` (`effectiveDate`)
    /// when it is a valid date.
    static func parse(_ record: RecordText) -> Node {
        var node = layout(sec: layoutFamily(record)).node(record)
        node.append("effectiveDate", ACHDate.iso(record.trimmed(70, 6)), line: record.line, column: record.column + 69)
        return node
    }

    static func write(_ values: [String: String]) throws(FormatError) -> [UInt8] { try layout.write(values) }

    /// Field formats, then: a known service class and SEC code, ADV only with service class 280,
    /// an effective entry date that is a date (or blank or zeros: the ACH operator fills it for returns).
    static func validate(_ record: RecordText, _ findings: Findings) throws(FormatErrors) {
        let sec = secCode(record)
        let layout = layout(sec: layoutFamily(record))
        try layout.validateFields(record, findings)
        let serviceClass = layout.value("serviceClassCode", record)
        if !ACHCodes.serviceClassCodes.contains(serviceClass) {
            try findings.add(layout.error("nacha.service-class", "\"\(serviceClass)\" is not a service class code (200, 220, 225, 280)", record, field: "serviceClassCode"))
        } else if (sec == "ADV") != (serviceClass == "280") {
            try findings.add(layout.error("nacha.service-class", "service class \(serviceClass) does not go with SEC code \(sec)", record, field: "serviceClassCode"))
        }
        if !ACHCodes.secCodes.contains(sec) {
            try findings.add(layout.error("nacha.sec-code", "\"\(sec)\" is not a standard entry class code", record, field: "standardEntryClassCode"))
        }
        if layoutFamily(record) != "IAT" && layout.value("companyIdentification", record).isEmpty {
            try findings.add(layout.error("nacha.field.mandatory", "is a mandatory field and is blank", record, field: "companyIdentification"))
        }
        let effective = record.slice(70, 6)
        let notGiven = record.isBlank(70, 6) || effective.allSatisfy { $0 == 48 }
        if !notGiven && !ACHDate.isValidYYMMDD(effective) && !(sec == "COR" || sec == "ADV") {
            try findings.add(layout.error("nacha.field.date", "\"\(record.raw(70, 6))\" is not a date YYMMDD", record, field: "effectiveEntryDate"))
        }
    }
}
