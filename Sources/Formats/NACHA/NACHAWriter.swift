import Canonical
import FormatKit
import Foundation

/// Writes outbound `payment` records as one balanced NACHA file.
///
/// - Entries are batched by company, SEC code, effective entry date (the payment's `executionDate`)
///   and description; batches are numbered from 1; service class 220/225/200 by their content.
/// - Trace numbers are the ODFI's 8 digits and a 7-digit sequence from the counter
///   `nacha.trace.<odfi>`, so they never repeat across files.
/// - The file ID modifier runs A–Z then 0–9 per destination per day from the counter
///   `nacha.fileid.<destination>.<yyyymmdd>`; a 37th file that day is refused.
/// - Header values come from the partner's settings (`immediateDestination`, `immediateOrigin`,
///   `immediateDestinationName`, `immediateOriginName`, `referenceCode`, `fileName`) or, when absent,
///   from the records: the destination is the originating bank (debtor.agent of a credit), the origin
///   the company (ach.companyId), the origin name the company's name.
/// - The file is filled with `9…` records to a multiple of 10 and validated by `NACHAReader`
///   before it is returned; nothing is written if any record or check fails.
///
/// Records stream in (`write(context:records:)`): each entry is checked and written into its
/// batch's bytes as it comes, with its trace number filled in once all are written; only those
/// bytes are held, never the records.
public struct NACHAWriter: StreamingRecordWriter {
    public init() {}

    /// One batch being written: its first entry (the header's values), its entry and addenda lines.
    private struct Batch {
        let first: OutboundEntry
        var lines: [UInt8] = []
        var totals = ControlTotals()
        var entries = 0
        var credits = false, debits = false
        init(first: OutboundEntry) { self.first = first }
    }

    /// Where a trace number goes until the counters have been drawn.
    private static let traceHolder = String(repeating: "0", count: 15)

    public func write(context: WriteContext, records: RecordStream) throws -> [OutputFile] {
        var batches: [Batch] = []
        var batchIndex: [OutboundEntry.BatchKey: Int] = [:]
        var last: (key: OutboundEntry.BatchKey, index: Int)?
        var banks = Set<String>()
        var lastBank = ""
        var firstEntry: OutboundEntry?
        var index = 0
        // The first problem is kept while the remaining records are still read, so that the errors
        // come in the order they did when every record was decoded, then checked, then written:
        // a line the input cannot decode, then a record that is not a NACHA entry, then the header,
        // then an entry whose text cannot be written.
        var entryProblem: FormatError?
        var writeProblem: FormatError?
        try records { record in
            defer { index += 1 }
            guard entryProblem == nil else { return }
            let entry: OutboundEntry
            do throws(FormatError) { entry = try OutboundEntry(record, index: index) } catch {
                entryProblem = error
                return
            }
            guard writeProblem == nil else { return }
            do throws(FormatError) {
                let key = entry.batchKey
                let b: Int
                if let last, last.key == key { b = last.index } else if let i = batchIndex[key] { b = i } else {
                    b = batches.count
                    batchIndex[key] = b
                    batches.append(Batch(first: entry))
                }
                last = (key, b)
                if firstEntry == nil { firstEntry = entry }
                if entry.odfiRouting != lastBank { banks.insert(entry.odfiRouting); lastBank = entry.odfiRouting }
                try entry.write(into: &batches[b].lines, trace: Self.traceHolder)
                batches[b].entries += 1
                batches[b].totals.entryAddendaCount += 1 + entry.remittance.count
                batches[b].totals.entryHash += Int64(entry.receiverRouting.prefix(8))!
                if entry.side == .debit { batches[b].totals.debit += entry.amountCents; batches[b].debits = true }
                else { batches[b].totals.credit += entry.amountCents; batches[b].credits = true }
            } catch {
                writeProblem = error
            }
        }
        if let entryProblem { throw entryProblem }
        guard let firstEntry else { throw FormatError("nacha.write.empty", "no payment records to write") }
        let header = try headerValues(first: firstEntry, banks: banks, context: context)
        if let writeProblem { throw writeProblem }

        // Every check that can fail without side effects is done; now take numbers from the counters.
        let dateKey = "20" + header.creationDate
        let modifierNumber = try context.counters.next("nacha.fileid.\(header.destination).\(dateKey)")
        guard let modifier = Self.fileIDModifier(modifierNumber) else {
            throw FormatError("nacha.write.file-id-modifier", "file ID modifiers A–Z and 0–9 are used up for destination \(header.destination) on \(dateKey); a 37th file that day cannot be sent",
                              segment: "fileHeader", field: "fileIDModifier")
        }
        // Trace sequences per ODFI, drawn at once: entry by entry in file order, as NACHA numbers them.
        var traceCount: [String: Int] = [:]
        var odfiOrder: [String] = []
        for batch in batches {
            let odfi = String(batch.first.odfiRouting.prefix(8))
            if traceCount[odfi] == nil { odfiOrder.append(odfi) }
            traceCount[odfi, default: 0] += batch.entries
        }
        var nextSequence: [String: Int64] = [:]
        for odfi in odfiOrder {
            let n = traceCount[odfi]!
            let first = try context.counters.next("nacha.trace.\(odfi)", count: n)
            guard first + Int64(n) - 1 <= 9_999_999 else {
                throw FormatError("nacha.write.trace", "trace sequence for ODFI \(odfi) passed 9,999,999", segment: "entryDetail", field: "traceNumber")
            }
            nextSequence[odfi] = first
        }

        let line = RecordText.length + 1
        let lineCount = 1 + batches.reduce(0) { $0 + 2 + $1.lines.count / line } + 1
        var bytes = [UInt8]()
        bytes.reserveCapacity((lineCount + 9) / 10 * 10 * line)
        bytes += try FileHeader.write([
            "immediateDestination": " " + header.destination, "immediateOrigin": header.origin,
            "fileCreationDate": header.creationDate, "fileCreationTime": header.creationTime, "fileIDModifier": modifier,
            "immediateDestinationName": header.destinationName, "immediateOriginName": header.originName,
            "referenceCode": header.referenceCode,
        ])
        bytes.append(10)
        var fileTotals = ControlTotals()
        for (number, batch) in batches.enumerated() {
            let first = batch.first
            let batchHeader = [
                "serviceClassCode": batch.credits && batch.debits ? "200" : (batch.credits ? "220" : "225"),
                "companyName": first.companyName, "companyIdentification": first.companyId,
                "standardEntryClassCode": first.sec, "companyEntryDescription": first.companyEntryDescription,
                "effectiveEntryDate": first.effectiveEntryDate, "originatorStatusCode": "1",
                "odfiIdentification": String(first.odfiRouting.prefix(8)), "batchNumber": String(number + 1),
            ]
            bytes += try BatchHeader.write(batchHeader)
            bytes.append(10)
            // The batch's lines with their trace numbers (entry: ODFI + sequence at 80–94; its addenda: the sequence at 88–94).
            let odfiKey = String(first.odfiRouting.prefix(8))
            let odfi = Array(odfiKey.utf8)
            var sequence = nextSequence[odfiKey]!
            let start = bytes.count
            bytes += batch.lines
            bytes.withUnsafeMutableBufferPointer { out in
                var at = start
                while at < out.count {
                    if out[at] == UInt8(ascii: "6") {
                        sequence += 1
                        for (k, b) in odfi.enumerated() { out[at + 79 + k] = b }
                    }
                    var n = sequence - 1
                    for k in stride(from: 93, through: 87, by: -1) { out[at + k] = UInt8(48 + n % 10); n /= 10 }
                    at += line
                }
            }
            nextSequence[odfiKey] = sequence
            bytes += try BatchControl.write(batch.totals, header: batchHeader)
            bytes.append(10)
            fileTotals.add(batch.totals)
        }
        let blockCount = (lineCount + 9) / 10
        bytes += try FileControl.write(fileTotals, batchCount: batches.count, blockCount: blockCount, adv: false)
        bytes.append(10)
        for _ in lineCount..<(blockCount * 10) {
            bytes.append(contentsOf: repeatElement(57, count: RecordText.length))
            bytes.append(10)
        }

        let problems = NACHAReader().validate(ByteReader(bytes: bytes)).filter { $0.severity == .error }
        guard problems.isEmpty else { throw FormatErrors(problems) }
        let name = context.settings["fileName"] ?? "ach-\(header.destination)-\(dateKey)-\(modifier).ach"
        return [OutputFile(name: name, bytes: bytes)]
    }

    /// A, B … Z for the 1st to 26th file, then 0 … 9; nil for the 37th and later.
    static func fileIDModifier(_ n: Int64) -> String? {
        switch n {
        case 1...26: String(UnicodeScalar(UInt8(64 + n)))
        case 27...36: String(n - 27)
        default: nil
        }
    }

    private struct HeaderValues {
        var destination, origin, destinationName, originName, referenceCode, creationDate, creationTime: String
    }

    private func headerValues(first: OutboundEntry, banks: Set<String>, context: WriteContext) throws(FormatError) -> HeaderValues {
        let settings = context.settings
        let destination: String
        if let given = settings["immediateDestination"]?.trimmingCharacters(in: .whitespaces) {
            destination = given
        } else {
            guard banks.count == 1 else {
                throw FormatError("nacha.write.destination", "records come from \(banks.count) originating banks (\(banks.sorted().joined(separator: ", "))); set immediateDestination in the partner's settings",
                                  segment: "fileHeader", field: "immediateDestination")
            }
            destination = banks.first!
        }
        guard destination.count == 9, RoutingNumber.isValid(destination) else {
            throw FormatError("nacha.write.destination", "immediate destination \"\(destination)\" is not a 9-digit routing number with a valid check digit",
                              segment: "fileHeader", field: "immediateDestination")
        }
        var origin = settings["immediateOrigin"] ?? first.companyId
        if origin.count == 9 { origin = " " + origin }

        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = context.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: context.now)
        let two = { (n: Int?) in String(n ?? 0).leftPadded(to: 2) }
        return HeaderValues(destination: destination, origin: origin,
                            destinationName: settings["immediateDestinationName"] ?? "",
                            originName: settings["immediateOriginName"] ?? String(first.companyName.prefix(23)),
                            referenceCode: settings["referenceCode"] ?? "",
                            creationDate: two((c.year ?? 2000) % 100) + two(c.month) + two(c.day),
                            creationTime: two(c.hour) + two(c.minute))
    }
}
