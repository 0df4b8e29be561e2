import Foundation
import Canonical
import GRDB
import Ledger

/// The transactional outbox: turns each ledger change into its events, written into
/// `events_outbox` inside the change's own transaction (so an event exists exactly when its
/// change committed, and a rolled-back translation leaves none). Publishers read the table in
/// `seq` order after commit.
public struct Outbox: LedgerObserver {
    public let source: String
    public init(source: String) { self.source = source }

    /// Installs the outbox on a ledger: from now on its changes write events.
    public static func install(on ledger: Ledger, source: String) { ledger.addObserver(Outbox(source: source)) }

    public func ledger(_ ledger: Ledger, didChange change: LedgerChange, in db: Database) throws {
        let stamp = EventEnvelope.rfc3339(change.at)
        func add(_ type: String, _ subject: JSONObject, _ data: JSONValue) throws { try addJSON(type, subject, data.jsonText) }
        func addJSON(_ type: String, _ subject: JSONObject, _ data: String) throws {
            let e = EventEnvelope(type: type, timestamp: change.at, source: source, subject: subject, dataJSON: data)
            try Outbox.insert(db, e, fileId: change.fileId, timestamp: stamp)
        }
        switch change.kind {
        case .file(let state):
            guard state != .archived && state != .rejected, let id = change.fileId,
                  let file = try Row.fetchOne(db.cachedStatement(sql: "SELECT partner, channel, name, size, sha256, format, recordCount, duplicateOf FROM files WHERE id = ?"), arguments: [id]) else { return }
            let subject = { (record: String?) in EventEnvelope.subject(partner: file["partner"], channel: file["channel"], fileId: id, recordId: record) }
            switch state {
            case .received:
                try add("file.received", subject(nil), .object(["name": .string(file["name"]), "size": number(file["size"]), "sha256": string(file["sha256"])]))
            case .translated:
                try add("file.translated", subject(nil), .object(["name": .string(file["name"]), "format": string(file["format"]),
                                                                            "record_count": number(file["recordCount"])]))
                let rows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT id, type, json FROM records WHERE fileId = ? ORDER BY idx"), arguments: [id])
                while let r = try rows.next() {
                    try addJSON("record." + (r["type"] as String), subject(r["id"]), r["json"])
                }
            case .quarantined:
                let report = change.detail.flatMap { try? JSONParser.parse($0) } ?? .object(["message": string(change.detail)])
                try add("file.quarantined", subject(nil), report)
            case .duplicate:
                try add("file.duplicate", subject(nil), .object(["name": .string(file["name"]), "sha256": string(file["sha256"]),
                                                                           "duplicate_of": number(file["duplicateOf"])]))
            case .archived, .rejected:
                return
            }
        case .outbound(let state):
            guard let oid = change.outboundId,
                  let o = try Row.fetchOne(db, sql: "SELECT partner, channel, format, name, route, recordCount, sourceFileId FROM outbound WHERE id = ?", arguments: [oid]) else { return }
            let type: String
            switch state {
            case "emitted": type = "outbound.emitted"
            case "delivered": type = "outbound.delivered"
            case "acknowledged": type = "outbound.acknowledged"
            case "rejected": type = "outbound.rejected"
            default: return
            }
            var data: JSONObject = ["name": .string(o["name"]), "format": .string(o["format"]), "route": string(o["route"]), "record_count": number(o["recordCount"])]
            if let d = change.detail { data["detail"] = (try? JSONParser.parse(d)) ?? .string(d) }
            try add(type, EventEnvelope.subject(partner: o["partner"], channel: o["channel"], fileId: o["sourceFileId"]), .object(data))
        case .other(let name):
            // Modules name their own events (einvoice.deadline.warning, delivery.dead_letter,
            // outbound.acknowledged from a partner's functional acknowledgment …); detail is their data.
            var partner: String?, channel: String?
            if let id = change.fileId, let f = try Row.fetchOne(db, sql: "SELECT partner, channel FROM files WHERE id = ?", arguments: [id]) {
                partner = f["partner"]; channel = f["channel"]
            }
            let data = change.detail.flatMap { try? JSONParser.parse($0) } ?? .object([:])
            if partner == nil, let p = data["partner"]?.stringValue { partner = p; channel = data["channel"]?.stringValue }
            try add(name, EventEnvelope.subject(partner: partner, channel: channel, fileId: change.fileId), data)
        }
    }

    static func insert(_ db: Database, _ e: EventEnvelope, fileId: Int64?, timestamp: String? = nil) throws {
        try db.cachedStatement(sql: "INSERT INTO events_outbox (eventId, type, fileId, at, envelope) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [e.id, e.type, fileId, e.timestamp, timestamp.map(e.json(timestamp:)) ?? e.json])
    }

    func number(_ v: DatabaseValue) -> JSONValue { Int64.fromDatabaseValue(v).map { .number(String($0)) } ?? .null }
    func string(_ v: DatabaseValue) -> JSONValue { String.fromDatabaseValue(v).map { .string($0) } ?? .null }
    func string(_ v: String?) -> JSONValue { v.map { .string($0) } ?? .null }
}

/// One stored event.
public struct StoredEvent: Sendable {
    public var seq: Int64
    public var id: String
    public var type: String
    public var at: Date
    public var envelope: String
}

/// Reading and bookkeeping of the outbox for publishers and `dropgate events`.
public struct OutboxStore: Sendable {
    public let ledger: Ledger
    /// A read-only connection of its own (WAL: its reads never wait for, nor hold up, the ledger's
    /// writer — the publisher loop reads while the pipeline commits).
    let reader: DatabaseQueue?

    public init(ledger: Ledger, ownReader: Bool = false) {
        self.ledger = ledger
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        reader = ownReader ? try? DatabaseQueue(path: ledger.path, configuration: config) : nil
    }

    /// Reads on the own connection when there is one.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        if let reader { return try reader.read(body) }
        return try ledger.read(body)
    }

    public func events(after seq: Int64, limit: Int) throws -> [StoredEvent] {
        try read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT seq, eventId, type, at, envelope FROM events_outbox WHERE seq > ? ORDER BY seq LIMIT ?"),
                             arguments: [seq, limit]).map(StoredEvent.init(row:))
        }
    }

    public func events(since: Date, type: String?) throws -> [StoredEvent] {
        try ledger.read { db in
            try Row.fetchAll(db, sql: "SELECT seq, eventId, type, at, envelope FROM events_outbox WHERE at >= ? ORDER BY seq", arguments: [since])
                .map(StoredEvent.init(row:)).filter { type == nil || eventType($0.type, matches: type!) }
        }
    }

    public func event(seq: Int64) throws -> StoredEvent? {
        try ledger.read { try Row.fetchOne($0, sql: "SELECT seq, eventId, type, at, envelope FROM events_outbox WHERE seq = ?", arguments: [seq]).map(StoredEvent.init(row:)) }
    }

    /// Deletes, in batches of `batch`, the events up to `seq` (every sink has them) that are older
    /// than `before`, except those of dead letters; returns how many went. Each batch is its own
    /// short transaction, so the pipeline's commits wait at most for one.
    @discardableResult
    public func prune(upTo seq: Int64, before: Date, batch: Int = 500, maxBatches: Int = 20) throws -> Int {
        var deleted = 0
        for _ in 0..<maxBatches {
            let n = try ledger.write { db in
                try db.execute(sql: """
                    DELETE FROM events_outbox WHERE seq IN (SELECT seq FROM events_outbox WHERE seq <= ? AND at < ?
                      AND seq NOT IN (SELECT seq FROM events_dead_letters) ORDER BY seq LIMIT ?)
                    """, arguments: [seq, before, batch])
                return db.changesCount
            }
            deleted += n
            if n < batch { break }
        }
        return deleted
    }

    public func lastSeq() throws -> Int64 { try read { try Int64.fetchOne($0, sql: "SELECT MAX(seq) FROM events_outbox") ?? 0 } }
    public func count() throws -> Int { try ledger.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM events_outbox") ?? 0 } }

    /// A sink's cursor: the last seq it has (0 for a new sink).
    public func cursor(_ sink: String) throws -> Int64 {
        try read { try Int64.fetchOne($0, sql: "SELECT lastSeq FROM events_sinks WHERE name = ?", arguments: [sink]) ?? 0 }
    }

    /// Moves a sink's cursor on: after a confirmed publish (`published`), or past events the sink
    /// does not subscribe to.
    public func advance(_ sink: String, to seq: Int64, breaker: String, published: Bool = true, now: Date = Date()) throws {
        try ledger.write { db in
            try db.execute(sql: """
                INSERT INTO events_sinks (name, lastSeq, lastPublishedAt, breaker, failures, lastError, updatedAt) VALUES (?, ?, ?, ?, 0, NULL, ?)
                ON CONFLICT(name) DO UPDATE SET lastSeq = MAX(lastSeq, excluded.lastSeq), lastPublishedAt = COALESCE(excluded.lastPublishedAt, lastPublishedAt),
                  breaker = excluded.breaker, failures = 0, lastError = NULL, updatedAt = excluded.updatedAt
                """, arguments: [sink, seq, published ? now : nil, breaker, now])
        }
    }

    /// Records a sink's failure (for `dropgate events status`); the cursor stays.
    public func failed(_ sink: String, error: String, failures: Int, breaker: String, now: Date = Date()) throws {
        try ledger.write { db in
            try db.execute(sql: """
                INSERT INTO events_sinks (name, lastSeq, breaker, failures, lastError, updatedAt) VALUES (?, 0, ?, ?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET breaker = excluded.breaker, failures = excluded.failures, lastError = excluded.lastError, updatedAt = excluded.updatedAt
                """, arguments: [sink, breaker, failures, error, now])
        }
    }

    public struct SinkStatus: Sendable {
        public var name: String, lastSeq: Int64, lastPublishedAt: Date?, breaker: String, failures: Int, lastError: String?
    }

    public func sinks() throws -> [SinkStatus] {
        try ledger.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM events_sinks ORDER BY name").map {
                SinkStatus(name: $0["name"], lastSeq: $0["lastSeq"], lastPublishedAt: $0["lastPublishedAt"], breaker: $0["breaker"], failures: $0["failures"], lastError: $0["lastError"])
            }
        }
    }

    // MARK: dead letters (webhook deliveries whose tries were used up)

    public struct DeadLetter: Sendable {
        public var id: Int64, sink: String, seq: Int64, state: String, attempts: Int, lastError: String?
    }

    /// Records a dead letter and, in the same transaction, its `delivery.dead_letter` event.
    public func deadLetter(sink: String, event: StoredEvent, attempts: Int, error: String, source: String, now: Date = Date()) throws {
        try ledger.write { db in
            try db.execute(sql: "INSERT INTO events_dead_letters (sink, seq, state, attempts, lastError, createdAt, updatedAt) VALUES (?, ?, 'dead', ?, ?, ?, ?)",
                           arguments: [sink, event.seq, attempts, error, now, now])
            let id = db.lastInsertedRowID
            let fileId = try Int64.fetchOne(db, sql: "SELECT fileId FROM events_outbox WHERE seq = ?", arguments: [event.seq])
            let original = try? JSONParser.parse(event.envelope)
            let e = EventEnvelope(type: "delivery.dead_letter", timestamp: now, source: source, subject: original?["subject"]?.objectValue ?? [:],
                                  data: .object(["dead_letter_id": .number(String(id)), "sink": .string(sink), "event_id": .string(event.id),
                                                 "event_type": .string(event.type), "attempts": .number(String(attempts)), "error": .string(error)]))
            try Outbox.insert(db, e, fileId: fileId)
        }
    }

    public func deadLetters(states: [String] = ["dead", "retry"]) throws -> [DeadLetter] {
        try ledger.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM events_dead_letters ORDER BY id").map {
                DeadLetter(id: $0["id"], sink: $0["sink"], seq: $0["seq"], state: $0["state"], attempts: $0["attempts"], lastError: $0["lastError"])
            }.filter { states.contains($0.state) }
        }
    }

    /// `dropgate retry --webhooks [ID]`: marks dead letters to be sent again; returns how many.
    @discardableResult
    public func retryDeadLetters(id: Int64? = nil, now: Date = Date()) throws -> Int {
        try ledger.write { db in
            try db.execute(sql: "UPDATE events_dead_letters SET state = 'retry', updatedAt = ? WHERE state = 'dead' AND (? IS NULL OR id = ?)", arguments: [now, id, id])
            return db.changesCount
        }
    }

    public func settleDeadLetter(_ id: Int64, delivered: Bool, error: String?, now: Date = Date()) throws {
        try ledger.write { db in
            try db.execute(sql: "UPDATE events_dead_letters SET state = ?, attempts = attempts + 1, lastError = COALESCE(?, lastError), updatedAt = ? WHERE id = ?",
                           arguments: [delivered ? "delivered" : "dead", error, now, id])
        }
    }
}

extension StoredEvent {
    init(row: Row) { self.init(seq: row["seq"], id: row["eventId"], type: row["type"], at: row["at"], envelope: row["envelope"]) }
}
