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
public struct NACHAWriter: RecordWriter {
    public init() {}

    public func write(_ records: [Record], context: WriteContext) throws -> [OutputFile] {
        guard !records.isEmpty else { throw FormatError("nacha.write.empty", "no payment records to write") }
        let entries = try records.enumerated().map { (i, r) throws(FormatError) in try OutboundEntry(r, index: i) }
        let header = try headerValues(entries, context: context)

        var batches: [(key: [String], entries: [OutboundEntry])] = []
        var batchIndex: [[String]: Int] = [:]
        for entry in entries {
            if let i = batchIndex[entry.batchKey] { batches[i].entries.append(entry) } else {
                batchIndex[entry.batchKey] = batches.count
                batches.append((entry.batchKey, [entry]))
            }
        }

        // Every check that can fail without side effects is done; now take numbers from the counters.
        let dateKey = "20" + header.creationDate
        let modifierNumber = try context.counters.next("nacha.fileid.\(header.destination).\(dateKey)")
        guard let modifier = Self.fileIDModifier(modifierNumber) else {
            throw FormatError("nacha.write.file-id-modifier", "file ID modifiers A–Z and 0–9 are used up for destination \(header.destination) on \(dateKey); a 37th file that day cannot be sent",
                              segment: "fileHeader", field: "fileIDModifier")
        }

        var lines: [[UInt8]] = []
        lines.append(try FileHeader.write([
            "immediateDestination": " " + header.destination, "immediateOrigin": header.origin,
            "fileCreationDate": header.creationDate, "fileCreationTime": header.creationTime, "fileIDModifier": modifier,
            "immediateDestinationName": header.destinationName, "immediateOriginName": header.originName,
            "referenceCode": header.referenceCode,
        ]))
        var fileTotals = ControlTotals()
        for (number, batch) in batches.enumerated() {
            let first = batch.entries[0]
            let sides = Set(batch.entries.map(\.side))
            let batchHeader = [
                "serviceClassCode": sides.count > 1 ? "200" : (sides.first == .credit ? "220" : "225"),
                "companyName": first.companyName, "companyIdentification": first.companyId,
                "standardEntryClassCode": first.sec, "companyEntryDescription": first.companyEntryDescription,
                "effectiveEntryDate": first.effectiveEntryDate, "originatorStatusCode": "1",
                "odfiIdentification": String(first.odfiRouting.prefix(8)), "batchNumber": String(number + 1),
            ]
            lines.append(try BatchHeader.write(batchHeader))
            var totals = ControlTotals()
            for entry in batch.entries {
                let odfi = String(entry.odfiRouting.prefix(8))
                let sequence = try context.counters.next("nacha.trace.\(odfi)")
                guard sequence <= 9_999_999 else {
                    throw FormatError("nacha.write.trace", "trace sequence for ODFI \(odfi) passed 9,999,999", segment: "entryDetail", field: "traceNumber")
                }
                let trace = odfi + String(sequence).leftPadded(to: 7)
                lines.append(try entry.entryRecord(trace: trace))
                for (i, text) in entry.remittance.enumerated() {
                    lines.append(try Addenda.writeRemittance(text, sequence: i + 1, entryTrace: trace))
                }
                totals.entryAddendaCount += 1 + entry.remittance.count
                totals.entryHash += Int64(entry.receiverRouting.prefix(8))!
                if entry.side == .debit { totals.debit += entry.amountCents } else { totals.credit += entry.amountCents }
            }
            lines.append(try BatchControl.write(totals, header: batchHeader))
            fileTotals.add(totals)
        }
        let blockCount = (lines.count + 1 + 9) / 10
        lines.append(try FileControl.write(fileTotals, batchCount: batches.count, blockCount: blockCount, adv: false))
        while lines.count % 10 != 0 { lines.append([UInt8](repeating: 57, count: RecordText.length)) }

        var bytes = [UInt8]()
        bytes.reserveCapacity(lines.count * 95)
        for line in lines { bytes += line; bytes.append(10) }

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

    private func headerValues(_ entries: [OutboundEntry], context: WriteContext) throws(FormatError) -> HeaderValues {
        let settings = context.settings
        let destination: String
        if let given = settings["immediateDestination"]?.trimmingCharacters(in: .whitespaces) {
            destination = given
        } else {
            let banks = Set(entries.map(\.odfiRouting))
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
        var origin = settings["immediateOrigin"] ?? entries[0].companyId
        if origin.count == 9 { origin = " " + origin }

        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = context.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: context.now)
        let two = { (n: Int?) in String(n ?? 0).leftPadded(to: 2) }
        return HeaderValues(destination: destination, origin: origin,
                            destinationName: settings["immediateDestinationName"] ?? "",
                            originName: settings["immediateOriginName"] ?? String(entries[0].companyName.prefix(23)),
                            referenceCode: settings["referenceCode"] ?? "",
                            creationDate: two((c.year ?? 2000) % 100) + two(c.month) + two(c.day),
                            creationTime: two(c.hour) + two(c.minute))
    }
}
