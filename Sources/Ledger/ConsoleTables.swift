import Foundation
import GRDB
import Crypto

/// What a console/API token may do: viewers read, operators also act (retry, enable/disable).
public enum TokenRole: String, Sendable, Codable, CaseIterable {
    case viewer
    case `operator`
}

/// A bearer token as the ledger keeps it (the secret itself is never stored, only its SHA-256).
public struct APIToken: Sendable {
    public var id: Int64
    public var name: String
    public var role: TokenRole
    public var createdAt: Date
    public var revokedAt: Date?
}

extension Ledger {
    /// Hex SHA-256 of a token's secret: what is stored and looked up.
    public static func tokenHash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Creates a token; returns it with its secret (`dg_` + 64 hex digits of 256 random bits), shown once.
    public func createToken(name: String, role: TokenRole, now: Date = Date()) throws -> (token: APIToken, secret: String) {
        let secret = "dg_" + SymmetricKey(size: .bits256).withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() }
        let id = try write { db -> Int64 in
            try db.execute(sql: "INSERT INTO console_tokens (name, role, hash, createdAt) VALUES (?, ?, ?, ?)",
                           arguments: [name, role.rawValue, Ledger.tokenHash(secret), now])
            let id = db.lastInsertedRowID
            try Ledger.audit(db, nil, "token-created", "\(role.rawValue) token \"\(name)\" (id \(id))", now)
            return id
        }
        return (APIToken(id: id, name: name, role: role, createdAt: now, revokedAt: nil), secret)
    }

    /// The live token with this secret, if any.
    public func token(secret: String) throws -> APIToken? {
        try read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM console_tokens WHERE hash = ? AND revokedAt IS NULL"),
                             arguments: [Ledger.tokenHash(secret)]).flatMap(Ledger.apiToken)
        }
    }

    public func tokens() throws -> [APIToken] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM console_tokens ORDER BY id").compactMap(Ledger.apiToken) }
    }

    /// Revokes a token; false when there is no live token with that id.
    public func revokeToken(id: Int64, now: Date = Date()) throws -> Bool {
        try write { db in
            try db.execute(sql: "UPDATE console_tokens SET revokedAt = ? WHERE id = ? AND revokedAt IS NULL", arguments: [now, id])
            guard db.changesCount > 0 else { return false }
            try Ledger.audit(db, nil, "token-revoked", "token id \(id)", now)
            return true
        }
    }

    static func apiToken(_ row: Row) -> APIToken? {
        guard let role = TokenRole(rawValue: row["role"]) else { return nil }
        return APIToken(id: row["id"], name: row["name"], role: role, createdAt: row["createdAt"], revokedAt: row["revokedAt"])
    }

    // MARK: channel switches

    /// The channels switched off (`partner/channel`).
    public func disabledChannels() throws -> Set<String> {
        try read { db in
            Set(try Row.fetchAll(db, sql: "SELECT partner, channel FROM channel_switches WHERE enabled = 0").map { "\($0["partner"] as String)/\($0["channel"] as String)" })
        }
    }

    /// Switches a channel on or off, with an audit row naming who did it.
    public func setChannel(partner: String, channel: String, enabled: Bool, by actor: String, now: Date = Date()) throws {
        try write { db in
            try db.execute(sql: """
                INSERT INTO channel_switches (partner, channel, enabled, updatedBy, updatedAt) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(partner, channel) DO UPDATE SET enabled = excluded.enabled, updatedBy = excluded.updatedBy, updatedAt = excluded.updatedAt
                """, arguments: [partner, channel, enabled, actor, now])
            try Ledger.audit(db, nil, enabled ? "channel-enabled" : "channel-disabled", "\(partner)/\(channel) by \(actor)", now)
        }
    }

    // MARK: retry

    /// Puts a quarantined file back to `received` (its file is back at `workPath`), with a fresh
    /// attempt count and no error, so the pipeline translates it again; audited with who asked.
    public func requeueQuarantined(_ id: Int64, detail: String, now: Date = Date()) throws {
        try write { db in
            try db.execute(sql: "UPDATE files SET state = ?, finalPath = NULL, error = NULL, attempts = 0, updatedAt = ? WHERE id = ? AND state = ?",
                           arguments: [FileState.received, now, id, FileState.quarantined])
            guard db.changesCount == 1 else { throw DatabaseError(message: "file \(id) is not quarantined") }
            try Ledger.audit(db, id, "retry", detail, now)
        }
    }
}
