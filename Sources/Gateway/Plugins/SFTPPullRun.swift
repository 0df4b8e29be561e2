import Foundation
import Ledger
import Transport

/// One inbound channel with `remote:`: polls the remote folder on the channel's schedule and pulls
/// stable files into the channel's inbox (temp name, then rename). Each pulled file goes through
/// the pipeline at once; only when the ledger has committed it (translated, archived, duplicate
/// or quarantined) is the remote file deleted or moved. A poll whose remote part fails is retried
/// with backoff (the channel's `sftp_items` row), then dead-lettered.
final class SFTPPullRun {
    let channel: GatewayConfig.Channel
    let remote: SFTPPullConfig
    private let client: SFTPClient
    private let puller: SFTPPuller
    /// The next poll the schedule asks for.
    private var scheduled: Date?
    /// A poll soon after one that saw files still settling (stability needs two looks).
    private var followUp: Date?

    init(channel: GatewayConfig.Channel, remote: SFTPPullConfig, clock: any TimeSource, now: Date) {
        self.channel = channel
        self.remote = remote
        client = SFTPClient(settings: remote.connection)
        puller = SFTPPuller(store: client, settings: remote.pull, clock: clock)
        scheduled = remote.schedule.runsAtStart ? now : remote.schedule.schedule.nextRun(after: now)
    }

    /// How long after a poll that left files waiting the folder is looked at again.
    var recheckDelay: TimeInterval { min(max(remote.pull.minimumAge, 1), 60) }

    private func item(_ ledger: Ledger, _ now: Date) -> SFTPItem {
        (try? ledger.sftpItem(kind: .pull, partner: channel.partner, channel: channel.name, name: ""))
            ?? SFTPItem(kind: .pull, partner: channel.partner, channel: channel.name, name: "", endpoint: remote.endpoint, phase: "succeeded", now: now)
    }

    /// When this channel wants to run next (nil: only a person can restart it).
    func nextDue(_ ledger: Ledger, _ now: Date) -> Date? {
        let state = item(ledger, now).retry
        switch state.phase {
        case .succeeded: return [scheduled, followUp].compactMap { $0 }.min()
        case .retrying, .deadLettered: return state.nextAttempt
        case .waitingForPerson: return nil
        }
    }

    func runIfDue(now: Date, pipeline: Pipeline, breakers: EndpointBreakers, policy: RetryPolicy) {
        var item = item(pipeline.ledger, now)
        guard let due = nextDue(pipeline.ledger, now), due <= now, breakers.allows(remote.endpoint, at: now) else { return }
        if item.retry.phase == .succeeded {
            scheduled = remote.schedule.schedule.nextRun(after: now)
            followUp = nil
        }
        item.attempts += 1
        do {
            let report = try poll(pipeline)
            if !report.waiting.isEmpty || !report.notCommitted.isEmpty { followUp = now + recheckDelay }
            guard report.failed.isEmpty else {
                throw PullFailures(failed: report.failed)
            }
            breakers.succeeded(remote.endpoint, at: now)
            let recovered = item.retry.phase != .succeeded
            item.retry.recordSuccess()
            item.updatedAt = now
            try? pipeline.ledger.saveSFTPItem(&item, event: recovered ? "sftp-recovered" : nil)
        } catch {
            breakers.failed(remote.endpoint, at: now)
            item.fail(error, at: now, policy: policy, ledger: pipeline.ledger)
            pipeline.logger.warning("\(channel.partner)/\(channel.name) pull from \(remote.endpoint) failed (\(item.retry.phase.rawValue)): \(error)")
        }
    }

    /// One poll; every stable file is processed by the pipeline before the remote file goes.
    private func poll(_ pipeline: Pipeline) throws -> PullReport {
        defer { client.disconnect() }
        try FileManager.default.createDirectory(atPath: channel.path, withIntermediateDirectories: true)
        let channel = self.channel, endpoint = remote.endpoint
        let committed = CommittedFiles()
        let report = try waitFor { [puller] in
            try await puller.poll { file in
                let name = (file.localPath as NSString).lastPathComponent
                let work = try pipeline.claim(file.localPath, channel: channel)
                pipeline.process(workPath: work, channel: channel, originalName: name)
                guard let entry = try pipeline.ledger.file(workPath: work) else { return false }
                try pipeline.ledger.audit(fileId: entry.id, "sftp-pulled", "\(endpoint) \(file.remotePath) (\(file.size) bytes)")
                guard [.translated, .archived, .duplicate, .quarantined].contains(entry.state) else { return false }
                committed.add(name, entry.id)
                return true
            }
        }
        let disposal: String
        switch remote.pull.afterCommit {
        case .delete: disposal = "deleted on the server"
        case .moveTo(let archive): disposal = "moved to \(archive) on the server"
        }
        for name in report.taken {
            try? pipeline.ledger.audit(fileId: committed.id(of: name), "sftp-remote-done", "\(remote.pull.remoteDirectory)/\(name) \(disposal)")
        }
        if !report.taken.isEmpty { pipeline.logger.info("\(channel.partner)/\(channel.name) pulled \(report.taken.count) file(s) from \(endpoint)") }
        return report
    }
}

/// The ledger ids of the files a poll committed, by name (filled inside the puller's task).
private final class CommittedFiles: @unchecked Sendable {
    // @unchecked: `ids` only under `lock`.
    private let lock = NSLock()
    private var ids: [String: Int64] = [:]
    func add(_ name: String, _ id: Int64?) { lock.withLock { ids[name] = id } }
    func id(of name: String) -> Int64? { lock.withLock { ids[name] } }
}

/// Files a poll could not bring in (a broken transfer, a size mismatch); retried as one pull.
struct PullFailures: Error, CustomStringConvertible {
    let failed: [String: String]
    var description: String { failed.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ") }
}
