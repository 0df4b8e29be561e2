import Canonical

/// The record contract of Canonical/Records.swift as data: every body type's fields in the order the typed
/// records encode them, with their kinds and whether they are required. The inbound path uses it
/// to write a mapped record straight as canonical JSON bytes (no `Codable`, no typed `Record`);
/// a test holds it to the typed records (same field names, same order, same bytes).
public enum RecordSchema {
    public indirect enum Kind: Sendable {
        case string
        /// An exact decimal (`Amount`), written in its canonical text.
        case amount
        case int
        case enumeration(Set<String>)
        case object([Field])
        case array(Kind)
        /// A free JSON object (`JSONObject`): written as mapped.
        case anyObject
    }

    public struct Field: Sendable {
        public let name: String
        public let kind: Kind
        public let required: Bool
        /// An array that reads as empty when absent and is always written (`ach.addenda`).
        public let emptyWhenAbsent: Bool
        init(_ name: String, _ kind: Kind, required: Bool = false, emptyWhenAbsent: Bool = false) {
            self.name = name; self.kind = kind; self.required = required; self.emptyWhenAbsent = emptyWhenAbsent
        }
    }

    private static func req(_ name: String, _ kind: Kind) -> Field { Field(name, kind, required: true) }
    private static func opt(_ name: String, _ kind: Kind) -> Field { Field(name, kind) }

    static let address: Kind = .object([opt("lines", .array(.string)), opt("city", .string), opt("region", .string),
                                        opt("postalCode", .string), opt("country", .string)])
    static let party: Kind = .object([opt("id", .string), opt("name", .string), opt("idQualifier", .string), opt("address", address)])
    static let balance: Kind = .object([req("date", .string), req("amount", .amount)])
    static let productIDs: Kind = .object([opt("buyer", .string), opt("vendor", .string), opt("upc", .string), opt("gtin", .string)])
    static let shipItem: Kind = .object([opt("sequence", .int), req("productIds", productIDs), opt("description", .string),
                                         req("quantity", .amount), req("unit", .string)])
    static let ackStatus: Kind = .enumeration(["accepted", "accepted_with_errors", "partially_accepted", "rejected"])

    /// The body fields of each record type, in encoding order.
    public static func fields(of type: RecordType) -> [Field] {
        switch type {
        case .statement: statement
        case .payment: payment
        case .invoice: invoice
        case .purchaseOrder: purchaseOrder
        case .shipNotice: shipNotice
        case .journalEntry: journalEntry
        case .acknowledgment: acknowledgment
        }
    }

    static let statement: [Field] = [
        req("account", .object([req("id", .string), opt("bic", .string), opt("name", .string)])),
        req("currency", .string), req("statementNumber", .string), req("reference", .string),
        opt("openingBalance", balance), opt("closingBalance", balance),
        req("lines", .array(.object([
            req("valueDate", .string), opt("entryDate", .string), req("amount", .amount), opt("transactionCode", .string),
            opt("bankReference", .string), opt("customerReference", .string),
            opt("counterparty", .object([opt("name", .string), opt("account", .string), opt("bic", .string)])),
            opt("remittance", .string), opt("details", .string), opt("fields", .anyObject),
        ]))),
    ]

    static let paymentParty: Kind = .object([req("name", .string), opt("account", .string), opt("agent", .string)])
    static let payment: [Field] = [
        req("direction", .enumeration(["outbound", "inbound", "return"])), req("method", .string), req("amount", .amount),
        req("currency", .string), req("executionDate", .string), req("debtor", paymentParty), req("creditor", paymentParty),
        opt("endToEndId", .string), opt("remittance", .string), opt("batchId", .string),
        opt("ach", .object([
            req("secCode", .string), req("transactionCode", .string), req("traceNumber", .string), req("companyId", .string),
            req("companyEntryDescription", .string), Field("addenda", .array(.anyObject), emptyWhenAbsent: true),
            opt("returnCode", .string), opt("correctionCode", .string),
        ])),
    ]

    static let invoice: [Field] = [
        req("kind", .enumeration(["invoice", "credit_note", "debit_note", "void", "cancel", "allowance", "allowance_cancel"])),
        req("number", .string), req("issueDate", .string), opt("issueTime", .string), req("currency", .string),
        req("seller", party), req("buyer", party),
        req("lines", .array(.object([
            req("sequence", .int), req("description", .string), req("quantity", .amount), opt("unit", .string),
            req("unitPrice", .amount), req("amount", .amount), opt("taxType", .string),
        ]))),
        req("totals", .object([req("net", .amount), req("tax", .amount), req("total", .amount)])),
        opt("taxRate", .amount), opt("purchaseOrderNumber", .string), opt("originalNumber", .string), opt("dueDate", .string),
        opt("taxType", .string),
        opt("einvoice", .object([
            req("invoiceType", .string), req("randomNumber", .string), req("printMark", .string), req("donateMark", .string),
            opt("carrierType", .string), opt("carrierId", .string), opt("npoban", .string),
        ])),
        opt("originalDate", .string), opt("reason", .string),
    ]

    static let purchaseOrder: [Field] = [
        req("number", .string), req("date", .string), req("purpose", .enumeration(["original", "change", "cancel"])),
        req("buyer", party), req("seller", party), req("shipTo", party), req("currency", .string),
        req("lines", .array(.object([
            req("sequence", .int), req("productIds", productIDs), opt("description", .string), req("quantity", .amount),
            req("unit", .string), opt("unitPrice", .amount),
        ]))),
        opt("requestedDeliveryDate", .string),
    ]

    static let shipNotice: [Field] = [
        req("shipmentId", .string), req("shipDate", .string), req("carrier", .object([opt("scac", .string), opt("name", .string)])),
        opt("trackingNumber", .string), req("shipFrom", party), req("shipTo", party),
        req("orders", .array(.object([
            req("purchaseOrderNumber", .string),
            req("packs", .array(.object([opt("sscc", .string), req("items", .array(shipItem))]))),
            req("items", .array(shipItem)),
        ]))),
        req("totals", .object([opt("packages", .amount), opt("weight", .amount), opt("weightUnit", .string)])),
    ]

    static let journalEntry: [Field] = [
        req("number", .string), req("date", .string), req("period", .string), req("currency", .string),
        req("description", .string), req("sourceRecord", .string),
        req("lines", .array(.object([
            req("account", .string), req("debit", .amount), req("credit", .amount), opt("description", .string), opt("costCentre", .string),
        ]))),
    ]

    static let acknowledgment: [Field] = [
        req("subject", .object([req("format", .string), opt("interchangeControlNumber", .string), opt("groupControlNumber", .string),
                                opt("invoiceNumber", .string)])),
        req("status", ackStatus),
        req("items", .array(.object([
            opt("controlNumber", .string), req("status", ackStatus),
            req("errors", .array(.object([req("code", .string), req("message", .string), opt("segment", .string), opt("element", .string)]))),
        ]))),
    ]
}

// MARK: - Writing

extension RecordSchema {
    /// Writes a mapped record as its canonical JSON line (with the newline) in schema key order,
    /// checking the contract on the way: required fields, types, exact money, enumerations and the
    /// invariants (`Record.invariantViolations`). Returns false, with `out` as it was, when the
    /// record does not meet the contract: the caller then takes the typed path, which reports why.
    /// Keys of `body` the schema does not know are left out, as decoding into `Record` does.
    public static func writeLine(type: RecordType, source: RecordSource, body: JSONObject, extra: JSONObject,
                                 head: inout LineHead, to out: inout [UInt8]) -> Bool {
        let start = out.count
        head.write(type: type, source: source, to: &out)
        guard writeFields(fields(of: type), of: body, to: &out, comma: true), invariantsHold(type, body) else {
            out.removeSubrange(start...)
            return false
        }
        if !extra.isEmpty {
            out.append(contentsOf: #","extra":"#.utf8)
            JSONValue.object(extra).write(to: &out)
        }
        out.append(contentsOf: "}\n".utf8)
        return true
    }

    /// `schema`, `type`, `id` and `source` of a line: the same for every record of a file but
    /// for the index, so made once per file and copied.
    public struct LineHead {
        private var key: [String] = []
        private var untilIndex: [UInt8] = []   // … "id":"<sha256 prefix>-
        private var untilSourceIndex: [UInt8] = []   // ","source":{… "index":
        public init() {}

        mutating func write(type: RecordType, source: RecordSource, to out: inout [UInt8]) {
            let k = [type.rawValue, source.partner, source.channel, source.format, source.file, source.sha256]
            if k != key {
                key = k
                untilIndex = Array(#"{"schema":"dropgate/1","type":"#.utf8)
                JSONValue.writeString(type.rawValue, to: &untilIndex)
                untilIndex += #","id":"#.utf8
                JSONValue.writeString(String(source.sha256.prefix(16)) + "-", to: &untilIndex)
                untilIndex.removeLast()   // the closing quote comes after the index
                untilSourceIndex = Array(#"","source":{"partner":"#.utf8)
                for (name, value) in [("partner", source.partner), ("channel", source.channel), ("format", source.format),
                                      ("file", source.file), ("sha256", source.sha256)] {
                    if name != "partner" { untilSourceIndex += ",\"\(name)\":".utf8 }
                    JSONValue.writeString(value, to: &untilSourceIndex)
                }
                untilSourceIndex += #","index":"#.utf8
            }
            let index = String(source.index).utf8
            out += untilIndex
            out += index
            out += untilSourceIndex
            out += index
            out.append(UInt8(ascii: "}"))
        }
    }

    /// The fields of one object, each preceded by a comma when `comma` (or after the first).
    private static func writeFields(_ fields: [Field], of object: JSONObject, to out: inout [UInt8], comma: Bool) -> Bool {
        var first = !comma
        for f in fields {
            let value = object[f.name]
            if value == nil || value == .null {
                if f.required { return false }
                guard f.emptyWhenAbsent else { continue }
            }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONValue.writeString(f.name, to: &out)
            out.append(UInt8(ascii: ":"))
            guard let value, value != .null else { out.append(contentsOf: "[]".utf8); continue }
            guard write(value, as: f.kind, to: &out) else { return false }
        }
        return true
    }

    private static func write(_ value: JSONValue, as kind: Kind, to out: inout [UInt8]) -> Bool {
        switch (kind, value) {
        case (.string, .string(let s)):
            JSONValue.writeString(s, to: &out)
        case (.amount, .string(let s)):
            guard let a = Amount(s) else { return false }
            JSONValue.writeString(a.description, to: &out)
        case (.int, .number(let n)):
            guard let i = Int(n) else { return false }
            out.append(contentsOf: String(i).utf8)
        case (.enumeration(let values), .string(let s)):
            guard values.contains(s) else { return false }
            JSONValue.writeString(s, to: &out)
        case (.object(let fields), .object(let o)):
            out.append(UInt8(ascii: "{"))
            guard writeFields(fields, of: o, to: &out, comma: false) else { return false }
            out.append(UInt8(ascii: "}"))
        case (.array(let element), .array(let items)):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                guard write(item, as: element, to: &out) else { return false }
            }
            out.append(UInt8(ascii: "]"))
        case (.anyObject, .object):
            value.write(to: &out)
        default:
            return false
        }
        return true
    }

    /// The invariants `Record.invariantViolations` checks, on the mapped values (whose shape
    /// `writeFields` has already checked).
    static func invariantsHold(_ type: RecordType, _ body: JSONObject) -> Bool {
        func amount(_ v: JSONValue?) -> Amount? { v?.stringValue.flatMap { Amount($0) } }
        func sum(_ lines: JSONValue?, _ key: String) -> Amount? {
            var total = Amount.zero
            for line in lines?.arrayValue ?? [] {
                guard let a = amount(line[key]) else { return nil }
                total = total + a
            }
            return total
        }
        switch type {
        case .statement:
            guard let open = body["openingBalance"]?["amount"], let close = body["closingBalance"]?["amount"] else { return true }
            guard let o = amount(open), let c = amount(close), let s = sum(body["lines"], "amount") else { return false }
            return o + s == c
        case .invoice:
            guard let totals = body["totals"], let net = amount(totals["net"]), let tax = amount(totals["tax"]),
                  let total = amount(totals["total"]), net + tax == total else { return false }
            guard let lines = body["lines"]?.arrayValue, !lines.isEmpty else { return true }
            return sum(body["lines"], "amount") == net
        case .journalEntry:
            guard let d = sum(body["lines"], "debit"), let c = sum(body["lines"], "credit") else { return false }
            return d == c
        default:
            return true
        }
    }

    /// Whether every field a mapping writes (a dotted path, `each` for arrays) is one the schema
    /// knows; a mapping writing others takes the typed path.
    public static func knows(_ path: [String], in fields: [Field]) -> Kind? {
        var fields = fields
        var kind: Kind?
        for (i, name) in path.enumerated() {
            guard let f = fields.first(where: { $0.name == name }) else { return nil }
            kind = f.kind
            if i < path.count - 1 {
                if case .anyObject = f.kind { return .anyObject }   // free keys below
                guard case .object(let inner) = f.kind else { return nil }
                fields = inner
            }
        }
        return kind
    }
}
