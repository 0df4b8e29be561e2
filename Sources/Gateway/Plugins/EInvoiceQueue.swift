import Foundation
import GRDB
import Ledger
import Canonical

/// One e-invoice message held for the platform: a row of the ledger's `einvoice_queue`
/// (migration "v3: e-invoice queue").
struct QueuedEInvoice: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "einvoice_queue"

    /// queued → releasing (files being written) → released → accepted | rejected;
    /// failed when a release refused it (its error says why).
    enum State: String, Codable, CaseIterable, DatabaseValueConvertible {
        case queued, releasing, released, accepted, rejected, failed
    }

    var id: Int64?
    var partner: String
    var recordId: String
    var sourceFileId: Int64?
    var number: String
    var kind: String
    var originalNumber: String?
    var message: String
    var issueDate: String
    var deadline: Date?
    var record: String
    var state: State
    var batchId: String?
    var fileName: String?
    var releasedAt: Date?
    var uploadDay: String?
    var resultCode: String?
    var resultMessage: String?
    var resultAt: Date?
    var error: String?
    var queuedAt: Date
    var updatedAt: Date

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// The ledger's e-invoice queue: what is waiting, what went in which batch, what the platform said.
struct EInvoiceQueue: Sendable {
    let ledger: Ledger

    /// Issuing kinds create a number that cancels, voids and allowances may refer to.
    static let issuingKinds = ["invoice", "allowance", "credit_note"]

    /// Queues messages in one transaction; a record already queued for the partner (a repeat
    /// after a crash) is left as it is.
    func add(_ rows: [QueuedEInvoice]) throws {
        try ledger.write { db in
            for var row in rows { try row.insert(db, onConflict: .ignore) }
        }
    }

    /// Whether an invoice or allowance with this number was queued (and not refused at release).
    func hasIssued(_ number: String) -> Bool {
        let sql = "SELECT EXISTS(SELECT 1 FROM einvoice_queue WHERE number = ? AND kind IN ('invoice', 'allowance', 'credit_note') AND state != 'failed')"
        return (try? ledger.read { try Bool.fetchOne($0, sql: sql, arguments: [number]) }) ?? false
    }

    func rows(partner: String, state: QueuedEInvoice.State) throws -> [QueuedEInvoice] {
        try ledger.read { try QueuedEInvoice.filter(Column("partner") == partner && Column("state") == state).order(Column("id")).fetchAll($0) }
    }

    /// The message codes of the partner's latest release (whose SRC folders must be empty before the next).
    func latestBatchMessages(partner: String) throws -> [String] {
        try ledger.read { db in
            try String.fetchAll(db, sql: """
                SELECT DISTINCT message FROM einvoice_queue WHERE partner = ? AND batchId = (
                  SELECT batchId FROM einvoice_queue WHERE partner = ? AND batchId IS NOT NULL ORDER BY id DESC LIMIT 1)
                """, arguments: [partner, partner])
        }
    }

    /// Marks rows as being released in a batch (before any file is written).
    func begin(_ ids: [Int64], batchId: String, at now: Date, uploadDay: String) throws {
        try ledger.write { db in
            try db.execute(sql: "UPDATE einvoice_queue SET state = 'releasing', batchId = ?, releasedAt = ?, uploadDay = ?, updatedAt = ? WHERE id IN (\(ids.map(String.init).joined(separator: ",")))",
                           arguments: [batchId, now, uploadDay, now])
        }
    }

    /// Rows whose files are in the upload client's SRC folders.
    func released(_ files: [(id: Int64, fileName: String)], at now: Date) throws {
        try ledger.write { db in
            let update = try db.cachedStatement(sql: "UPDATE einvoice_queue SET state = 'released', fileName = ?, updatedAt = ? WHERE id = ?")
            for f in files { try update.execute(arguments: [f.fileName, now, f.id]) }
        }
    }

    func fail(_ id: Int64, error: String, at now: Date) throws {
        try ledger.write { db in
            try db.execute(sql: "UPDATE einvoice_queue SET state = 'failed', error = ?, updatedAt = ? WHERE id = ?", arguments: [error, now, id])
        }
    }

    /// Records the platform's answer on the latest released message with this number and code;
    /// false when none was sent.
    func recordResult(number: String, message: String, state: QueuedEInvoice.State, code: String?, text: String?, at now: Date) throws -> Bool {
        try ledger.write { db in
            try db.execute(sql: """
                UPDATE einvoice_queue SET state = ?, resultCode = ?, resultMessage = ?, resultAt = ?, updatedAt = ?
                WHERE id = (SELECT id FROM einvoice_queue WHERE number = ? AND message = ? AND state IN ('released', 'accepted', 'rejected') ORDER BY id DESC LIMIT 1)
                """, arguments: [state, code, text, now, now, number, message])
            guard db.changesCount > 0 else { return false }
            if let row = try Row.fetchOne(db, sql: "SELECT partner, sourceFileId, recordId, fileName FROM einvoice_queue WHERE number = ? AND message = ? ORDER BY resultAt DESC, id DESC LIMIT 1",
                                          arguments: [number, message]) {
                let detail = JSONValue.object(["partner": .string(row["partner"]), "number": .string(number), "message": .string(message),
                                               "record_id": .string(row["recordId"]), "file": (row["fileName"] as String?).map(JSONValue.string) ?? .null,
                                               "result": .string(state.rawValue), "code": code.map(JSONValue.string) ?? .null, "text": text.map(JSONValue.string) ?? .null])
                try ledger.notify(db, LedgerChange(kind: .other(state == .rejected ? "outbound.rejected" : "outbound.acknowledged"), fileId: row["sourceFileId"],
                                                   detail: detail.jsonText, at: now))
            }
            return true
        }
    }

    /// Marks, once per message, a legal upload deadline coming before `limit` while the message is
    /// still not released, with its event (`einvoice.deadline.warning`) in the same transaction.
    func warnDeadlines(partner: String, before limit: Date, now: Date) throws {
        let sql = "SELECT id, recordId, sourceFileId, number, message, deadline, state FROM einvoice_queue WHERE partner = ? AND state IN ('queued', 'releasing', 'failed') AND deadline < ? AND deadlineWarnedAt IS NULL"
        guard try ledger.read({ try Row.fetchOne($0, sql: sql, arguments: [partner, limit]) }) != nil else { return }
        try ledger.write { db in
            for r in try Row.fetchAll(db, sql: sql, arguments: [partner, limit]) {
                try db.execute(sql: "UPDATE einvoice_queue SET deadlineWarnedAt = ? WHERE id = ?", arguments: [now, r["id"] as Int64])
                let deadline: Date = r["deadline"]
                let detail = JSONValue.object(["partner": .string(partner), "number": .string(r["number"]), "message": .string(r["message"]),
                                               "record_id": .string(r["recordId"]), "state": .string(r["state"]),
                                               "deadline": .string(ISO8601DateFormatter().string(from: deadline)), "missed": .bool(deadline <= now)])
                try ledger.notify(db, LedgerChange(kind: .other("einvoice.deadline.warning"), fileId: r["sourceFileId"], detail: detail.jsonText, at: now))
            }
        }
    }

    /// The upload day of the latest sent message with this number and code.
    func uploadDay(number: String, message: String) throws -> String? {
        try ledger.read {
            try String.fetchOne($0, sql: "SELECT uploadDay FROM einvoice_queue WHERE number = ? AND message = ? AND uploadDay IS NOT NULL ORDER BY id DESC LIMIT 1",
                                arguments: [number, message])
        }
    }

    func latestUploadDay() throws -> String? {
        try ledger.read { try String.fetchOne($0, sql: "SELECT MAX(uploadDay) FROM einvoice_queue WHERE state IN ('released', 'accepted', 'rejected')") }
    }

    /// How many messages of each code went to the upload client on a day.
    func sentCounts(uploadDay: String) throws -> [String: Int] {
        try ledger.read { db in
            var out = [String: Int]()
            for row in try Row.fetchAll(db, sql: "SELECT message, COUNT(*) AS n FROM einvoice_queue WHERE uploadDay = ? AND state IN ('released', 'accepted', 'rejected') GROUP BY message",
                                        arguments: [uploadDay]) {
                out[row["message"]] = row["n"]
            }
            return out
        }
    }

    func counts(partner: String) throws -> [QueuedEInvoice.State: Int] {
        try ledger.read { db in
            var out = [QueuedEInvoice.State: Int]()
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM einvoice_queue WHERE partner = ? GROUP BY state", arguments: [partner]) {
                if let s = QueuedEInvoice.State(rawValue: row["state"]) { out[s] = row["n"] }
            }
            return out
        }
    }

    /// Not yet in the upload client's hands, with a legal deadline before `limit`, earliest first.
    func unreleased(partner: String, deadlineBefore limit: Date) throws -> [QueuedEInvoice] {
        try ledger.read {
            try QueuedEInvoice.filter(Column("partner") == partner && ["queued", "releasing", "failed"].contains(Column("state")) && Column("deadline") < limit)
                .order(Column("deadline"), Column("id")).fetchAll($0)
        }
    }

    /// Released before `limit` and still without a platform result.
    func unanswered(partner: String, releasedBefore limit: Date) throws -> [QueuedEInvoice] {
        try ledger.read {
            try QueuedEInvoice.filter(Column("partner") == partner && Column("state") == QueuedEInvoice.State.released && Column("releasedAt") < limit)
                .order(Column("releasedAt"), Column("id")).fetchAll($0)
        }
    }
}
