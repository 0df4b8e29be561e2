import Foundation
import Canonical
import FormatKit
import Ledger
import X12

/// What the running gateway does for X12 trading partners beyond translating their files.
///
/// - **Duplicate interchanges.** An interchange is identified by sender (`ISA05:ISA06`), receiver
///   (`ISA07:ISA08`) and ISA13. When a file brings one that the same partner already sent in a
///   translated file within the channel option `duplicateInterchangeDays` (default 30; 0 turns
///   the check off), the file is quarantined with code `x12.duplicate-interchange` — a resent
///   interchange, even when its bytes differ (a byte-identical file is the pipeline's `duplicate`).
/// - **Acknowledgments.** With the channel option `acknowledge: <channel>`, every inbound file
///   gets its 997/999 (and TA1) in `outbox/<partner>/<channel>/` — for a quarantined file too, so
///   the partner learns what was wrong (a duplicate interchange gets TA1 code 025).
/// - **Groups we send.** Every functional group of an X12 file a route emits is tracked as `sent`
///   until the partner's 997/999 arrives and says accepted, accepted with errors or rejected;
///   `dropgate status` lists rejected ones and those still unanswered after the partner setting
///   `ackOverdueHours` (default 24).
public struct X12Plugin: PipelinePlugin {
    public init() {}

    /// The quarantine code of a resent interchange.
    public static let duplicateCode = "x12.duplicate-interchange"
    /// Channel options and partner setting this plugin reads.
    static let windowOption = "duplicateInterchangeDays"
    static let ackOption = "acknowledge"
    static let overdueSetting = "ackOverdueHours"

    public func beforeTranslate(_ file: FileEntry, channel: GatewayConfig.Channel, pipeline: Pipeline) throws {
        guard Self.isX12(path: file.workPath, declared: channel.format) else { return }
        // An unreadable file is left to the translation, which reports it with its position.
        guard let reports = try? Self.reader(channel, pipeline).reports(ByteReader(path: file.workPath)) else { return }
        guard let first = try duplicates(in: reports, of: file, channel: channel, ledger: pipeline.ledger).first else { return }
        let header = reports[first.index].header
        let earlierName = (try? pipeline.ledger.file(id: first.earlier.fileId))?.name ?? "?"
        throw ErrorReport(file: file.name, sha256: file.sha256, partner: file.partner, format: X12Format.id, stage: .validate,
                          code: Self.duplicateCode,
                          message: "interchange \(reports[first.index].key) was already received in file \(first.earlier.fileId) (\(earlierName)) "
                            + "on \(first.earlier.receivedAt.ISO8601Format()); a resend within \(try Self.windowDays(channel, file: file)) days is quarantined "
                            + "(channel option \(Self.windowOption))",
                          line: header.line, column: header.column, segment: "ISA", field: "ISA13")
    }

    public func afterTranslate(_ file: FileEntry, channel: GatewayConfig.Channel, records: StoredRecords, pipeline: Pipeline) {
        guard file.format == X12Format.id, let id = file.id else { return }
        let ledger = pipeline.ledger
        do {
            let reports = try Self.reader(channel, pipeline).reports(ByteReader(path: Self.currentPath(file)))
            try ledger.recordX12Interchanges(reports.filter { $0.header.elements.count == 16 }.map {
                X12ReceivedInterchange(partner: file.partner, sender: $0.key.sender, receiver: $0.key.receiver,
                                       controlNumber: $0.key.controlNumber, fileId: id, receivedAt: file.receivedAt)
            })
            // Only the acknowledgments are read back (a large file of orders stays out of memory).
            var acknowledgments = [Record]()
            try ledger.forEachRecord(fileId: id, type: RecordType.acknowledgment.rawValue) { acknowledgments.append(try JSONLines.decode(line: $0)) }
            try applyAcknowledgments(acknowledgments, from: file, pipeline: pipeline)
            X12AckSender(file: file, channel: channel, pipeline: pipeline).send(reports)
        } catch {
            pipeline.logger.error("\(file.partner) \(file.name): x12 interchange tracking failed: \(error)")
        }
    }

    public func afterQuarantine(_ file: FileEntry, channel: GatewayConfig.Channel, report: ErrorReport, pipeline: Pipeline) {
        guard channel.options[Self.ackOption] != nil, let path = file.finalPath,
              Self.isX12(path: path, declared: file.format ?? channel.format) else { return }
        let sender = X12AckSender(file: file, channel: channel, pipeline: pipeline)
        do {
            let reports = try Self.reader(channel, pipeline).reports(ByteReader(path: path))
            let resent = report.code == Self.duplicateCode
                ? Set(try duplicates(in: reports, of: file, channel: channel, ledger: pipeline.ledger).map(\.index)) : []
            sender.send(reports, resent: resent)
        } catch {
            sender.failed(error)
        }
    }

    public func afterEmit(_ path: String, format: String, partner: String, channel: String, pipeline: Pipeline) {
        guard format == X12Format.id else { return }
        do {
            let now = Date()
            let groups = try X12Reader().reports(ByteReader(path: path)).flatMap { interchange in
                interchange.groups.filter { $0.functionalID != "FA" }.map {
                    X12SentGroup(partner: partner, interchangeControlNumber: interchange.header.trimmed(13), groupControlNumber: $0.controlNumber,
                                 functionalId: $0.functionalID, setCount: $0.sets.count, sentAt: now, path: path)
                }
            }
            try pipeline.ledger.recordX12SentGroups(groups)
        } catch {
            pipeline.logger.error("\(partner) \(path): cannot track the X12 groups sent: \(error)")
        }
    }

    public func statusLines(config: GatewayConfig, ledger: Ledger, now: Date) -> [String] {
        X12GroupStatus(config: config, now: now).lines((try? ledger.x12SentGroups()) ?? [])
    }

    // MARK: helpers

    /// The 997/999 records of an inbound file settle the groups we sent to its partner.
    func applyAcknowledgments(_ records: [Record], from file: FileEntry, pipeline: Pipeline) throws {
        for record in records {
            guard case .acknowledgment(let ack) = record.body, ack.subject.format == X12Format.id,
                  let group = ack.subject.groupControlNumber, let state = X12GroupState(rawValue: ack.status.rawValue) else { continue }
            let functionalID = record.extra?["acknowledgedFunctionalGroup"]?.stringValue
            let matched = try pipeline.ledger.acknowledgeX12Group(partner: file.partner, groupControlNumber: group, functionalId: functionalID,
                                                                  state: state, ackFileId: file.id!)
            if matched == 0 {
                pipeline.logger.warning("\(file.partner) \(file.name): acknowledgment for group \(group) \(functionalID ?? ""), which we did not send")
            }
        }
    }

    /// The interchanges of `reports` (by index) the partner already sent within the window.
    func duplicates(in reports: [X12InterchangeReport], of file: FileEntry, channel: GatewayConfig.Channel,
                    ledger: Ledger) throws -> [(index: Int, earlier: X12ReceivedInterchange)] {
        let days = try Self.windowDays(channel, file: file)
        guard days > 0 else { return [] }
        let since = file.receivedAt.addingTimeInterval(-Double(days) * 86_400)
        return try reports.enumerated().compactMap { index, report in
            guard report.header.elements.count == 16 else { return nil }
            let key = report.key
            return try ledger.earlierX12Interchange(partner: file.partner, sender: key.sender, receiver: key.receiver,
                                                    controlNumber: key.controlNumber, since: since, excludingFileId: file.id)
                .map { (index, $0) }
        }
    }

    /// `duplicateInterchangeDays`: a whole number of days, 30 when absent.
    static func windowDays(_ channel: GatewayConfig.Channel, file: FileEntry) throws -> Int {
        guard let text = channel.options[windowOption] else { return 30 }
        guard let days = Int(text), days >= 0 else {
            throw ErrorReport(file: file.name, sha256: file.sha256, partner: channel.partner, format: X12Format.id, stage: .validate, code: "x12.option",
                              message: "channel \(channel.partner)/\(channel.name) option \(windowOption) \"\(text)\" is not a whole number of days")
        }
        return days
    }

    /// The channel's reader as the translation saw it: its partner's companion guides and, with
    /// `grammars:`, the grammars below the gateway's mappings folder.
    static func reader(_ channel: GatewayConfig.Channel, _ pipeline: Pipeline) -> X12Reader {
        var options = channel.options
        options.partner = channel.partner
        options.mappingsDirectory = pipeline.config.mappingsDir
        return X12Reader(options: options)
    }

    /// A channel that names its format is believed; otherwise the content decides.
    static func isX12(path: String, declared: String?) -> Bool {
        if let declared { return declared == X12Format.id }
        guard let prefix = try? ByteReader(path: path).peek(4096) else { return false }
        return X12Format.detect(prefix)
    }

    /// Where the file is now: in hand, or already archived/quarantined.
    static func currentPath(_ file: FileEntry) -> String {
        FileManager.default.fileExists(atPath: file.workPath) ? file.workPath : (file.finalPath ?? file.workPath)
    }
}
