import Foundation
import Canonical
import FormatKit
import Ledger
import TWEInvoice

/// The gateway side of Taiwan's e-invoice platform.
///
/// - Queue: a route emitting `tw-einvoice` to a partner whose settings have an `uploadWindow`
///   (see `EInvoiceSettings`) does not write files at once: its invoices are checked now with the
///   platform writer's rules (one failure refuses the whole route) and held in the ledger.
/// - Release (`tick`): inside the window only, at most `batchSize` messages at a time, a cancel or
///   void never before its invoice, and the next batch only once the upload client has emptied
///   the SRC folders of the previous one (`EInvoiceRelease`).
/// - Results: ProcessResult / SummaryResult acknowledgments from a `tw-einvoice` channel mark the
///   sent invoices accepted or rejected; a SummaryResult whose counts differ from what was sent
///   that day raises an alert (`EInvoiceResults`).
/// - Status: queue, next window, deadlines close or missed, rejections, overdue results, alerts.
public struct EInvoicePlugin: PipelinePlugin {
    public init() {}

    public func handleEmit(_ records: [Record], route: GatewayConfig.Route, source: FileEntry, pipeline: Pipeline) throws -> Bool {
        guard route.format == TWEInvoiceFormat.id, let partner = pipeline.config.partner(named: route.toPartner),
              EInvoiceSettings.isPlatform(partner) else { return false }
        let settings = try EInvoiceSettings(partner, config: pipeline.config)
        let queue = EInvoiceQueue(ledger: pipeline.ledger)
        let issuedHere = Set(records.compactMap { r -> String? in
            guard case .invoice(let i) = r.body, EInvoiceQueue.issuingKinds.contains(i.kind.rawValue) else { return nil }
            return i.number
        })
        let now = Date()
        let files: [OutputFile]
        do {
            files = try settings.writer(queue: queue, alsoIssued: issuedHere).write(records, context: settings.context(now: now))
        } catch {
            throw EmitError("\(records.count) e-invoice(s) for \(partner.name) refused, none queued:\n\(error)")
        }
        // The writer returns one file per record, in order, named `<message>_<number>.xml`.
        let rows = try zip(records, files).map { record, file -> QueuedEInvoice in
            guard case .invoice(let invoice) = record.body else { throw EmitError("record \(record.id) is not an invoice") }
            let business = invoice.buyer.id != nil && invoice.buyer.id != BusinessID.consumer
            return QueuedEInvoice(
                id: nil, partner: partner.name, recordId: record.id, sourceFileId: source.id, number: invoice.number,
                kind: invoice.kind.rawValue, originalNumber: invoice.originalNumber, message: String(file.name.prefix(while: { $0 != "_" })),
                issueDate: invoice.issueDate, deadline: settings.deadline.deadline(issueDate: invoice.issueDate, businessBuyer: business),
                record: try JSONLines.line(record), state: .queued, batchId: nil, fileName: nil, releasedAt: nil, uploadDay: nil,
                resultCode: nil, resultMessage: nil, resultAt: nil, error: nil, queuedAt: now, updatedAt: now)
        }
        try queue.add(rows)
        try pipeline.ledger.audit(fileId: source.id, "einvoice-queued", "\(route.name): \(rows.count) e-invoice(s) for \(partner.name), waiting for the upload window")
        pipeline.logger.info("\(partner.name) state=queued route=\(route.name) e-invoices=\(rows.count)")
        return true
    }

    public func tick(now: Date, pipeline: Pipeline) {
        for partner in pipeline.config.partners where EInvoiceSettings.isPlatform(partner) {
            // A partner with malformed settings has nothing queued (its routes were refused); status names the problem.
            guard let settings = try? EInvoiceSettings(partner, config: pipeline.config) else { continue }
            EInvoiceRelease(settings: settings, queue: EInvoiceQueue(ledger: pipeline.ledger), ledger: pipeline.ledger, logger: pipeline.logger)
                .releaseIfDue(now: now)
            do { try EInvoiceQueue(ledger: pipeline.ledger).warnDeadlines(partner: partner.name, before: now + settings.deadline.warningPeriod, now: now) } catch {
                pipeline.logger.error("e-invoice deadline warnings for \(partner.name): \(error)")
            }
        }
    }

    public func afterTranslate(_ file: FileEntry, channel: GatewayConfig.Channel, records: StoredRecords, pipeline: Pipeline) {
        // Results only concern a gateway that uploads: one with a platform partner.
        guard (file.format ?? channel.format) == TWEInvoiceFormat.id, pipeline.config.partners.contains(where: EInvoiceSettings.isPlatform) else { return }
        do {
            EInvoiceResults(queue: EInvoiceQueue(ledger: pipeline.ledger), ledger: pipeline.ledger, logger: pipeline.logger)
                .apply(try records.all(), from: file)
        } catch {
            pipeline.logger.error("\(file.partner) \(file.name): cannot read its records for the upload results: \(error)")
        }
    }

    public func statusLines(config: GatewayConfig, ledger: Ledger, now: Date) -> [String] {
        EInvoiceStatus(config: config, queue: EInvoiceQueue(ledger: ledger), ledger: ledger).lines(now: now)
    }
}
