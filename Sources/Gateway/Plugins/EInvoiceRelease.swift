import Foundation
import Canonical
import FormatKit
import Ledger
import Logging
import TWEInvoice

/// Releases a platform partner's queued e-invoices to the upload client, one batch per call.
///
/// A batch is marked `releasing` in the ledger before its first file is written, and `released`
/// once every file sits in `UpCast/<area>/<message>/SRC/` (temp name, then rename). A crash in
/// between leaves the batch `releasing`; the next call writes it again (same names, whole files)
/// before anything new.
struct EInvoiceRelease {
    let settings: EInvoiceSettings
    let queue: EInvoiceQueue
    let ledger: Ledger
    let logger: Logger

    var handOff: HandOff { HandOff(root: settings.handOffRoot) }

    func releaseIfDue(now: Date) {
        guard settings.window.isOpen(at: now) else { return }
        do {
            let unfinished = try queue.rows(partner: settings.partner, state: .releasing)
            if !unfinished.isEmpty {
                try write(unfinished, batchId: unfinished[0].batchId ?? "?", now: now)
                return
            }
            let waiting = try queue.rows(partner: settings.partner, state: .queued)
            guard !waiting.isEmpty else { return }
            let planner = BatchPlanner(maxPerBatch: settings.batchSize, window: settings.window)
            let batch = rows(of: planner.release(waiting.map(planned), at: now, previousTaken: try previousTaken()), in: waiting)
            guard !batch.isEmpty else { return }
            let batchId = settings.partner + "-" + String(format: "%06lld", try ledger.nextCounter("einvoice-batch:" + settings.partner))
            try queue.begin(batch.map { $0.id! }, batchId: batchId, at: now, uploadDay: settings.day(of: now))
            try write(batch, batchId: batchId, now: now)
        } catch {
            logger.error("\(settings.partner) e-invoice release: \(error)")
        }
    }

    /// Whether the upload client has taken every file of the previous release out of SRC.
    func previousTaken() throws -> Bool {
        try queue.latestBatchMessages(partner: settings.partner).allSatisfy { code in
            MessageType.named(code, version: settings.version).map(handOff.isTaken) ?? true
        }
    }

    func planned(_ row: QueuedEInvoice) -> PlannedMessage {
        let kind = Invoice.Kind(rawValue: row.kind) ?? .invoice
        let refers = kind == .cancel || kind == .void || kind == .allowanceCancel ? row.originalNumber ?? row.number : row.originalNumber
        return PlannedMessage(number: row.number, kind: kind, references: refers, message: row.message)
    }

    /// The planner's messages back as queue rows (equal messages taken in queue order).
    func rows(of batch: [PlannedMessage], in waiting: [QueuedEInvoice]) -> [QueuedEInvoice] {
        var byMessage = [PlannedMessage: [QueuedEInvoice]]()
        for row in waiting.reversed() { byMessage[planned(row), default: []].append(row) }
        return batch.compactMap { byMessage[$0]?.popLast() }
    }

    /// Writes one file per message (a message the writer refuses — over the size limit, say — is
    /// marked `failed` with the error; the others go on) and hands them to the upload client.
    func write(_ batch: [QueuedEInvoice], batchId: String, now: Date) throws {
        let writer = settings.writer(queue: queue)
        let context = settings.context(now: now)
        var files = [OutputFile]()
        var delivered = [(id: Int64, fileName: String)]()
        for row in batch {
            do {
                let record = try JSONLines.decode(line: row.record)
                files += try writer.write([record], context: context)
                delivered.append((row.id!, files.last!.name))
            } catch {
                try queue.fail(row.id!, error: "\(error)", at: now)
                try ledger.audit(fileId: row.sourceFileId, "einvoice-refused", "\(row.message) \(row.number) in \(batchId): \(error)")
                logger.error("\(settings.partner) \(row.message) \(row.number) state=failed batch=\(batchId): \(error)")
            }
            // Handed over in slices, so a batch of thousands is never all in memory at once.
            if files.count == 500 {
                try handOff.deliver(files, version: settings.version)
                files.removeAll(keepingCapacity: true)
            }
        }
        try handOff.deliver(files, version: settings.version)
        try queue.released(delivered, at: now)
        try ledger.audit(fileId: nil, "einvoice-released",
                         "\(batchId): \(delivered.count) message(s) to \(settings.handOffRoot)/UpCast" + (delivered.count < batch.count ? ", \(batch.count - delivered.count) refused" : ""))
        logger.info("\(settings.partner) state=released batch=\(batchId) messages=\(delivered.count) refused=\(batch.count - delivered.count)")
    }
}
