import Foundation
import Canonical
import FormatKit
import Ledger
import NACHA

/// ACH returns matched to what we sent.
///
/// - **Entries sent.** Every NACHA file a route emits is read back (the writer's own output, with
///   the trace numbers it drew from the ledger's counters) and each entry's trace number, amount
///   and transaction code is recorded with the file's `outbound` row (`ach_entries`).
/// - **Returns.** A payment record of an inbound NACHA file whose addenda 99 carries the original
///   entry's trace number is a return: matched to the entry we sent, it becomes an
///   `outbound.rejected` event (the original outbound file, trace number, amount, return reason
///   code and its description, the inbound file); a return of an entry we have no record of
///   becomes `ach.return.unmatched` (same data without the original) — not an error, the file is
///   archived as usual. Each return is recorded once (`ach_returns`), so a crash and a rerun of the
///   hook publish nothing twice.
public struct ACHPlugin: PipelinePlugin {
    public init() {}

    public func afterEmit(_ path: String, format: String, partner: String, channel: String, pipeline: Pipeline) {
        guard format == NACHAFormat.id else { return }
        do {
            var entries = [ACHSentEntry]()
            guard let reader = NACHAFormat.reader(options: FormatOptions()) else { return }
            try reader.read(ByteReader(path: path)) { unit in
                guard let detail = unit.child("entryDetail"), let trace = detail["traceNumber"], let cents = detail["amount"].flatMap({ Int128($0) }) else { return }
                entries.append(ACHSentEntry(traceNumber: trace, amount: Amount(minorUnits: cents, scale: 2).description,
                                            transactionCode: detail["transactionCode"] ?? "", receiverName: detail["individualName"]))
            }
            if try pipeline.ledger.recordACHEntries(outboundPath: path, entries) == nil {
                pipeline.logger.warning("\(partner) \(path): no outbound row for this NACHA file; its entries cannot be matched to returns")
            }
        } catch {
            pipeline.logger.error("\(partner) \(path): cannot record the ACH entries sent: \(error)")
        }
    }

    public func afterTranslate(_ file: FileEntry, channel: GatewayConfig.Channel, records: StoredRecords, pipeline: Pipeline) {
        guard file.format == NACHAFormat.id, let fileId = file.id else { return }
        do {
            for record in try records.all() {
                guard case .payment(let payment) = record.body, payment.direction == .return, let ach = payment.ach,
                      let addenda = ach.addenda.first(where: { $0["typeCode"]?.stringValue == "99" }),
                      let original = addenda["originalTrace"]?.stringValue, let code = ach.returnCode ?? addenda["returnCode"]?.stringValue else { continue }
                let match = try pipeline.ledger.achSentEntry(traceNumber: original)
                var data: JSONObject = [
                    "trace_number": .string(original),
                    "amount": .string(payment.amount.description),
                    "currency": .string(payment.currency),
                    "return_code": .string(code),
                    "return_reason": ACHReturnReason.description(code).map(JSONValue.string) ?? .null,
                    "return_trace_number": ach.traceNumber.map(JSONValue.string) ?? .null,
                    "inbound_file_id": .number(String(fileId)),
                    "inbound_file_name": .string(file.name),
                    "record_id": .string(record.id),
                ]
                let audit: String
                if let match {
                    data["outbound_id"] = .number(String(match.outboundId))
                    data["outbound_name"] = .string(match.outboundName)
                    data["outbound_partner"] = .string(match.partner)
                    data["outbound_channel"] = .string(match.channel)
                    data["original_amount"] = .string(match.entry.amount)
                    data["source_file_id"] = match.sourceFileId.map { .number(String($0)) } ?? .null
                    audit = "\(code) for trace \(original) of \(match.partner)/\(match.channel)/\(match.outboundName)"
                } else {
                    audit = "\(code) for trace \(original): not an entry we sent"
                    pipeline.logger.warning("\(file.partner) \(file.name): ACH return \(code) for trace number \(original), which no NACHA file we sent carries")
                }
                try pipeline.ledger.recordACHReturn(fileId: fileId, recordId: record.id, originalTrace: original, returnCode: code, amount: payment.amount.description,
                                                    entryId: match?.entryId, eventType: match == nil ? "ach.return.unmatched" : "outbound.rejected",
                                                    eventData: JSONValue.object(data).jsonText, audit: audit)
            }
        } catch {
            pipeline.logger.error("\(file.partner) \(file.name): ACH returns not matched: \(error)")
        }
    }
}
