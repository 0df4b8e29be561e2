import Foundation
import GRDB
import Canonical

/// An X12 interchange the gateway received and translated, identified the way trading partners
/// identify it: sender (`ISA05:ISA06`), receiver (`ISA07:ISA08`) and ISA13.
public struct X12ReceivedInterchange: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "x12_interchanges"
    public var partner: String
    public var sender: String
    public var receiver: String
    public var controlNumber: String
    public var fileId: Int64
    public var receivedAt: Date

    public init(partner: String, sender: String, receiver: String, controlNumber: String, fileId: Int64, receivedAt: Date) {
        self.partner = partner; self.sender = sender; self.receiver = receiver; self.controlNumber = controlNumber
        self.fileId = fileId; self.receivedAt = receivedAt
    }
}

/// Where a functional group we sent stands: `sent` until the partner's 997/999 for it arrives,
/// then what its AK9 said. (Overdue is not stored: it is `sent` for longer than the partner's
/// `ackOverdueHours`, decided when someone asks.)
public enum X12GroupState: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case sent, accepted
    case acceptedWithErrors = "accepted_with_errors"
    case partiallyAccepted = "partially_accepted"
    case rejected
}

/// One functional group (GS…GE) of a file the gateway emitted for a partner.
public struct X12SentGroup: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "x12_groups"
    public var partner: String
    /// ISA13 of the interchange the group went in.
    public var interchangeControlNumber: String
    /// GS06, without leading zeros (997 AK102 / 999 AK102 echo it).
    public var groupControlNumber: String
    /// GS01: `PO`, `IN`, `SH`…
    public var functionalId: String
    public var setCount: Int
    public var sentAt: Date
    public var path: String
    public var state: X12GroupState
    /// The received file that carried the 997/999 for this group.
    public var ackFileId: Int64?
    public var ackedAt: Date?

    public init(partner: String, interchangeControlNumber: String, groupControlNumber: String, functionalId: String,
                setCount: Int, sentAt: Date, path: String, state: X12GroupState = .sent, ackFileId: Int64? = nil, ackedAt: Date? = nil) {
        self.partner = partner; self.interchangeControlNumber = interchangeControlNumber
        self.groupControlNumber = X12SentGroup.normalized(groupControlNumber); self.functionalId = functionalId
        self.setCount = setCount; self.sentAt = sentAt; self.path = path; self.state = state
        self.ackFileId = ackFileId; self.ackedAt = ackedAt
    }

    /// Control numbers compare as numbers: `000000042` and `42` are the same group.
    public static func normalized(_ controlNumber: String) -> String {
        let digits = controlNumber.drop { $0 == "0" }
        return digits.isEmpty ? (controlNumber.isEmpty ? "" : "0") : String(digits)
    }
}

extension Ledger {
    /// Remembers the interchanges of a translated file. Idempotent: a repeat adds nothing.
    public func recordX12Interchanges(_ interchanges: [X12ReceivedInterchange]) throws {
        try write { db in for i in interchanges { try i.insert(db, onConflict: .ignore) } }
    }

    /// The latest receipt of the same interchange (same partner, sender, receiver, ISA13) at or
    /// after `since`, in another file than `excludingFileId`.
    public func earlierX12Interchange(partner: String, sender: String, receiver: String, controlNumber: String,
                                      since: Date, excludingFileId: Int64?) throws -> X12ReceivedInterchange? {
        try read { db in
            try X12ReceivedInterchange
                .filter(Column("partner") == partner && Column("sender") == sender && Column("receiver") == receiver
                        && Column("controlNumber") == controlNumber && Column("receivedAt") >= since && Column("fileId") != (excludingFileId ?? -1))
                .order(Column("receivedAt").desc).fetchOne(db)
        }
    }

    /// Records the groups of a file we sent, as `sent`. Idempotent: a group already known keeps its state.
    public func recordX12SentGroups(_ groups: [X12SentGroup]) throws {
        try write { db in for g in groups { try g.insert(db, onConflict: .ignore) } }
    }

    /// Applies a partner's 997/999 to the group it answers (matched by partner, GS06 and, when
    /// given, GS01). Returns how many sent groups it matched (0: an acknowledgment for a group we
    /// do not know).
    @discardableResult
    public func acknowledgeX12Group(partner: String, groupControlNumber: String, functionalId: String?, state: X12GroupState,
                                    ackFileId: Int64, now: Date = Date()) throws -> Int {
        try write { db in
            var request = X12SentGroup.filter(Column("partner") == partner && Column("groupControlNumber") == X12SentGroup.normalized(groupControlNumber))
            if let functionalId, !functionalId.isEmpty { request = request.filter(Column("functionalId") == functionalId) }
            let n = try request.updateAll(db, Column("state").set(to: state), Column("ackFileId").set(to: ackFileId), Column("ackedAt").set(to: now))
            for path in try String.fetchAll(db, request.select(Column("path"))) {
                let detail = JSONValue.object(["functional_acknowledgment": .string(state.rawValue), "group_control_number": .string(groupControlNumber), "ack_file_id": .number(String(ackFileId))])
                for id in try Int64.fetchAll(db, sql: "SELECT id FROM outbound WHERE path = ?", arguments: [path]) {
                    try notify(db, LedgerChange(kind: .outbound(state == .rejected ? "rejected" : "acknowledged"), fileId: ackFileId, outboundId: id, detail: detail.jsonText, at: now))
                }
            }
            try Ledger.audit(db, ackFileId, n > 0 ? "x12-ack" : "x12-ack-unmatched",
                             "\(partner) group \(groupControlNumber)\(functionalId.map { " (\($0))" } ?? ""): \(state.rawValue)", now)
            return n
        }
    }

    /// Every group we sent, oldest first.
    public func x12SentGroups() throws -> [X12SentGroup] {
        try read { try X12SentGroup.order(Column("sentAt"), Column("id")).fetchAll($0) }
    }
}
