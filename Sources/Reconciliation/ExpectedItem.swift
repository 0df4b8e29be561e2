import Canonical

/// Something we expect to see on a bank statement: an outbound payment we emitted (a debit)
/// or an open invoice a customer should pay (a credit).
public struct ExpectedItem: Sendable, Hashable {
    public enum Kind: String, Sendable { case payment, invoice }
    public var kind: Kind
    /// The canonical id of the payment or invoice record.
    public var recordID: String
    /// End-to-end id or trace number (payments), invoice number (invoices).
    public var reference: String
    /// Positive: what should move on the account.
    public var amount: Amount
    public var currency: String
    /// Execution date (payments) or issue date (invoices).
    public var date: String
    /// Creditor (payments) or buyer (invoices).
    public var party: String
    /// End-to-end id of a payment (`NOTPROVIDED`, the SEPA placeholder, is left out).
    public var endToEndId: String?
    /// ACH trace number of a payment, when it has one.
    public var traceNumber: String?
    /// Buyer id of an invoice (the receivables account key) and seller name.
    public var customerID: String?
    public var seller: String?

    /// The items among `records`: outbound payments, and invoices or debit notes that no void or
    /// cancel in `records` refers to. Other records are not expected on a statement.
    public static func from(_ records: [Record]) -> [ExpectedItem] {
        let cancelled = Set(records.compactMap { record -> String? in
            guard case .invoice(let i) = record.body, [.void, .cancel].contains(i.kind) else { return nil }
            return i.originalNumber
        })
        return records.compactMap { record in
            switch record.body {
            case .payment(let p) where p.direction == .outbound:
                return ExpectedItem(kind: .payment, recordID: record.id, reference: p.endToEndId ?? p.ach?.traceNumber ?? "",
                                    amount: p.amount, currency: p.currency, date: p.executionDate, party: p.creditor.name,
                                    endToEndId: p.endToEndId == "NOTPROVIDED" ? nil : p.endToEndId, traceNumber: p.ach?.traceNumber)
            case .invoice(let i) where [.invoice, .debitNote].contains(i.kind) && !cancelled.contains(i.number):
                return ExpectedItem(kind: .invoice, recordID: record.id, reference: i.number, amount: i.totals.total,
                                    currency: i.currency, date: i.issueDate, party: i.buyer.name ?? "",
                                    customerID: i.buyer.id, seller: i.seller.name)
            default:
                return nil
            }
        }
    }
}
