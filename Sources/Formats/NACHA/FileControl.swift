import FormatKit

/// The file control record (type 9): counts and totals of the whole file, which must agree with
/// the batches it closes. ADV files carry 20-digit totals.
enum FileControl {
    static let layout = RecordLayout(recordName: "file control", nodeName: "fileControl", fields: [
        Field("recordType", 1, 1, .constant("9")),
        Field("batchCount", 2, 6, .numeric),
        Field("blockCount", 8, 6, .numeric),
        Field("entryAddendaCount", 14, 8, .numeric),
        Field("entryHash", 22, 10, .numeric),
        Field("totalDebitAmount", 32, 12, .numeric),
        Field("totalCreditAmount", 44, 12, .numeric),
        Field("reserved", 56, 39, .reserved),
    ])

    static let advLayout = RecordLayout(recordName: "ADV file control", nodeName: "fileControl", fields: [
        Field("recordType", 1, 1, .constant("9")),
        Field("batchCount", 2, 6, .numeric),
        Field("blockCount", 8, 6, .numeric),
        Field("entryAddendaCount", 14, 8, .numeric),
        Field("entryHash", 22, 10, .numeric),
        Field("totalDebitAmount", 32, 20, .numeric),
        Field("totalCreditAmount", 52, 20, .numeric),
        Field("reserved", 72, 23, .reserved),
    ])

    static func write(_ totals: ControlTotals, batchCount: Int, blockCount: Int, adv: Bool) throws(FormatError) -> [UInt8] {
        try (adv ? advLayout : layout).write([
            "batchCount": String(batchCount), "blockCount": String(blockCount),
            "entryAddendaCount": String(totals.entryAddendaCount), "entryHash": totals.entryHashText(),
            "totalDebitAmount": String(totals.debit), "totalCreditAmount": String(totals.credit),
        ])
    }

    /// Field formats, then each count and total against what the file's batches add up to.
    ///
    /// Rule "file control is a summary": a disagreement is a warning by default, an error with
    /// `strictFileControl: true`. Every batch control is still held to its entries (errors), so the
    /// money read is what the entries and their balanced batches say; moov-io/ach reads such
    /// files too (its reader builds the file from the batches).
    static func validate(_ record: RecordText, computed totals: ControlTotals, batchCount: Int,
                         adv: Bool, _ findings: Findings) throws(FormatErrors) {
        let layout = adv ? advLayout : layout
        try layout.validateFields(record, findings)
        if findings.options.bypassFileControlTotals { return }
        let severity: FormatError.Severity = findings.options.strictFileControl ? .error : .warning
        try compare(layout, record, "batchCount", Int64(batchCount), findings, severity)
        if !findings.options.unequalAddendaCounts {
            try compare(layout, record, "entryAddendaCount", Int64(totals.entryAddendaCount), findings, severity)
        }
        try compare(layout, record, "entryHash", totals.entryHash % 10_000_000_000, findings, severity)
        try compare(layout, record, "totalDebitAmount", totals.debit, findings, severity)
        try compare(layout, record, "totalCreditAmount", totals.credit, findings, severity)
    }

    /// The block count against the records in the file, filler included (blocks of 10, the last one partial).
    /// A warning: the count served tape blocking and many generators get it wrong.
    static func validateBlockCount(_ record: RecordText, recordCount: Int, _ findings: Findings) throws(FormatErrors) {
        let blocks = (recordCount + 9) / 10
        if let written = record.number(8, 6), written != blocks {
            try findings.add(layout.error("nacha.control.blockCount", "block count \(written) does not match the file's \(recordCount) records (\(blocks) blocks of 10)", record, field: "blockCount", severity: .warning))
        }
    }

    /// Reports a control field whose number differs from the computed one (format errors are reported elsewhere).
    static func compare(_ layout: RecordLayout, _ record: RecordText, _ name: String, _ expected: Int64, _ findings: Findings,
                        _ severity: FormatError.Severity = .error) throws(FormatErrors) {
        let field = layout[name]
        guard let written = record.number(field.start, field.length), written != expected else { return }
        try findings.add(layout.error("nacha.control.\(name)", "\(written) does not match the computed \(expected)", record, field: name, severity: severity))
    }
}

/// What a batch or file control adds up: entry and addenda records, the entry hash (sum of the
/// 8-digit RDFI routing numbers, last 10 digits kept), debit and credit totals in cents.
struct ControlTotals {
    var entryAddendaCount = 0
    var entryHash: Int64 = 0
    var debit: Int64 = 0
    var credit: Int64 = 0

    mutating func add(_ other: ControlTotals) {
        entryAddendaCount += other.entryAddendaCount
        entryHash += other.entryHash
        debit += other.debit
        credit += other.credit
    }

    /// The entry hash as written: its last 10 digits.
    func entryHashText() -> String { String(entryHash % 10_000_000_000) }
}
