import Foundation

/// Where a record came from. `index` counts records in the file from 0.
public struct RecordSource: Codable, Sendable, Hashable {
    public var partner: String
    public var channel: String
    public var format: String
    public var file: String
    public var sha256: String
    public var index: Int

    public init(partner: String, channel: String, format: String, file: String, sha256: String, index: Int) {
        self.partner = partner; self.channel = channel; self.format = format
        self.file = file; self.sha256 = sha256; self.index = index
    }

    /// Deterministic id: the same file always yields the same ids, so a replay or duplicate drop is recognisable.
    public var recordID: String { "\(sha256.prefix(16))-\(index)" }
}

public enum RecordType: String, Codable, Sendable, CaseIterable {
    case statement, payment, invoice
    case purchaseOrder = "purchase_order"
    case shipNotice = "ship_notice"
    case journalEntry = "journal_entry"
    case acknowledgment
}

/// The body of a canonical record, one case per type.
public enum RecordBody: Sendable, Hashable {
    case statement(Statement)
    case payment(Payment)
    case invoice(Invoice)
    case purchaseOrder(PurchaseOrder)
    case shipNotice(ShipNotice)
    case journalEntry(JournalEntry)
    case acknowledgment(Acknowledgment)

    public var type: RecordType {
        switch self {
        case .statement: .statement
        case .payment: .payment
        case .invoice: .invoice
        case .purchaseOrder: .purchaseOrder
        case .shipNotice: .shipNotice
        case .journalEntry: .journalEntry
        case .acknowledgment: .acknowledgment
        }
    }
}

/// One canonical record: `schema`, `type`, `id`, `source`, the body's fields, then `extra`.
public struct Record: Sendable, Hashable, Codable {
    public static let schema = "dropgate/1"

    public var id: String
    public var source: RecordSource?
    public var body: RecordBody
    /// Format-specific fields with no canonical home, so nothing the sender said is lost.
    public var extra: JSONObject?

    public var type: RecordType { body.type }

    public init(id: String, source: RecordSource?, body: RecordBody, extra: JSONObject? = nil) {
        self.id = id; self.source = source; self.body = body
        self.extra = (extra?.isEmpty ?? true) ? nil : extra
    }

    /// A record made from `source`, its id derived from the source's hash and index.
    public init(source: RecordSource, body: RecordBody, extra: JSONObject? = nil) {
        self.init(id: source.recordID, source: source, body: body, extra: extra)
    }

    enum Key: String, CodingKey { case schema, type, id, source, extra }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let schema = try c.decode(String.self, forKey: .schema)
        guard schema == Record.schema else {
            throw DecodingError.dataCorruptedError(forKey: .schema, in: c, debugDescription: "unknown schema \"\(schema)\"; expected \"\(Record.schema)\"")
        }
        id = try c.decode(String.self, forKey: .id)
        source = try c.decodeIfPresent(RecordSource.self, forKey: .source)
        extra = try c.decodeIfPresent(JSONObject.self, forKey: .extra)
        switch try c.decode(RecordType.self, forKey: .type) {
        case .statement: body = .statement(try Statement(from: decoder))
        case .payment: body = .payment(try Payment(from: decoder))
        case .invoice: body = .invoice(try Invoice(from: decoder))
        case .purchaseOrder: body = .purchaseOrder(try PurchaseOrder(from: decoder))
        case .shipNotice: body = .shipNotice(try ShipNotice(from: decoder))
        case .journalEntry: body = .journalEntry(try JournalEntry(from: decoder))
        case .acknowledgment: body = .acknowledgment(try Acknowledgment(from: decoder))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(Record.schema, forKey: .schema)
        try c.encode(type, forKey: .type)
        try c.encode(id, forKey: .id)
        try c.encodeIfPresent(source, forKey: .source)
        switch body {
        case .statement(let b): try b.encode(to: encoder)
        case .payment(let b): try b.encode(to: encoder)
        case .invoice(let b): try b.encode(to: encoder)
        case .purchaseOrder(let b): try b.encode(to: encoder)
        case .shipNotice(let b): try b.encode(to: encoder)
        case .journalEntry(let b): try b.encode(to: encoder)
        case .acknowledgment(let b): try b.encode(to: encoder)
        }
        if let extra, !extra.isEmpty { try c.encode(extra, forKey: .extra) }
    }

    /// The record's invariants (balances, totals); empty when all hold.
    public func invariantViolations() -> [String] {
        switch body {
        case .statement(let s): s.invariantViolations()
        case .invoice(let i): i.invariantViolations()
        case .journalEntry(let j): j.invariantViolations()
        default: []
        }
    }
}
