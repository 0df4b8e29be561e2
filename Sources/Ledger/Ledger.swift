import Foundation
import GRDB
import Canonical

/// Where a received file stands. received → translated → archived | quarantined | duplicate;
/// `rejected`: an inbox entry that is not a regular file (symlink, FIFO, device, socket, folder),
/// recorded once and never opened.
public enum FileState: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case received, translated, archived, quarantined, duplicate, rejected
}

/// One file the gateway took.
public struct FileEntry: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "files"
    public var id: Int64?
    public var partner: String
    public var channel: String
    public var name: String
    public var size: Int64?
    public var sha256: String?
    public var format: String?
    public var state: FileState
    public var recordCount: Int
    public var workPath: String
    public var finalPath: String?
    public var error: String?
    public var duplicateOf: Int64?
    public var receivedAt: Date
    public var updatedAt: Date
    /// The dropped name's exact bytes when they are not valid UTF-8 (`name` then holds them escaped).
    public var rawName: Data? = nil
    /// How often a translation of this file was started (a gateway that died with it in hand
    /// twice quarantines it as poison instead of trying again).
    public var attempts: Int = 0

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// The gateway's memory: every file, its records, the audit trail, counters and the outbound queue,
/// in one SQLite file (WAL). Each state change commits together with what it claims.
public final class Ledger: Sendable {
    public let path: String
    let db: DatabaseQueue
    private let observers = Observers()

    public init(path: String) throws {
        self.path = path
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")   // WAL + NORMAL: a killed process loses nothing committed
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        config.busyMode = .timeout(10)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        db = try DatabaseQueue(path: path, configuration: config)
        try db.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = WAL") }
        var migrator = DatabaseMigrator()
        Migrations.register(&migrator)
        try migrator.migrate(db)
    }

    // MARK: files

    /// Registers a claimed file as `received`.
    public func receive(partner: String, channel: String, name: String, workPath: String, size: Int64?, sha256: String? = nil,
                        now: Date = Date()) throws -> FileEntry {
        try db.write { db in
            var f = FileEntry(id: nil, partner: partner, channel: channel, name: name, size: size, sha256: sha256, format: nil,
                              state: .received, recordCount: 0, workPath: workPath, finalPath: nil, error: nil,
                              duplicateOf: nil, receivedAt: now, updatedAt: now)
            try f.insert(db)
            try Ledger.audit(db, f.id, "received", "\(partner)/\(channel)/\(name) (\(size ?? 0) bytes)", now)
            try notify(db, LedgerChange(kind: .file(.received), fileId: f.id, at: now))
            return f
        }
    }

    /// Registers a file before it is claimed: the work path is derived from the new row's id, so a
    /// claim name never depends on the dropped name (`workPath(id)`).
    public func receive(partner: String, channel: String, name: String, rawName: Data?, size: Int64?, sha256: String?,
                        now: Date = Date(), workPath: (Int64) -> String) throws -> FileEntry {
        try db.write { db in
            var f = FileEntry(id: nil, partner: partner, channel: channel, name: name, size: size, sha256: sha256, format: nil,
                              state: .received, recordCount: 0, workPath: "claiming-\(UUID().uuidString)", finalPath: nil, error: nil,
                              duplicateOf: nil, receivedAt: now, updatedAt: now, rawName: rawName)
            try f.insert(db)
            f.workPath = workPath(f.id!)
            try db.execute(sql: "UPDATE files SET workPath = ? WHERE id = ?", arguments: [f.workPath, f.id])
            try Ledger.audit(db, f.id, "received", "\(partner)/\(channel)/\(name) (\(size ?? 0) bytes)", now)
            try notify(db, LedgerChange(kind: .file(.received), fileId: f.id, at: now))
            return f
        }
    }

    /// Records an inbox entry that is not a regular file, once (`key` identifies the entry).
    public func reject(partner: String, channel: String, name: String, rawName: Data?, key: String, reason: String,
                       finalPath: String?, now: Date = Date()) throws -> FileEntry {
        try db.write { db in
            var f = FileEntry(id: nil, partner: partner, channel: channel, name: name, size: nil, sha256: nil, format: nil,
                              state: .rejected, recordCount: 0, workPath: key, finalPath: finalPath, error: reason,
                              duplicateOf: nil, receivedAt: now, updatedAt: now, rawName: rawName)
            try f.insert(db)
            try Ledger.audit(db, f.id, "rejected", reason, now)
            return f
        }
    }

    /// Counts a translation attempt starting (the file is in hand); returns the new count.
    @discardableResult
    public func beginAttempt(_ id: Int64) throws -> Int {
        try db.write { db in
            try db.execute(sql: "UPDATE files SET attempts = attempts + 1 WHERE id = ?", arguments: [id])
            return try Int.fetchOne(db, sql: "SELECT attempts FROM files WHERE id = ?", arguments: [id]) ?? 0
        }
    }

    /// Takes back an attempt the gateway itself stopped (shutdown), so it does not count as a death.
    public func cancelAttempt(_ id: Int64) throws {
        try db.write { try $0.execute(sql: "UPDATE files SET attempts = MAX(attempts - 1, 0) WHERE id = ?", arguments: [id]) }
    }

    public func file(id: Int64) throws -> FileEntry? {
        try db.read { try FileEntry.fetchOne($0.cachedStatement(sql: "SELECT * FROM files WHERE id = ?"), arguments: [id]) }
    }
    public func file(workPath: String) throws -> FileEntry? {
        try db.read { try FileEntry.fetchOne($0.cachedStatement(sql: "SELECT * FROM files WHERE workPath = ?"), arguments: [workPath]) }
    }
    public func file(sha256 prefix: String) throws -> FileEntry? {
        try db.read { try FileEntry.filter(Column("sha256").like(prefix + "%")).order(Column("id").desc).fetchOne($0) }
    }
    public func files(in states: [FileState]) throws -> [FileEntry] {
        try db.read { try FileEntry.filter(states.map(\.rawValue).contains(Column("state"))).order(Column("id")).fetchAll($0) }
    }

    /// The earlier file with the same content from the same partner that was translated, if any.
    public func translatedTwin(partner: String, sha256: String, excluding id: Int64) throws -> FileEntry? {
        try db.read {
            try FileEntry.fetchOne($0.cachedStatement(sql: """
                SELECT * FROM files WHERE partner = ? AND sha256 = ? AND id != ? AND state IN ('translated', 'archived') ORDER BY id LIMIT 1
                """), arguments: [partner, sha256, id])
        }
    }

    public func setHash(_ id: Int64, sha256: String, size: Int64) throws {
        try db.write { try $0.execute(sql: "UPDATE files SET sha256 = ?, size = ?, updatedAt = ? WHERE id = ?", arguments: [sha256, size, Date(), id]) }
    }

    /// Stores a file's records as they stream in and marks it `translated`, all in one
    /// transaction: if `body` throws, nothing of the file is stored. Idempotent: records already
    /// stored for the file are replaced, never duplicated. `body` returns the format id.
    @discardableResult
    public func commitTranslation(_ id: Int64, now: Date = Date(), body: (RecordSink) throws -> String) throws -> Int {
        try db.write { db in
            let count = try Ledger.storeTranslation(db, id, now, body)
            try notify(db, LedgerChange(kind: .file(.translated), fileId: id, at: now))
            return count
        }
    }

    /// Group commit: several files' translations in one transaction, each in its own savepoint, so
    /// a file whose body throws stores nothing and the others still commit. The commit is durable
    /// when this returns (synchronous = FULL for it: one WAL flush for the whole group). Per file,
    /// its record count or its error.
    public func commitTranslations(_ items: [(id: Int64, body: (RecordSink) throws -> String)], now: Date = Date()) throws -> [Result<Int, Error>] {
        try db.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            defer { try? db.execute(sql: "PRAGMA synchronous = NORMAL") }
            var results = [Result<Int, Error>]()
            try db.inTransaction {
                for item in items {
                    var count = 0
                    do {
                        try db.inSavepoint {
                            count = try Ledger.storeTranslation(db, item.id, now, item.body)
                            try notify(db, LedgerChange(kind: .file(.translated), fileId: item.id, at: now))
                            return .commit
                        }
                        results.append(.success(count))
                    } catch {
                        results.append(.failure(error))
                    }
                }
                return .commit
            }
            return results
        }
    }

    static func storeTranslation(_ db: Database, _ id: Int64, _ now: Date, _ body: (RecordSink) throws -> String) throws -> Int {
        try db.execute(sql: "DELETE FROM records WHERE fileId = ?", arguments: [id])
        let sink = RecordSink(fileId: id, statement: try db.cachedStatement(sql: "INSERT INTO records (fileId, idx, id, type, json) VALUES (?, ?, ?, ?, ?)"))
        let format = try body(sink)
        try db.execute(sql: "UPDATE files SET state = ?, format = ?, recordCount = ?, updatedAt = ? WHERE id = ?",
                       arguments: [FileState.translated, format, sink.count, now, id])
        try Ledger.audit(db, id, "translated", "\(sink.count) records as \(format)", now)
        return sink.count
    }

    /// Streams a file's stored records (JSON lines) in order, without loading them all.
    public func forEachRecord(fileId: Int64, _ body: (String) throws -> Void) throws {
        try db.read { db in
            let cursor = try String.fetchCursor(db, sql: "SELECT json FROM records WHERE fileId = ? ORDER BY idx", arguments: [fileId])
            while let json = try cursor.next() { try body(json) }
        }
    }

    /// Streams a file's stored records of one type (JSON lines) in order.
    public func forEachRecord(fileId: Int64, type: String, _ body: (String) throws -> Void) throws {
        try db.read { db in
            let cursor = try String.fetchCursor(db, sql: "SELECT json FROM records WHERE fileId = ? AND type = ? ORDER BY idx", arguments: [fileId, type])
            while let json = try cursor.next() { try body(json) }
        }
    }

    /// Moves a file to a final state (archived, quarantined, duplicate) with where it went.
    public func finish(_ id: Int64, state: FileState, finalPath: String?, error: String? = nil, duplicateOf: Int64? = nil, now: Date = Date()) throws {
        try db.write { db in
            try db.execute(sql: "UPDATE files SET state = ?, finalPath = ?, error = COALESCE(?, error), duplicateOf = COALESCE(?, duplicateOf), updatedAt = ? WHERE id = ?",
                           arguments: [state, finalPath, error, duplicateOf, now, id])
            try Ledger.audit(db, id, state.rawValue, error ?? finalPath, now)
            try notify(db, LedgerChange(kind: .file(state), fileId: id, detail: error, at: now))
        }
    }

    public func records(fileId: Int64) throws -> [String] {
        try db.read { try String.fetchAll($0, sql: "SELECT json FROM records WHERE fileId = ? ORDER BY idx", arguments: [fileId]) }
    }

    /// The stored invoice record (JSON line) with this number, the latest if several.
    public func invoiceRecord(number: String) throws -> String? {
        // The number as the canonical writer quotes it, with LIKE's wildcards escaped.
        let quoted = JSONValue.string(number).jsonText
            .replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
        return try db.read {
            try String.fetchOne($0, sql: "SELECT json FROM records WHERE type = 'invoice' AND json LIKE ? ESCAPE '\\' ORDER BY fileId DESC, idx DESC LIMIT 1",
                                arguments: ["%\"number\":" + quoted + ",%"])
        }
    }

    public func recordCount() throws -> Int { try db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM records") ?? 0 } }

    public func stateCounts() throws -> [(FileState, Int)] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM files GROUP BY state ORDER BY state").compactMap { row in
                FileState(rawValue: row["state"]).map { ($0, row["n"] as Int) }
            }
        }
    }

    public func lastErrors(limit: Int = 10) throws -> [FileEntry] {
        try db.read { try FileEntry.filter(Column("error") != nil).order(Column("updatedAt").desc, Column("id").desc).limit(limit).fetchAll($0) }
    }

    // MARK: audit and counters

    public func audit(fileId: Int64?, _ event: String, _ detail: String?) throws {
        try db.write { try Ledger.audit($0, fileId, event, detail, Date()) }
    }

    static func audit(_ db: Database, _ fileId: Int64?, _ event: String, _ detail: String?, _ now: Date) throws {
        try AuditChain.append(db, fileId: fileId, event: event, detail: detail, at: now)
    }

    public func auditTrail(fileId: Int64) throws -> [(event: String, detail: String?)] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT event, detail FROM audit WHERE fileId = ? ORDER BY seq", arguments: [fileId]).map { ($0["event"], $0["detail"]) }
        }
    }

    /// The next value of a named counter (1, 2, 3 …): never reused, gap-free, durable.
    /// Takes `count` consecutive values of the counter in one transaction; returns the first.
    public func nextCounter(_ name: String, count: Int = 1) throws -> Int64 {
        let n = Int64(max(count, 1))
        return try db.write { db in
            try db.execute(sql: "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + ?", arguments: [name, n, n])
            return try Int64.fetchOne(db, sql: "SELECT value FROM counters WHERE name = ?", arguments: [name])! - n + 1
        }
    }

    // MARK: outbound

    /// Records a file the gateway emitted for a partner (state `emitted`, or `failed` with the error).
    public func recordOutbound(partner: String, channel: String, format: String, name: String, path: String,
                               sourceFileId: Int64?, route: String, recordCount: Int, error: String? = nil, now: Date = Date()) throws {
        try db.write { db in
            try db.execute(sql: """
                INSERT INTO outbound (partner, channel, format, name, path, state, sourceFileId, route, recordCount, lastError, createdAt, updatedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [partner, channel, format, name, path, error == nil ? "emitted" : "failed", sourceFileId, route, recordCount, error, now, now])
            let outboundId = db.lastInsertedRowID
            try Ledger.audit(db, sourceFileId, error == nil ? "emitted" : "emit-failed", "\(route): \(partner)/\(channel)/\(name)" + (error.map { " — " + $0 } ?? ""), now)
            try notify(db, LedgerChange(kind: .outbound(error == nil ? "emitted" : "failed"), fileId: sourceFileId, outboundId: outboundId, detail: error, at: now))
        }
    }

    /// Whether a route already emitted (successfully) for a source file.
    public func outboundExists(sourceFileId: Int64, route: String) throws -> Bool {
        try db.read { try Bool.fetchOne($0, sql: "SELECT EXISTS(SELECT 1 FROM outbound WHERE sourceFileId = ? AND route = ? AND state != 'failed')", arguments: [sourceFileId, route]) ?? false }
    }

    public func outboundCounts() throws -> [(String, Int)] {
        try db.read { db in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM outbound GROUP BY state ORDER BY state").map { ($0["state"], $0["n"]) } }
    }

    /// One file the gateway wrote (or failed to write) for a partner.
    public struct OutboundFile: Sendable {
        public var partner: String, channel: String, format: String, name: String, path: String, state: String
        public var route: String?, sourceFileId: Int64?, recordCount: Int, lastError: String?
    }

    /// The outbound files in the order they were written.
    public func outboundFiles() throws -> [OutboundFile] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT partner, channel, format, name, path, state, route, sourceFileId, recordCount, lastError FROM outbound ORDER BY id").map {
                OutboundFile(partner: $0["partner"], channel: $0["channel"], format: $0["format"], name: $0["name"], path: $0["path"], state: $0["state"],
                             route: $0["route"], sourceFileId: $0["sourceFileId"], recordCount: $0["recordCount"], lastError: $0["lastError"])
            }
        }
    }

    // MARK: observers

    /// Adds an observer of committed changes (see `LedgerObserver`), for this ledger's life.
    public func addObserver(_ observer: any LedgerObserver) { observers.add(observer) }

    /// Tells the observers about a change inside its transaction; modules with their own tables
    /// call this from their `write` blocks. An observer's error rolls the change back.
    public func notify(_ db: Database, _ change: LedgerChange) throws {
        for o in observers.all { try o.ledger(self, didChange: change, in: db) }
    }

    /// Direct access for modules that keep their own tables (registered in Migrations).
    public func write<T>(_ body: (Database) throws -> T) throws -> T { try db.write(body) }
    public func read<T>(_ body: (Database) throws -> T) throws -> T { try db.read(body) }
}

/// Inserts one file's records inside `Ledger.commitTranslation`.
public final class RecordSink {
    let fileId: Int64
    let statement: GRDB.Statement
    public private(set) var count = 0
    init(fileId: Int64, statement: GRDB.Statement) { self.fileId = fileId; self.statement = statement }

    public func insert(id: String, type: String, json: String) throws {
        try statement.execute(arguments: [fileId, count, id, type, json])
        count += 1
    }
}

/// A change the ledger is about to commit, as observers see it: inside the change's own
/// transaction, so what they write commits (or rolls back) with it. Generic on purpose: a file
/// entered a state, an outbound file changed state, or a module's own named change.
public struct LedgerChange: Sendable {
    public enum Kind: Sendable, Equatable {
        case file(FileState)
        /// An outbound file: emitted, failed, delivered, acknowledged, rejected.
        case outbound(String)
        /// A module's own change (named by the module).
        case other(String)
    }
    public var kind: Kind
    public var fileId: Int64?
    public var outboundId: Int64?
    /// JSON text (an error report, a module's details) or plain text.
    public var detail: String?
    public var at: Date

    public init(kind: Kind, fileId: Int64? = nil, outboundId: Int64? = nil, detail: String? = nil, at: Date = Date()) {
        self.kind = kind; self.fileId = fileId; self.outboundId = outboundId; self.detail = detail; self.at = at
    }
}

/// Sees every change inside its transaction (the events outbox). Throwing rolls the change back.
public protocol LedgerObserver: Sendable {
    func ledger(_ ledger: Ledger, didChange change: LedgerChange, in db: Database) throws
}

/// `@unchecked Sendable`: `list` is only touched under `lock`.
private final class Observers: @unchecked Sendable {
    private let lock = NSLock()
    private var list = [any LedgerObserver]()
    func add(_ o: any LedgerObserver) { lock.withLock { list.append(o) } }
    var all: [any LedgerObserver] { lock.withLock { list } }
}
