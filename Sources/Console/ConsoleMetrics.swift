import Foundation
import Gateway
import GRDB
import Ledger
import Metrics
import Prometheus
import Synchronization

/// `/metrics`: Prometheus text through swift-metrics and swift-prometheus. What the pipeline
/// measures as files finish (latency histograms, bytes) goes through swift-metrics; what the ledger
/// knows (files per state, records, queues, breakers, deadlines) is read into gauges at each scrape.
final class ConsoleMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// Gauges set at a previous scrape, so that a series that is gone reads 0, not its last value.
    private let seen = Mutex<[String: Set<[String]>]>([:])

    /// One per process: swift-metrics is bootstrapped once.
    static let shared: ConsoleMetrics = {
        let m = ConsoleMetrics()
        var factory = PrometheusMetricsFactory(registry: m.registry)
        factory.defaultDurationHistogramBuckets = [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                                                   .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30), .seconds(60)]
        MetricsSystem.bootstrap(factory)
        return m
    }()

    /// A file reached a final state (called on the gateway loop's thread).
    func fileFinished(_ entry: FileEntry, started: Date) {
        let dims = [("partner", entry.partner), ("channel", entry.channel), ("state", entry.state.rawValue)]
        let now = Date()
        Metrics.Timer(label: "dropgate_file_processing_seconds", dimensions: dims).recordNanoseconds(Int64(now.timeIntervalSince(started) * 1_000_000_000))
        Metrics.Timer(label: "dropgate_drop_to_commit_seconds", dimensions: dims).recordNanoseconds(Int64(now.timeIntervalSince(entry.receivedAt) * 1_000_000_000))
        Counter(label: "dropgate_files_finished_total", dimensions: dims).increment()
        if let size = entry.size { Counter(label: "dropgate_bytes_in_total", dimensions: [("partner", entry.partner), ("channel", entry.channel)]).increment(by: Int64(size)) }
        Counter(label: "dropgate_records_out_total", dimensions: [("partner", entry.partner), ("channel", entry.channel)]).increment(by: Int64(entry.recordCount))
    }

    /// A gauge named exactly `name` (no unit suffix, no help line).
    private static func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: "")
    }

    private func set(_ name: String, _ labels: [(String, String)], _ value: Int64, into fresh: inout [String: Set<[String]>]) {
        registry.makeGauge(descriptor: Self.descriptor(name), labels: labels).set(value)
        fresh[name, default: []].insert(labels.flatMap { [$0.0, $0.1] })
    }

    /// Reads the ledger into the gauges, then renders everything.
    func scrape(ledger: any DatabaseReader, config: GatewayConfig, control: RunnerControl, now: Date = Date()) throws -> [UInt8] {
        var fresh = [String: Set<[String]>]()
        try ledger.read { db in
            for row in try Row.fetchAll(db, sql: "SELECT partner, channel, COALESCE(format, '') AS format, state, COUNT(*) AS n FROM files GROUP BY partner, channel, format, state") {
                set("dropgate_files", [("partner", row["partner"]), ("channel", row["channel"]), ("format", row["format"]), ("state", row["state"])], row["n"], into: &fresh)
            }
            for row in try Row.fetchAll(db, sql: "SELECT type, COUNT(*) AS n FROM records GROUP BY type") {
                set("dropgate_records", [("type", row["type"])], row["n"], into: &fresh)
            }
            for row in try Row.fetchAll(db, sql: "SELECT partner, channel, COALESCE(SUM(size), 0) AS n FROM files GROUP BY partner, channel") {
                set("dropgate_received_bytes", [("partner", row["partner"]), ("channel", row["channel"])], row["n"], into: &fresh)
            }
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM outbound GROUP BY state") {
                set("dropgate_outbound_files", [("state", row["state"])], row["n"], into: &fresh)
            }
            for row in try Row.fetchAll(db, sql: "SELECT kind, SUM(phase IN ('deadLettered', 'waitingForPerson')) AS dead, SUM(MAX(attempts - 1, 0)) AS retries, SUM(phase = 'retrying') AS queued FROM sftp_items GROUP BY kind") {
                set("dropgate_dead_letters", [("kind", row["kind"])], row["dead"], into: &fresh)
                set("dropgate_sftp_retries", [("kind", row["kind"])], row["retries"], into: &fresh)
                set("dropgate_sftp_queue", [("kind", row["kind"])], row["queued"], into: &fresh)
            }
            set("dropgate_file_retries", [], try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM audit WHERE event = 'retry'") ?? 0, into: &fresh)
            for row in try Row.fetchAll(db, sql: "SELECT endpoint, state FROM sftp_endpoints") {
                set("dropgate_breaker_open", [("endpoint", row["endpoint"])], (row["state"] as String) == "open" ? 1 : 0, into: &fresh)
            }
            for row in try Row.fetchAll(db, sql: "SELECT partner, COUNT(*) AS n, MIN(deadline) AS nearest FROM einvoice_queue WHERE state IN ('queued', 'releasing', 'failed') GROUP BY partner") {
                set("dropgate_einvoice_waiting", [("partner", row["partner"])], row["n"], into: &fresh)
                if let nearest: Date = row["nearest"] {
                    set("dropgate_einvoice_nearest_deadline_seconds", [("partner", row["partner"])], Int64(nearest.timeIntervalSince(now).rounded(.down)), into: &fresh)
                }
            }
            for row in try Row.fetchAll(db, sql: "SELECT partner, COUNT(*) AS n FROM x12_groups WHERE state = 'sent' GROUP BY partner") {
                set("dropgate_x12_groups_awaiting_ack", [("partner", row["partner"])], row["n"], into: &fresh)
            }
            // Events written but not yet taken by a sink (RabbitMQ, each webhook): the outbox depth.
            let newest = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM events_outbox") ?? 0
            for row in try Row.fetchAll(db, sql: "SELECT name, lastSeq FROM events_sinks") {
                let taken: Int64 = row["lastSeq"]
                set("dropgate_events_waiting", [("sink", row["name"])], max(0, newest - taken), into: &fresh)
            }
        }
        for c in config.channels {
            set("dropgate_channel_enabled", [("partner", c.partner), ("channel", c.name)], control.isEnabled(partner: c.partner, channel: c.name) ? 1 : 0, into: &fresh)
        }
        let stale = seen.withLock { old in defer { old = fresh }; return old }
        for (name, sets) in stale {
            for labels in sets.subtracting(fresh[name] ?? []) {
                let pairs = stride(from: 0, to: labels.count, by: 2).map { (labels[$0], labels[$0 + 1]) }
                registry.makeGauge(descriptor: Self.descriptor(name), labels: pairs).set(Int64(0))
            }
        }
        return registry.emitToBuffer()
    }
}
