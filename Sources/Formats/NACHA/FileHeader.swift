import FormatKit

/// The file header record (type 1): who sends the file to whom, when, and the file ID modifier
/// that tells apart several files sent the same day.
enum FileHeader {
    static let layout = RecordLayout(recordName: "file header", nodeName: "fileHeader", fields: [
        Field("recordType", 1, 1, .constant("1")),
        Field("priorityCode", 2, 2, .constant("01")),
        Field("immediateDestination", 4, 10, .routing),
        Field("immediateOrigin", 14, 10, .alphanumeric),
        Field("fileCreationDate", 24, 6, .date),
        Field("fileCreationTime", 30, 4, .timeOrBlank),
        Field("fileIDModifier", 34, 1, .alphanumeric),
        Field("recordSize", 35, 3, .constant("094")),
        Field("blockingFactor", 38, 2, .constant("10")),
        Field("formatCode", 40, 1, .constant("1")),
        Field("immediateDestinationName", 41, 23, .alphanumeric),
        Field("immediateOriginName", 64, 23, .alphanumeric),
        Field("referenceCode", 87, 8, .alphanumeric),
    ])

    /// The header as a node (context every entry unit carries).
    static func parse(_ record: RecordText) -> Node { layout.node(record) }

    /// The 94 characters of a header made from these field values.
    static func write(_ values: [String: String]) throws(FormatError) -> [UInt8] { try layout.write(values) }

    /// Field formats, then: the immediate destination is a routing number with a correct check digit,
    /// the origin is a number (routing number or company identification), the file ID modifier is A–Z or 0–9.
    static func validate(_ record: RecordText, _ findings: Findings) throws(FormatErrors) {
        let options = findings.options
        var fields = layout.fields
        if options.skipFileCreationValidation { fields.removeAll { $0.name == "fileCreationDate" || $0.name == "fileCreationTime" } }
        if options.bypassDestinationValidation { fields.removeAll { $0.name == "immediateDestination" } }
        try RecordLayout(recordName: layout.recordName, nodeName: layout.nodeName, fields: fields).validateFields(record, findings)

        let destination = layout.value("immediateDestination", record)
        if !options.bypassDestinationValidation && !destination.isEmpty {
            let nine = destination.count == 10 && destination.hasPrefix("0") ? String(destination.dropFirst()) : destination
            if nine.count != 9 || !RoutingNumber.isValid(nine) {
                try findings.add(layout.error("nacha.routing.check-digit", "\(destination) routing number checksum mismatch", record, field: "immediateDestination"))
            }
        }
        let origin = layout.value("immediateOrigin", record)
        if !options.bypassOriginValidation {
            if origin.isEmpty {
                try findings.add(layout.error("nacha.field.mandatory", "is a mandatory field and is blank", record, field: "immediateOrigin"))
            } else if !origin.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
                try findings.add(layout.error("nacha.field.numeric", "\"\(origin)\" must be a routing number or a 10-digit company identification", record, field: "immediateOrigin"))
            }
        }
        let modifier = layout.value("fileIDModifier", record)
        if !(modifier.count == 1 && modifier.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) })) {
            try findings.add(layout.error("nacha.file-id-modifier", "\"\(modifier)\" must be one of A–Z or 0–9", record, field: "fileIDModifier"))
        }
    }
}
