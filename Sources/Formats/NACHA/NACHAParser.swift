import FormatKit

/// Walks a NACHA file record by record, checking its structure (1, then batches of 5 6/7… 8,
/// then 9 and the 9-filler), every record's fields, and the batch and file controls against what
/// the entries add up to. Each finished entry (with its addenda) is handed to `emit` as a unit.
///
/// Memory holds one batch's running totals and one entry at a time, however large the file.
struct NACHAParser {
    let findings: Findings
    /// Called for each entry with its addenda; nil when only validating (no trees are built).
    let emit: ((Node) throws -> Void)?

    private var fileHeader: RecordText?
    private var fileHeaderNode = Node("fileHeader")
    /// The file control, kept to check its block count once the filler after it is counted.
    private var fileControl: RecordText?
    private var fileControlSeen: Bool { fileControl != nil }
    private var reportedMissingHeader = false
    private var batch: OpenBatch?
    private var entry: OpenEntry?
    private var fileTotals = ControlTotals()
    private var batchCount = 0
    private var recordCount = 0
    private var lastBatchNumber: Int64 = 0
    private var sawADV = false

    /// The batch being read: its header and what its entries add up to so far.
    private struct OpenBatch {
        let header: RecordText
        let node: Node
        let sec: String
        let odfi: String
        var totals = ControlTotals()
        var lastTrace: String = ""
    }

    /// The entry being read and the addenda that followed it so far.
    private struct OpenEntry {
        let record: RecordText
        var addenda: [RecordText] = []
    }

    init(findings: Findings, emit: ((Node) throws -> Void)?) {
        self.findings = findings
        self.emit = emit
    }

    mutating func parse(_ input: ByteReader, encoding: TextEncoding) throws {
        var splitter = RecordSplitter(input, encoding: encoding)
        while let record = try splitter.next(findings) {
            recordCount += 1
            try accept(record)
        }
        try finish()
    }

    private mutating func accept(_ record: RecordText) throws {
        if fileControlSeen {
            if !record.isFiller {
                try findings.add(FormatError("nacha.structure.after-file-control", "record type \(Character(UnicodeScalar(record.typeCode))) after the file control: extra records after file control",
                                             line: record.line, column: record.column, segment: "record", field: "recordType"))
            }
            return
        }
        switch record.typeCode {
        case UInt8(ascii: "1"): try acceptFileHeader(record)
        case UInt8(ascii: "5"): try acceptBatchHeader(record)
        case UInt8(ascii: "6"): try acceptEntry(record)
        case UInt8(ascii: "7"): try acceptAddenda(record)
        case UInt8(ascii: "8"): try acceptBatchControl(record)
        case UInt8(ascii: "9"): if !record.isFiller { try acceptFileControl(record) }
        default:
            try findings.add(FormatError("nacha.structure.record-type", "\"\(record.raw(1, 1))\" is not a NACHA record type (1, 5, 6, 7, 8, 9)",
                                         line: record.line, column: record.column, segment: "record", field: "recordType"))
        }
    }

    private mutating func acceptFileHeader(_ record: RecordText) throws {
        if fileHeader != nil || batchCount > 0 || batch != nil {
            try findings.add(FormatError("nacha.structure.file-header", "misplaced file header: a file has one file header, first",
                                         line: record.line, column: record.column, segment: "fileHeader", field: "recordType"))
            return
        }
        try FileHeader.validate(record, findings)
        fileHeader = record
        fileHeaderNode = FileHeader.parse(record)
    }

    private mutating func requireFileHeader(_ record: RecordText) throws {
        guard fileHeader == nil, !reportedMissingHeader, !findings.options.allowMissingFileHeader else { return }
        reportedMissingHeader = true
        try findings.add(FormatError("nacha.structure.missing-file-header", "file header (record type 1) missing before this record",
                                     line: record.line, column: record.column, segment: "fileHeader"))
    }

    private mutating func acceptBatchHeader(_ record: RecordText) throws {
        try requireFileHeader(record)
        if let open = batch {
            try closeEntry()
            try findings.add(FormatError("nacha.structure.missing-batch-control", "batch header at line \(open.header.line) has no batch control before the next batch header",
                                         line: record.line, column: record.column, segment: "batchControl"))
            batch = nil
        }
        try BatchHeader.validate(record, findings)
        let number = record.number(88, 7) ?? 0
        if !findings.options.allowUnorderedBatchNumbers && number <= lastBatchNumber {
            try findings.add(BatchHeader.layout.error("nacha.batch-number.order", "batch number \(number) does not ascend (previous \(lastBatchNumber))", record, field: "batchNumber"))
        }
        lastBatchNumber = max(lastBatchNumber, number)
        let sec = BatchHeader.layoutFamily(record)
        sawADV = sawADV || sec == "ADV"
        batch = OpenBatch(header: record, node: emit == nil ? Node("batchHeader") : BatchHeader.parse(record), sec: sec, odfi: record.raw(80, 8))
    }

    private mutating func acceptEntry(_ record: RecordText) throws {
        guard var open = batch else {
            try requireFileHeader(record)
            try findings.add(FormatError("nacha.structure.entry-outside-batch", "entry detail outside a batch (no batch header before it)",
                                         line: record.line, column: record.column, segment: "entryDetail"))
            return
        }
        try closeEntry()
        try EntryDetail.validate(record, sec: open.sec, odfi: open.odfi, findings)
        if open.sec != "ADV" {
            let trace = EntryDetail.traceNumber(record)
            if !findings.options.customTraceNumbers && trace <= open.lastTrace {
                try findings.add(EntryDetail.layout(sec: open.sec).error("nacha.trace.order", "trace number \(trace) does not ascend within the batch (previous \(open.lastTrace))", record, field: "traceNumber"))
            }
            open.lastTrace = trace
        }
        open.totals.entryAddendaCount += 1
        open.totals.entryHash += record.number(4, 8) ?? 0
        if let code = record.number(2, 2), let side = ACHCodes.side(Int(code)) {
            let amount = EntryDetail.amount(record, sec: open.sec) ?? 0
            if side == .debit { open.totals.debit += amount } else { open.totals.credit += amount }
        }
        batch = open
        entry = OpenEntry(record: record)
    }

    private mutating func acceptAddenda(_ record: RecordText) throws {
        guard entry != nil, let sec = batch?.sec else {
            try findings.add(FormatError("nacha.structure.addenda-outside-entry", "addenda record outside an entry (no entry detail before it)",
                                         line: record.line, column: record.column, segment: "addenda"))
            return
        }
        try Addenda.validate(record, sec: sec, entryTrace: EntryDetail.traceNumber(entry!.record), findings)
        entry!.addenda.append(record)
        batch!.totals.entryAddendaCount += 1
    }

    private mutating func acceptBatchControl(_ record: RecordText) throws {
        guard let open = batch else {
            try findings.add(FormatError("nacha.structure.control-outside-batch", "batch control without a batch header",
                                         line: record.line, column: record.column, segment: "batchControl"))
            return
        }
        try closeEntry()
        try BatchControl.validate(record, header: open.header, computed: open.totals, adv: open.sec == "ADV", findings)
        fileTotals.add(open.totals)
        batchCount += 1
        batch = nil
    }

    private mutating func acceptFileControl(_ record: RecordText) throws {
        try requireFileHeader(record)
        if let open = batch {
            try closeEntry()
            try findings.add(FormatError("nacha.structure.missing-batch-control", "batch header at line \(open.header.line) has no batch control before the file control",
                                         line: record.line, column: record.column, segment: "batchControl"))
            batch = nil
        }
        if batchCount == 0 && !findings.options.allowZeroBatches {
            try findings.add(FormatError("nacha.structure.no-batches", "file has no batches", line: record.line, column: record.column, segment: "fileControl", field: "batchCount"))
        }
        try FileControl.validate(record, computed: fileTotals, batchCount: batchCount, adv: sawADV, findings)
        fileControl = record
    }

    private mutating func finish() throws {
        try closeEntry()
        if let open = batch {
            try findings.add(FormatError("nacha.structure.missing-batch-control", "batch header at line \(open.header.line) has no batch control",
                                         line: open.header.line, segment: "batchControl"))
        }
        if fileHeader == nil && !findings.options.allowMissingFileHeader && !reportedMissingHeader {
            try findings.add(FormatError("nacha.structure.missing-file-header", "file has no file header (record type 1)", line: 1, segment: "fileHeader"))
        }
        if !fileControlSeen && !findings.options.allowMissingFileControl {
            try findings.add(FormatError("nacha.structure.missing-file-control", "file has no file control (record type 9)", segment: "fileControl"))
        }
        if !fileControlSeen && batchCount == 0 && batch == nil && !findings.options.allowZeroBatches {
            try findings.add(FormatError("nacha.structure.no-batches", "file has no batches", segment: "fileControl"))
        }
        if let fileControl {
            try FileControl.validateBlockCount(fileControl, recordCount: recordCount, findings)
        }
        if recordCount % 10 != 0 {
            try findings.add(FormatError("nacha.blocking", "file has \(recordCount) records, not a multiple of the blocking factor 10 (fill with 9s)",
                                         segment: "fileControl", field: "blockCount", severity: .warning))
        }
    }

    /// Checks the finished entry's addenda as a whole and hands the entry to `emit`.
    private mutating func closeEntry() throws {
        guard let done = entry, let open = batch else { return }
        entry = nil
        try EntryAddendaRules.validate(done.record, addenda: done.addenda, sec: open.sec, findings)
        if let emit {
            try emit(EntryUnit.make(fileHeader: fileHeaderNode, batchHeader: open.node, sec: open.sec,
                                    entry: done.record, addenda: done.addenda))
        }
    }
}
