import Foundation
import GRDB
import Canonical

/// One unit of SFTP work with its retries: a pull channel (polled on its schedule) or one outbox
/// file to deliver. `phase`, `failures`, `deadLetterRetriesUsed`, `nextAttempt` and `lastError`
/// are Transport's `RetryState`, stored so that attempts and dead letters survive a restart.
public struct SFTPItem: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "sftp_items"

    public enum Kind: String, Codable, Sendable, DatabaseValueConvertible {
        case pull, delivery
    }

    public var id: Int64?
    public var kind: Kind
    public var partner: String
    public var channel: String
    /// The outbox file's name for a delivery; "" for a pull channel.
    public var name: String
    /// `host:port`: the circuit breaker it goes through.
    public var endpoint: String
    public var phase: String
    public var failures: Int
    public var deadLetterRetriesUsed: Int
    /// Every try, successful or not.
    public var attempts: Int
    public var nextAttempt: Date?
    public var lastError: String?
    public var deliveredAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(kind: Kind, partner: String, channel: String, name: String, endpoint: String, phase: String, now: Date) {
        self.kind = kind; self.partner = partner; self.channel = channel; self.name = name; self.endpoint = endpoint
        self.phase = phase; failures = 0; deadLetterRetriesUsed = 0; attempts = 0; nextAttempt = now
        createdAt = now; updatedAt = now
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// Dead-lettered items, still retried on their own or waiting for a person.
    public static let deadPhases = ["deadLettered", "waitingForPerson"]
}

/// An endpoint's circuit breaker as the running gateway last saw it.
public struct SFTPEndpointState: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "sftp_endpoints"
    public var endpoint: String
    /// closed | open | half-open
    public var state: String
    /// When it opened (open) or went half-open.
    public var since: Date?
    public var summary: String
    public var updatedAt: Date

    public init(endpoint: String, state: String, since: Date?, summary: String, updatedAt: Date) {
        self.endpoint = endpoint; self.state = state; self.since = since; self.summary = summary; self.updatedAt = updatedAt
    }
}

extension Ledger {
    public func sftpItem(kind: SFTPItem.Kind, partner: String, channel: String, name: String) throws -> SFTPItem? {
        try read { try SFTPItem.filter(Column("kind") == kind && Column("partner") == partner && Column("channel") == channel && Column("name") == name).fetchOne($0) }
    }

    public func sftpItem(id: Int64) throws -> SFTPItem? { try read { try SFTPItem.fetchOne($0, key: id) } }

    /// A channel's items that are not finished (deliveries not yet delivered), oldest first.
    public func openSFTPItems(kind: SFTPItem.Kind, partner: String, channel: String) throws -> [SFTPItem] {
        try read {
            try SFTPItem.filter(Column("kind") == kind && Column("partner") == partner && Column("channel") == channel && Column("phase") != "succeeded")
                .order(Column("id")).fetchAll($0)
        }
    }

    public func sftpDeadLetters() throws -> [SFTPItem] {
        try read { try SFTPItem.filter(SFTPItem.deadPhases.contains(Column("phase"))).order(Column("id")).fetchAll($0) }
    }

    /// Inserts or updates an item (with an audit line when `event` is given).
    public func saveSFTPItem(_ item: inout SFTPItem, event: String? = nil, detail: String? = nil, change: LedgerChange? = nil) throws {
        try write { db in
            try item.save(db)
            if let event { try Ledger.audit(db, nil, event, "\(item.kind.rawValue) #\(item.id!) \(item.partner)/\(item.channel)/\(item.name)" + (detail.map { ": " + $0 } ?? ""), item.updatedAt) }
            if let change { try notify(db, change) }
        }
    }

    /// After the final name is in place on the server: the item and the `outbound` row(s) of the
    /// file at `localPath` become delivered, in one transaction.
    public func markSFTPDelivered(_ item: inout SFTPItem, localPath: String, detail: String, at now: Date) throws {
        item.phase = "succeeded"; item.nextAttempt = nil; item.lastError = nil; item.deliveredAt = now; item.updatedAt = now
        try write { db in
            try item.save(db)
            try db.execute(sql: "UPDATE outbound SET state = 'delivered', deliveredAt = ?, attempts = ?, lastError = NULL, updatedAt = ? WHERE path = ?",
                           arguments: [now, item.attempts, now, localPath])
            let source = try Int64.fetchOne(db, sql: "SELECT sourceFileId FROM outbound WHERE path = ? LIMIT 1", arguments: [localPath])
            try Ledger.audit(db, source, "delivered", "\(item.partner)/\(item.channel)/\(item.name) \(detail)", now)
            for id in try Int64.fetchAll(db, sql: "SELECT id FROM outbound WHERE path = ?", arguments: [localPath]) {
                try notify(db, LedgerChange(kind: .outbound("delivered"), fileId: source, outboundId: id, detail: JSONValue.string(detail).jsonText, at: now))
            }
        }
    }

    public func saveSFTPEndpoint(_ state: SFTPEndpointState) throws { try write { try state.save($0) } }

    public func sftpEndpoints() throws -> [SFTPEndpointState] {
        try read { try SFTPEndpointState.order(Column("endpoint")).fetchAll($0) }
    }

    /// Outbound rows of the file at `path` (usually one).
    public func outboundState(path: String) throws -> String? {
        try read { try String.fetchOne($0, sql: "SELECT state FROM outbound WHERE path = ? ORDER BY id DESC LIMIT 1", arguments: [path]) }
    }
}
