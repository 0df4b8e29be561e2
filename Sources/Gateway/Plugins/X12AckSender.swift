import Foundation
import FormatKit
import Ledger
import Transport
import X12

/// Writes the acknowledgment of one inbound X12 file into the partner's outbound channel named by
/// the channel option `acknowledge`: `outbox/<partner>/<channel>/<name>.<file id>.ack.x12` (the
/// file id keeps a partner's reused file names apart), recorded in the ledger's outbound table
/// under the route `x12-ack`, once per file (a repeat after a crash finds it and stops).
struct X12AckSender {
    static let route = "x12-ack"

    let file: FileEntry
    let channel: GatewayConfig.Channel
    let pipeline: Pipeline

    var target: String? { channel.options[X12Plugin.ackOption].flatMap { $0.isEmpty ? nil : $0 } }
    var name: String { "\(FileNames.safe(file.name)).\(file.id ?? 0).ack.x12" }

    /// Acknowledges `reports`; the interchanges at the indices in `resent` are duplicates and get
    /// only a rejecting TA1 (code 025). Failures are logged and recorded as a failed outbound file.
    func send(_ reports: [X12InterchangeReport], resent: Set<Int> = []) {
        guard let target, let id = file.id else { return }
        let ledger = pipeline.ledger
        do {
            if try ledger.outboundExists(sourceFileId: id, route: Self.route) { return }
            let answers = Self.answerable(reports, resent: resent)
            guard !answers.isEmpty else { return }
            let bytes = try X12Acknowledger(partner: file.partner, counters: LedgerCounters(ledger: ledger)).acknowledge(answers)
            let path = "\(pipeline.config.outbox)/\(file.partner)/\(target)/\(name)"
            try AtomicFile.write(bytes, to: path)
            try ledger.recordOutbound(partner: file.partner, channel: target, format: X12Format.id, name: name, path: path,
                                      sourceFileId: id, route: Self.route, recordCount: answers.reduce(0) { $0 + $1.groups.count })
            pipeline.logger.info("\(file.partner) \(name) state=emitted route=\(Self.route)")
        } catch {
            failed(error)
        }
    }

    /// Records that the acknowledgment could not be made (shown by `dropgate status`).
    func failed(_ error: Error) {
        guard let target else { return }
        try? pipeline.ledger.recordOutbound(partner: file.partner, channel: target, format: X12Format.id, name: "(failed)", path: "",
                                            sourceFileId: file.id, route: Self.route, recordCount: 0, error: "\(error)")
        pipeline.logger.error("\(file.partner) \(file.name): cannot acknowledge: \(error)")
    }

    /// The interchanges that get an answer. Groups of acknowledgments (GS01 `FA`) are never
    /// acknowledged themselves; an interchange left without groups is answered only when its
    /// ISA14 asks for a TA1 or it is broken; one without a readable ISA has nowhere to go.
    static func answerable(_ reports: [X12InterchangeReport], resent: Set<Int>) -> [X12InterchangeReport] {
        reports.enumerated().compactMap { index, report in
            guard report.header.elements.count == 16 else { return nil }
            var answer = report
            if resent.contains(index) {
                let isa = report.header
                answer.findings.insert(X12Finding(.interchange, ackCode: "025", FormatError(
                    X12Plugin.duplicateCode, "duplicate interchange control number \(isa.trimmed(13)) (TA1 code 025)",
                    line: isa.line, column: isa.column, segment: "ISA", field: "ISA13")), at: 0)
                answer.groups = []
            }
            answer.groups.removeAll { $0.functionalID == "FA" }
            let wanted = !answer.groups.isEmpty || answer.header[14] == "1" || answer.hasInterchangeErrors
            return wanted ? answer : nil
        }
    }
}
