import Foundation
import Canonical
import FormatKit
import Ledger
import Logging
import TWEInvoice

/// Applies the platform's answers (acknowledgments read from ProcessResult / SummaryResult files,
/// `mappings/tw-einvoice/acknowledgment.yaml`) to the sent e-invoices, and runs the missed-upload
/// check: a SummaryResult's count per message type must equal what we sent that day.
struct EInvoiceResults {
    let queue: EInvoiceQueue
    let ledger: Ledger
    let logger: Logger

    /// The audit event of a SummaryResult that disagrees with what was sent (status lists it).
    static let alertEvent = "einvoice-summary-alert"

    func apply(_ records: [Record], from file: FileEntry) {
        do {
            var days = [String: Int]()
            for record in records {
                guard case .acknowledgment(let ack) = record.body, ack.subject.format == TWEInvoiceFormat.id,
                      let number = ack.subject.invoiceNumber, let message = record.extra?["messageType"]?.stringValue else { continue }
                let error = ack.items.first?.errors.first
                let state: QueuedEInvoice.State = ack.status == .rejected ? .rejected : .accepted
                if try !queue.recordResult(number: number, message: message, state: state, code: error?.code, text: error?.message, at: Date()) {
                    try ledger.audit(fileId: file.id, "einvoice-result-unmatched", "\(message) \(number): \(ack.status.rawValue), but no such message was sent")
                }
                if let day = try queue.uploadDay(number: number, message: message) { days[day, default: 0] += 1 }
            }
            try checkSummary(file, namedDays: days)
        } catch {
            logger.error("e-invoice results from \(file.name): \(error)")
        }
    }

    /// For a SummaryResult: compares its totals per message type with what we sent on its day —
    /// the day most of its listed invoices were sent, or else our latest upload day.
    func checkSummary(_ file: FileEntry, namedDays: [String: Int]) throws {
        let stated: [String: SummaryCounts]
        do { stated = try SummaryResultCheck.counts(try ByteReader(path: file.workPath)) } catch { return }   // not a SummaryResult
        let latest = try queue.latestUploadDay()
        guard let day = namedDays.max(by: { ($0.value, $0.key) < ($1.value, $1.key) })?.key ?? latest else {
            let problems = SummaryResultCheck.discrepancies(stated: stated, sent: [:])
            if !problems.isEmpty { try alert(file, "nothing was sent: " + problems.joined(separator: "; ")) }
            return
        }
        let problems = SummaryResultCheck.discrepancies(stated: stated, sent: try queue.sentCounts(uploadDay: day))
        if !problems.isEmpty { try alert(file, "upload day \(day): " + problems.joined(separator: "; ")) }
    }

    private func alert(_ file: FileEntry, _ detail: String) throws {
        try ledger.audit(fileId: file.id, EInvoiceResults.alertEvent, "SummaryResult \(file.name), \(detail)")
        logger.warning("e-invoice SummaryResult \(file.name) disagrees with what was sent: \(detail)")
    }
}
