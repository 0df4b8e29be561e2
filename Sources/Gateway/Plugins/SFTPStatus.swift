import Foundation
import Ledger
import Transport

/// What `dropgate status` says about SFTP, from the config and the ledger alone (it runs in
/// another process than the gateway): breakers not closed, dead letters, retries under way, and
/// the next scheduled run of every pull and delivery channel.
public struct SFTPStatus {
    public let config: GatewayConfig
    public let ledger: Ledger

    public init(config: GatewayConfig, ledger: Ledger) { self.config = config; self.ledger = ledger }

    public func lines(now: Date) -> [String] {
        var lines = [String]()
        for e in (try? ledger.sftpEndpoints()) ?? [] where e.state != "closed" {
            lines.append("WARNING sftp: breaker \(e.endpoint) \(e.state) since \(e.since.map(isoTime) ?? "?")")
        }
        let dead = (try? ledger.sftpDeadLetters()) ?? []
        if !dead.isEmpty {
            let person = dead.filter { $0.phase == "waitingForPerson" }.count
            lines.append("WARNING sftp: \(dead.count) dead letter(s), \(person) waiting for a person (dropgate status --dead; dropgate retry ID)")
        }
        lines.append("sftp next runs:")
        for c in config.channels {
            guard let remote = c.remote else { continue }
            let next = remote.schedule.schedule.nextRun(after: now).map(isoTime) ?? "never"
            lines.append("  pull \(c.partner)/\(c.name) from \(remote.endpoint) \(remote.pull.remoteDirectory): \(next) (\(remote.schedule.summary))"
                         + retrying(.pull, c.partner, c.name))
        }
        for o in config.outboundChannels {
            guard let deliver = o.deliver else { continue }
            let next = deliver.schedule.schedule.nextRun(after: now).map(isoTime) ?? "never"
            let waiting = ((try? FileManager.default.contentsOfDirectory(atPath: o.path)) ?? []).filter { !$0.hasPrefix(".") }.count
            lines.append("  deliver \(o.partner)/\(o.name) to \(deliver.endpoint) \(deliver.push.remoteDirectory): \(next) (\(deliver.schedule.summary)), "
                         + "\(waiting) file(s) in the outbox" + (deliver.schedule.heldReason(at: now).map { "; held: " + $0 } ?? "")
                         + retrying(.delivery, o.partner, o.name))
        }
        return lines
    }

    private func retrying(_ kind: SFTPItem.Kind, _ partner: String, _ channel: String) -> String {
        let items = ((try? ledger.openSFTPItems(kind: kind, partner: partner, channel: channel)) ?? []).filter { $0.phase == "retrying" && $0.failures > 0 }
        guard let next = items.compactMap(\.nextAttempt).min() else { return "" }
        return "; \(items.count) retrying, next try \(isoTime(next))"
    }

    /// `dropgate status --dead`: every dead letter with its last error.
    public static func deadLetterLines(ledger: Ledger) throws -> [String] {
        let dead = try ledger.sftpDeadLetters()
        guard !dead.isEmpty else { return ["no dead letters"] }
        return dead.map { item in
            let what = item.kind == .pull ? "pull" : "delivery of \(item.name)"
            let when = item.phase == "waitingForPerson" ? "waiting for a person" : "retried at \(item.nextAttempt.map(isoTime) ?? "?")"
            return "#\(item.id!) \(item.partner)/\(item.channel) \(what) via \(item.endpoint): \(item.attempts) attempt(s), \(when); last error: \(item.lastError ?? "-")"
        }
    }
}
