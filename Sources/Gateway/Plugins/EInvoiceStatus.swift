import Foundation
import GRDB
import Ledger

/// `dropgate status` lines for each e-invoice platform partner, warnings first: legal upload
/// deadlines missed (`LATE`) or within the warning period and still not released (`WARNING`),
/// SummaryResult disagreements (`ALERT`); then the queue and the next window, and the invoices
/// that need someone: rejected (for correction), refused at release, overdue results.
struct EInvoiceStatus {
    let config: GatewayConfig
    let queue: EInvoiceQueue
    let ledger: Ledger
    /// Longer lists are cut after this many lines.
    static let listLimit = 20

    func lines(now: Date) -> [String] {
        var warnings = [String](), report = [String]()
        for partner in config.partners where EInvoiceSettings.isPlatform(partner) {
            do {
                let s = try EInvoiceSettings(partner, config: config)
                let (w, r) = try lines(s, now: now)
                warnings += w; report += r
            } catch {
                warnings.append("ERROR e-invoices: \(error)")
            }
        }
        warnings += alerts(now: now)
        return warnings + report
    }

    private func lines(_ s: EInvoiceSettings, now: Date) throws -> (warnings: [String], report: [String]) {
        var warnings = [String]()
        for row in try queue.unreleased(partner: s.partner, deadlineBefore: now + s.deadline.warningPeriod) {
            guard let due = row.deadline else { continue }
            let what = "\(row.message) \(row.number) for \(s.partner): legal upload deadline \(s.show(due))"
            let why = row.state == .failed ? "refused at release" : "not yet released"
            warnings.append(due <= now ? "LATE \(what) passed \(hours(now.timeIntervalSince(due))) ago, \(why)"
                                       : "WARNING \(what) in \(hours(due.timeIntervalSince(now))), \(why)")
        }
        let counts = try queue.counts(partner: s.partner)
        let window = s.window.isOpen(at: now) ? "open now" : "opens \(s.show(s.window.nextOpening(after: now)))"
        var report = ["e-invoices for \(s.partner): " + QueuedEInvoice.State.allCases.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: ", ")
                      + "; upload window \(s.writerSettings["uploadWindow"] ?? "") \(window)"]
        report += cut(try queue.rows(partner: s.partner, state: .rejected).map {
            "  rejected \($0.message) \($0.number): \($0.resultCode ?? "?") \($0.resultMessage ?? "") — correct it and send it again"
        })
        report += cut(try queue.rows(partner: s.partner, state: .failed).map {
            "  refused \($0.message) \($0.number): \($0.error ?? "")"
        })
        report += cut(try queue.unanswered(partner: s.partner, releasedBefore: now - s.resultOverdue).map {
            "  overdue \($0.message) \($0.number): released \($0.releasedAt.map(s.show) ?? "?") in \($0.batchId ?? "?"), no platform result after \(hours(s.resultOverdue))"
        })
        return (cut(warnings), report)
    }

    /// SummaryResult disagreements of the last 7 days (by the ledger's clock).
    private func alerts(now: Date) -> [String] {
        let rows = (try? ledger.read { db in
            try String.fetchAll(db, sql: "SELECT detail FROM audit WHERE event = ? AND at >= ? ORDER BY seq DESC LIMIT ?",
                                arguments: [EInvoiceResults.alertEvent, now - 7 * 86400, EInvoiceStatus.listLimit])
        }) ?? []
        return rows.map { "ALERT e-invoice \($0)" }
    }

    private func cut(_ lines: [String]) -> [String] {
        lines.count <= EInvoiceStatus.listLimit ? lines
            : Array(lines.prefix(EInvoiceStatus.listLimit)) + ["  … and \(lines.count - EInvoiceStatus.listLimit) more"]
    }

    private func hours(_ interval: TimeInterval) -> String {
        let h = Int(interval / 3600)
        if h >= 72 { return "\(h / 24) days" }
        return h >= 1 ? "\(h) h" : "\(max(1, Int(interval / 60))) min"
    }
}
