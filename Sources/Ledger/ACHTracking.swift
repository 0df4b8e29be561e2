import Foundation
import GRDB

/// One entry of a NACHA file the gateway emitted: what a return of it will name.
public struct ACHSentEntry: Sendable, Hashable {
    public var traceNumber: String
    /// Decimal dollars (`1975.35`).
    public var amount: String
    public var transactionCode: String
    public var receiverName: String?
    public init(traceNumber: String, amount: String, transactionCode: String, receiverName: String?) {
        self.traceNumber = traceNumber; self.amount = amount; self.transactionCode = transactionCode; self.receiverName = receiverName
    }
}

/// An entry we sent, found by its trace number, with the outbound file it went in.
public struct ACHSentEntryMatch: Sendable {
    public var entryId: Int64
    public var entry: ACHSentEntry
    public var outboundId: Int64
    public var outboundName: String
    public var partner: String
    public var channel: String
    public var sourceFileId: Int64?
}

extension Ledger {
    /// Records the entries of the outbound NACHA file written at `path` (its `outbound` row must
    /// exist); again for the same file adds nothing. Returns the outbound row's id, nil if unknown.
    @discardableResult
    public func recordACHEntries(outboundPath path: String, _ entries: [ACHSentEntry], now: Date = Date()) throws -> Int64? {
        try write { db in
            guard let outboundId = try Int64.fetchOne(db, sql: "SELECT id FROM outbound WHERE path = ? ORDER BY id DESC LIMIT 1", arguments: [path]) else { return nil }
            let insert = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO ach_entries (outboundId, traceNumber, amount, transactionCode, receiverName, recordedAt) VALUES (?, ?, ?, ?, ?, ?)
                """)
            for e in entries { try insert.execute(arguments: [outboundId, e.traceNumber, e.amount, e.transactionCode, e.receiverName, now]) }
            return outboundId
        }
    }

    /// The entry we sent with this trace number (the latest, should a bank reuse one), and its file.
    public func achSentEntry(traceNumber: String) throws -> ACHSentEntryMatch? {
        try read { db in
            try Row.fetchOne(db, sql: """
                SELECT e.id, e.traceNumber, e.amount, e.transactionCode, e.receiverName, o.id AS outboundId, o.name, o.partner, o.channel, o.sourceFileId
                FROM ach_entries e JOIN outbound o ON o.id = e.outboundId WHERE e.traceNumber = ? ORDER BY e.id DESC LIMIT 1
                """, arguments: [traceNumber]).map {
                ACHSentEntryMatch(entryId: $0["id"], entry: ACHSentEntry(traceNumber: $0["traceNumber"], amount: $0["amount"], transactionCode: $0["transactionCode"],
                                                                          receiverName: $0["receiverName"]),
                                  outboundId: $0["outboundId"], outboundName: $0["name"], partner: $0["partner"], channel: $0["channel"], sourceFileId: $0["sourceFileId"])
            }
        }
    }

    /// Records a return read from inbound file `fileId` and, in the same transaction, its event
    /// (`eventType` with `eventData`, a JSON object) and audit row — once: a second call for the
    /// same file and record (after a crash) changes nothing and returns false.
    @discardableResult
    public func recordACHReturn(fileId: Int64, recordId: String, originalTrace: String, returnCode: String, amount: String, entryId: Int64?,
                                eventType: String, eventData: String, audit: String, now: Date = Date()) throws -> Bool {
        try write { db in
            try db.execute(sql: """
                INSERT OR IGNORE INTO ach_returns (fileId, recordId, originalTrace, returnCode, amount, entryId, recordedAt) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [fileId, recordId, originalTrace, returnCode, amount, entryId, now])
            guard db.changesCount == 1 else { return false }
            try Ledger.audit(db, fileId, "ach-return", audit, now)
            try notify(db, LedgerChange(kind: .other(eventType), fileId: fileId, detail: eventData, at: now))
            return true
        }
    }
}
