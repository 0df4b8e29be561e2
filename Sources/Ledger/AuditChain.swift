import Foundation
import GRDB
import Crypto
import Canonical

/// The audit trail as a hash chain. Every row carries `prevHash`, the hash of the row before it
/// (64 zeros for the first), and `hash` = SHA-256 of `prevHash`, a newline and the row's content
/// (`content(...)`: the JSON array `[seq, at, fileId, event, detail]` of the values as stored).
/// `audit_head` keeps the last row's seq and hash and the number of rows ever appended, and the next
/// row links to the head rather than to whatever row is last in the table, so a row removed at the
/// end is found as well as one changed or removed in the middle. The triggers of migration v1 keep
/// the table append-only for the gateway; the chain catches what bypasses them (raw SQL, an edited
/// file). An auditor who keeps an exported head hash can also detect a ledger rewritten from scratch.
public enum AuditChain {
    public static let genesis = String(repeating: "0", count: 64)

    /// The text a row's hash covers (besides the previous hash): its stored values, typed.
    static func content(seq: Int64, at: DatabaseValue, fileId: DatabaseValue, event: DatabaseValue, detail: DatabaseValue) -> String {
        JSONValue.array([.number(String(seq)), json(at), json(fileId), json(event), json(detail)]).jsonText
    }

    static func hash(prev: String, content: String) -> String {
        SHA256.hash(data: Data((prev + "\n" + content).utf8)).map { String(format: "%02x", $0) }.joined()
    }

    private static func json(_ v: DatabaseValue) -> JSONValue {
        switch v.storage {
        case .null: return .null
        case .int64(let i): return .number(String(i))
        case .double(let d): return .number(String(d))
        case .string(let s): return .string(s)
        case .blob(let b): return .string("x'" + b.map { String(format: "%02x", $0) }.joined() + "'")
        }
    }

    /// Appends one row linked to the head. The first statement writes (the head), so the
    /// transaction holds the write lock before it reads the previous hash.
    static func append(_ db: Database, fileId: Int64?, event: String, detail: String?, at now: Date) throws {
        guard let head = try Row.fetchOne(db, sql: "UPDATE audit_head SET count = count + 1 WHERE id = 1 RETURNING seq, hash") else {
            throw DatabaseError(message: "audit_head is missing: the audit chain cannot be extended (run `dropgate audit verify`)")
        }
        let seq = (head["seq"] as Int64) + 1
        let prev: String = head["hash"]
        let values = [now.databaseValue, fileId.databaseValue, event.databaseValue, detail.databaseValue]
        let h = hash(prev: prev, content: content(seq: seq, at: values[0], fileId: values[1], event: values[2], detail: values[3]))
        try db.execute(sql: "INSERT INTO audit (seq, at, fileId, event, detail, prevHash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       arguments: [seq, values[0], values[1], values[2], values[3], prev, h])
        try db.execute(sql: "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", arguments: [seq, h])
    }

    /// Chains the rows that exist (migration): fills prevHash and hash in seq order, sets the head.
    static func chainExisting(_ db: Database) throws {
        var prev = genesis
        var last: Int64 = 0
        var count = 0
        let rows = try Row.fetchAll(db, sql: "SELECT seq, at, fileId, event, detail FROM audit ORDER BY seq")
        for row in rows {
            let seq: Int64 = row["seq"]
            let h = hash(prev: prev, content: content(seq: seq, at: row[1] as DatabaseValue, fileId: row[2] as DatabaseValue,
                                                     event: row[3] as DatabaseValue, detail: row[4] as DatabaseValue))
            try db.execute(sql: "UPDATE audit SET prevHash = ?, hash = ? WHERE seq = ?", arguments: [prev, h, seq])
            prev = h; last = seq; count += 1
        }
        try db.execute(sql: "INSERT INTO audit_head (id, seq, hash, count) VALUES (1, ?, ?, ?)", arguments: [last, prev, count])
    }
}

/// What `Ledger.verifyAudit()` found.
public struct AuditVerification: Sendable {
    public var rows = 0
    public var headHash = AuditChain.genesis
    /// The first problem, naming the row; nil when the chain is intact.
    public var firstProblem: String?
    public var ok: Bool { firstProblem == nil }
}

/// One audit row as exported for an auditor.
public struct AuditRow: Sendable {
    public var seq: Int64
    public var at: String
    public var fileId: Int64?
    public var event: String
    public var detail: String?
    public var prevHash: String
    public var hash: String

    /// One JSON line (keys in this order).
    public var jsonLine: String {
        JSONValue.object(JSONObject([
            ("seq", .number(String(seq))), ("at", .string(at)), ("fileId", fileId.map { .number(String($0)) } ?? .null),
            ("event", .string(event)), ("detail", detail.map { .string($0) } ?? .null),
            ("prevHash", .string(prevHash)), ("hash", .string(hash)),
        ])).jsonText
    }
}

extension Ledger {
    /// Walks the whole chain: every row's content against its hash, every link against the row
    /// before it, no seq missing, and the last row against the head. Stops at the first problem.
    public func verifyAudit() throws -> AuditVerification {
        try db.read { db in
            var v = AuditVerification()
            var prev = AuditChain.genesis
            var lastSeq: Int64 = 0
            let cursor = try Row.fetchCursor(db, sql: "SELECT seq, at, fileId, event, detail, prevHash, hash FROM audit ORDER BY seq")
            while let row = try cursor.next() {
                let seq: Int64 = row["seq"]
                let label = "audit row seq \(seq)" + ((row["event"] as String?).map { " (\($0))" } ?? "")
                if seq != lastSeq + 1 {
                    v.firstProblem = seq == lastSeq + 2 ? "audit row seq \(lastSeq + 1) is missing (removed)"
                        : "audit rows seq \(lastSeq + 1)…\(seq - 1) are missing (removed)"
                    return v
                }
                let stored: String? = row["hash"]
                let storedPrev: String? = row["prevHash"]
                guard let stored, let storedPrev else { v.firstProblem = "\(label) has no hash"; return v }
                let computed = AuditChain.hash(prev: storedPrev, content: AuditChain.content(
                    seq: seq, at: row[1] as DatabaseValue, fileId: row[2] as DatabaseValue,
                    event: row[3] as DatabaseValue, detail: row[4] as DatabaseValue))
                if computed != stored {
                    v.firstProblem = "\(label) was changed: its content no longer matches its hash"
                    return v
                }
                if storedPrev != prev {
                    v.firstProblem = "\(label) does not link to the row before it (seq \(lastSeq)): a row before it was changed, removed or replaced"
                    return v
                }
                prev = stored; lastSeq = seq; v.rows += 1
            }
            v.headHash = prev
            guard let head = try Row.fetchOne(db, sql: "SELECT seq, hash, count FROM audit_head WHERE id = 1") else {
                v.firstProblem = "audit_head is missing: the chain's end cannot be checked"
                return v
            }
            let headSeq: Int64 = head["seq"], headHash: String = head["hash"], count: Int = head["count"]
            if headSeq != lastSeq || headHash != prev {
                v.firstProblem = headSeq > lastSeq
                    ? "audit row seq \(lastSeq + 1) is missing (removed): the chain ends at seq \(lastSeq), the head says seq \(headSeq)"
                    : "the audit head (seq \(headSeq)) does not match the last row (seq \(lastSeq))"
            } else if count != v.rows {
                v.firstProblem = "\(v.rows) audit rows, but \(count) were appended"
            }
            return v
        }
    }

    /// The audit rows at or after `since` (all when nil), in order, streamed to `body`.
    public func forEachAuditRow(since: Date?, _ body: (AuditRow) throws -> Void) throws {
        try db.read { db in
            let cursor = try Row.fetchCursor(db, sql: "SELECT seq, at, fileId, event, detail, prevHash, hash FROM audit WHERE at >= ? ORDER BY seq",
                                             arguments: [(since ?? Date(timeIntervalSince1970: 0))])
            while let r = try cursor.next() {
                try body(AuditRow(seq: r["seq"], at: r["at"], fileId: r["fileId"], event: r["event"], detail: r["detail"],
                                  prevHash: r["prevHash"] ?? "", hash: r["hash"] ?? ""))
            }
        }
    }
}
