import Foundation
import Ledger
import Transport

/// One outbound channel with `deliver:`: on its schedule (inside its window, before its cutoff
/// on a business day) every file waiting in `outbox/<partner>/<channel>/` becomes an
/// `sftp_items` row and is uploaded (temp name + rename unless `rename: false`). The ledger
/// marks it `delivered` only after the final name is in place, and the file then leaves the
/// outbox for `var/delivered/`. A failed upload is retried with backoff, then dead-lettered.
final class SFTPDeliveryRun {
    let outbound: OutboundChannel
    let deliver: SFTPDeliveryConfig
    private let client: SFTPClient
    private let pusher: SFTPPusher
    private var scheduled: Date?

    init(outbound: OutboundChannel, deliver: SFTPDeliveryConfig, now: Date) {
        self.outbound = outbound
        self.deliver = deliver
        client = SFTPClient(settings: deliver.connection)
        pusher = SFTPPusher(store: client, settings: deliver.push)
        scheduled = deliver.schedule.runsAtStart ? now : deliver.schedule.schedule.nextRun(after: now)
    }

    private func openItems(_ ledger: Ledger) -> [SFTPItem] {
        (try? ledger.openSFTPItems(kind: .delivery, partner: outbound.partner, channel: outbound.name)) ?? []
    }

    /// When this channel wants to run next: its schedule, or the earliest retry (outside the
    /// window or after the cutoff, retries are looked at again in a minute).
    func nextDue(_ ledger: Ledger, _ now: Date) -> Date? {
        let retries = deliver.schedule.releases(at: now) ? openItems(ledger).map(\.nextAttempt) : [now + 60]
        return ([scheduled] + retries).compactMap { $0 }.min()
    }

    func runIfDue(now: Date, pipeline: Pipeline, breakers: EndpointBreakers, policy: RetryPolicy) {
        let ledger = pipeline.ledger
        let releases = deliver.schedule.releases(at: now)
        if let at = scheduled, at <= now {
            scheduled = deliver.schedule.schedule.nextRun(after: now)
            if releases { enqueueOutbox(pipeline, now) }
        }
        guard releases else { return }
        let due = openItems(ledger).filter { $0.retry.isDue(at: now) }
        guard !due.isEmpty else { return }
        defer { client.disconnect() }
        for var item in due {
            guard breakers.allows(deliver.endpoint, at: now) else { return }
            item.attempts += 1
            let local = outbound.path + "/" + item.name
            do {
                let id = item.id!, name = item.name
                let outcome = try waitFor { [pusher] in
                    try await pusher.push(local, as: name) { (try? ledger.sftpItem(id: id))?.phase == "succeeded" }
                }
                breakers.succeeded(deliver.endpoint, at: now)
                let detail: String
                switch outcome {
                case .delivered(let bytes): detail = "uploaded to \(deliver.endpoint) \(deliver.push.remoteDirectory) (\(bytes) bytes)"
                case .alreadyDelivered(let reason): detail = "found already delivered (\(reason))"
                }
                try ledger.markSFTPDelivered(&item, localPath: local, detail: detail, at: now)
                pipeline.logger.info("\(outbound.partner)/\(outbound.name) \(item.name) state=delivered \(detail)")
                moveDelivered(item.name, pipeline: pipeline, now: now)
            } catch {
                breakers.failed(deliver.endpoint, at: now)
                item.fail(error, at: now, policy: policy, ledger: ledger)
                pipeline.logger.warning("\(outbound.partner)/\(outbound.name) \(item.name) delivery failed (\(item.retry.phase.rawValue)): \(error)")
            }
        }
    }

    /// Registers the outbox files not yet known; a file the ledger already marks delivered (a
    /// crash after the mark, before the move) only finishes its move — it is never sent again.
    private func enqueueOutbox(_ pipeline: Pipeline, _ now: Date) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: outbound.path)) ?? []).sorted()
        for name in names where !name.hasPrefix(".") {
            var info = stat()
            guard stat(outbound.path + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            if let known = try? pipeline.ledger.sftpItem(kind: .delivery, partner: outbound.partner, channel: outbound.name, name: name) {
                if known.phase == "succeeded" { moveDelivered(name, pipeline: pipeline, now: now) }
                continue
            }
            var item = SFTPItem(kind: .delivery, partner: outbound.partner, channel: outbound.name, name: name,
                                endpoint: deliver.endpoint, phase: RetryState.Phase.retrying.rawValue, now: now)
            try? pipeline.ledger.saveSFTPItem(&item, event: "sftp-queued", detail: "for \(deliver.endpoint) \(deliver.push.remoteDirectory)")
        }
    }

    /// `var/delivered/<yyyy-mm-dd>/<partner>/<channel>/<name>`: the outbox keeps only what still waits.
    private func moveDelivered(_ name: String, pipeline: Pipeline, now: Date) {
        let target = "\(pipeline.config.deliveredDir)/\(Pipeline.dayFormatter.string(from: now))/\(outbound.partner)/\(outbound.name)/\(name)"
        do { try AtomicFile.move(outbound.path + "/" + name, to: target) } catch {
            pipeline.logger.error("\(outbound.partner)/\(outbound.name) \(name) delivered but not moved out of the outbox: \(error)")
        }
    }
}
