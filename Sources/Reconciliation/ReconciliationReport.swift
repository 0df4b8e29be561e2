import Canonical

/// How a statement line was tied to what we expected.
public enum MatchMethod: String, Sendable {
    case endToEndId = "end-to-end-id"
    case traceNumber = "trace-number"
    case amountAndDate = "amount-and-date"
    case invoiceNumber = "invoice-number"
    case amountAndCustomer = "amount-and-customer"
}

/// The outcome for one statement line.
public struct LineResult: Sendable, Hashable {
    public enum Status: String, Sendable {
        /// Found, same amount.
        case matched
        /// Found by reference, but the amount differs (`difference` says by how much).
        case partiallyMatched = "partially_matched"
        /// Nothing expected fits: an exception for a person to look at.
        case unmatched
        /// A fee or interest line, posted directly by the statement rules; nothing to match.
        case direct
    }
    /// 1-based position of the line in its statement.
    public var line: Int
    public var valueDate: String
    /// As on the statement: credit positive, debit negative.
    public var amount: Amount
    public var status: Status
    public var method: MatchMethod?
    public var expected: [ExpectedItem]
    /// Amount on the statement (magnitude) minus the expected amount; zero when matched.
    public var difference: Amount?
    public var counterparty: String?
    /// The line's remittance or details text, as the bank wrote it.
    public var text: String?
    public var transactionCode: String?
}

/// The reconciliation of one statement.
public struct StatementReconciliation: Sendable, Hashable {
    public var statementID: String
    public var account: String
    public var statementNumber: String
    public var currency: String
    public var lines: [LineResult]

    public func count(_ status: LineResult.Status) -> Int { lines.filter { $0.status == status }.count }
}

/// Everything a reconciliation run found: per statement the line results, the expected items no
/// line paid, and the customer receipts (as inbound `payment` records) for the posting rules.
public struct ReconciliationReport: Sendable {
    public var statements: [StatementReconciliation]
    public var unmatchedExpected: [ExpectedItem]
    /// One inbound payment per (partially) matched invoice line: feed to `Poster.post` to get the
    /// payment-received entries (Dr Bank / Cr Accounts Receivable).
    public var receipts: [Record]
}
