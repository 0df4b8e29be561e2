import Foundation
import GRDB

/// The identity that uploaded a file into a partner's drop box.
public struct DropboxUpload: Sendable, Equatable {
    public var fileId: Int64
    public var user: String
    public var keyFingerprint: String?
    public init(fileId: Int64, user: String, keyFingerprint: String?) { self.fileId = fileId; self.user = user; self.keyFingerprint = keyFingerprint }
}

extension Ledger {
    /// Records who uploaded a file, once (a repeat after a crash keeps the first record).
    public func recordUpload(_ upload: DropboxUpload, now: Date = Date()) throws {
        try write { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM dropbox_uploads WHERE fileId = ?)", arguments: [upload.fileId]) == false else { return }
            try db.execute(sql: "INSERT INTO dropbox_uploads (fileId, user, keyFingerprint, recordedAt) VALUES (?, ?, ?, ?)",
                           arguments: [upload.fileId, upload.user, upload.keyFingerprint, now])
            try Ledger.audit(db, upload.fileId, "uploaded", "by SFTP user \(upload.user)" + (upload.keyFingerprint.map { " with key \($0)" } ?? ""), now)
        }
    }

    public func upload(fileId: Int64) throws -> DropboxUpload? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT fileId, user, keyFingerprint FROM dropbox_uploads WHERE fileId = ?", arguments: [fileId]).map {
                DropboxUpload(fileId: $0["fileId"], user: $0["user"], keyFingerprint: $0["keyFingerprint"])
            }
        }
    }

    /// Outbound files of a channel still waiting in its outbox (`emitted`), oldest first.
    public func waitingOutbound(partner: String, channel: String) throws -> [OutboundFile] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT partner, channel, format, name, path, state, route, sourceFileId, recordCount, lastError FROM outbound
                WHERE partner = ? AND channel = ? AND state = 'emitted' AND path != '' ORDER BY id
                """, arguments: [partner, channel]).map {
                OutboundFile(partner: $0["partner"], channel: $0["channel"], format: $0["format"], name: $0["name"], path: $0["path"], state: $0["state"],
                             route: $0["route"], sourceFileId: $0["sourceFileId"], recordCount: $0["recordCount"], lastError: $0["lastError"])
            }
        }
    }

    /// An outbound file the partner took from its drop box becomes `delivered`.
    public func markOutboundFetched(path: String, detail: String, now: Date = Date()) throws {
        try write { db in
            try db.execute(sql: "UPDATE outbound SET state = 'delivered', deliveredAt = ?, updatedAt = ? WHERE path = ? AND state = 'emitted'",
                           arguments: [now, now, path])
            guard db.changesCount > 0 else { return }
            let source = try Int64.fetchOne(db, sql: "SELECT sourceFileId FROM outbound WHERE path = ?", arguments: [path])
            try Ledger.audit(db, source, "delivered", "\((path as NSString).lastPathComponent) \(detail)", now)
        }
    }
}
