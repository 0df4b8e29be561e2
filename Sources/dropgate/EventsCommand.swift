import ArgumentParser
import Foundation
import Events
import Gateway
import Ledger

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "The events outbox: what waits, what was published, and republishing (docs/EVENTS.md).",
        subcommands: [EventsStatus.self, EventsReplay.self])
}

struct EventsStatus: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Outbox depth, last published and breaker state per sink.")

    @OptionGroup var options: ConfigOptions

    func run() throws {
        let config = try options.load()
        let store = OutboxStore(ledger: try Ledger(path: config.ledgerPath))
        let last = try store.lastSeq()
        print("outbox: \(try store.count()) events, last seq \(last)")
        var sinks = [String]()
        if config.events?.rabbitmq != nil { sinks.append(EventRelay.rabbitSink) }
        sinks += config.events?.webhooks.map(\.sinkName) ?? []
        let known = Dictionary(try store.sinks().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for name in sinks {
            let s = known[name]
            let waiting = try store.events(after: s?.lastSeq ?? 0, limit: Int.max).count
            var line = "\(name): \(waiting) waiting, breaker \(s?.breaker ?? "closed")"
            line += ", last published " + (s?.lastPublishedAt.map(EventEnvelope.rfc3339) ?? "never")
            if let e = s?.lastError, (s?.failures ?? 0) > 0 { line += ", \(s!.failures) failures, last error: \(e)" }
            print(line)
        }
        let dead = try store.deadLetters()
        if !dead.isEmpty {
            print("dead letters (dropgate retry --webhooks [ID]):")
            for d in dead {
                let e = try store.event(seq: d.seq)
                print("  #\(d.id) \(d.sink) \(e?.type ?? "?") \(e?.id ?? "?") [\(d.state)], \(d.attempts) tries: \(d.lastError ?? "")")
            }
        }
    }
}

struct EventsReplay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Publish stored events again to RabbitMQ, with their own event ids (consumers deduplicate on them).")

    @OptionGroup var options: ConfigOptions

    @Option(help: "Events at or after this time (RFC 3339, e.g. 2026-12-01T00:00:00Z).")
    var since: String

    @Option(help: "Only this event type or pattern (record.invoice, record.*).")
    var type: String?

    func run() throws {
        let config = try options.load()
        guard let rabbit = config.events?.rabbitmq else { printErr("events.rabbitmq is not configured"); throw Exit.configError }
        guard let from = EventEnvelope.parseTimestamp(since) else { throw ValidationError("--since: not an RFC 3339 time") }
        let events = try OutboxStore(ledger: try Ledger(path: config.ledgerPath)).events(since: from, type: type)
        let publisher = RabbitMQPublisher(config: rabbit)
        defer { publisher.disconnect() }
        do {
            for start in stride(from: 0, to: events.count, by: 1000) {
                try publisher.publish(Array(events[start..<min(start + 1000, events.count)]))
            }
        } catch {
            printErr("replay failed: \(error)")
            throw ExitCode.failure
        }
        print("republished \(events.count) events to \(rabbit.exchange) at \(publisher.endpoint)")
    }
}
