import Canonical

/// Settings of a reconciliation run.
public struct ReconciliationOptions: Sendable {
    /// How many days a statement line's value date may be from a payment's execution date for an
    /// amount + date match.
    public var toleranceDays: Int
    /// Transaction codes of lines the statement posting rules book directly (fees, interest):
    /// reported as `direct`, not as exceptions. Compared case-insensitively.
    public var directCodes: Set<String>

    public init(toleranceDays: Int = 3, directCodes: Set<String> = []) {
        self.toleranceDays = toleranceDays
        self.directCodes = Set(directCodes.map { $0.uppercased() })
    }
}

/// Matches statement lines against what we expected to see on them.
///
/// Debit lines against outbound payments we emitted, in this order: the end-to-end id anywhere in
/// the line's references or text, the ACH trace number likewise, then the same amount and currency
/// with the value date within `toleranceDays` of the execution date (the nearest date wins).
/// Credit lines against open invoices: every open invoice number found in the line's text (one
/// payment may settle several invoices), else the same amount as an invoice total from a
/// counterparty with the buyer's name (the oldest invoice wins). Each expected item matches once.
public struct Reconciler: Sendable {
    public var options: ReconciliationOptions

    public init(_ options: ReconciliationOptions = ReconciliationOptions()) { self.options = options }

    public func reconcile(statements: [Record], expected: [Record]) -> ReconciliationReport {
        var open = ExpectedItem.from(expected)
        var results = [StatementReconciliation]()
        var receipts = [Record]()
        for record in statements {
            guard case .statement(let statement) = record.body else { continue }
            var lines = [LineResult]()
            for (index, line) in statement.lines.enumerated() {
                let result = match(line, position: index + 1, currency: statement.currency, open: &open)
                if result.status == .matched || result.status == .partiallyMatched, result.expected.first?.kind == .invoice {
                    receipts.append(Receipt.record(for: result, line: line, statement: statement, statementRecord: record))
                }
                lines.append(result)
            }
            results.append(StatementReconciliation(statementID: record.id, account: statement.account.id,
                                                   statementNumber: statement.statementNumber, currency: statement.currency, lines: lines))
        }
        return ReconciliationReport(statements: results, unmatchedExpected: open, receipts: receipts)
    }

    private func match(_ line: Statement.Line, position: Int, currency: String, open: inout [ExpectedItem]) -> LineResult {
        var result = LineResult(line: position, valueDate: line.valueDate, amount: line.amount, status: .unmatched,
                                expected: [], counterparty: line.counterparty?.name,
                                text: line.remittance ?? line.details, transactionCode: line.transactionCode)
        if let code = line.transactionCode, options.directCodes.contains(code.uppercased()) {
            result.status = .direct
            return result
        }
        let texts = [line.customerReference, line.bankReference, line.remittance, line.details].compactMap { $0 }
            + (line.fields?.pairs.compactMap { $0.1.stringValue } ?? [])
        let tokens = texts.reduce(into: Set<String>()) { $0.formUnion(TextMatching.tokens(in: $1)) }
        let mentions: (String) -> Bool = { tokens.contains($0.uppercased()) }
        let candidates = open.indices.filter { open[$0].currency == currency && open[$0].kind == (line.amount.isNegative ? .payment : .invoice) }

        var found: [Int] = []
        if line.amount.isNegative {
            if let i = candidates.first(where: { open[$0].endToEndId.map(mentions) ?? false }) {
                found = [i]; result.method = .endToEndId
            } else if let i = candidates.first(where: { open[$0].traceNumber.map(mentions) ?? false }) {
                found = [i]; result.method = .traceNumber
            } else if let i = candidates
                .filter({ open[$0].amount == line.amount.magnitude })
                .compactMap({ i in DayNumber.distance(open[i].date, line.valueDate).map { (i, $0) } })
                .filter({ $0.1 <= options.toleranceDays })
                .min(by: { $0.1 < $1.1 })?.0 {
                found = [i]; result.method = .amountAndDate
            }
        } else if !line.amount.isZero {
            let named = candidates.filter { mentions(open[$0].reference) }
            if !named.isEmpty {
                found = named; result.method = .invoiceNumber
            } else if let name = line.counterparty?.name, let i = candidates
                .filter({ open[$0].amount == line.amount && TextMatching.sameParty(open[$0].party, name) })
                .min(by: { open[$0].date < open[$1].date }) {
                found = [i]; result.method = .amountAndCustomer
            }
        }
        guard !found.isEmpty else { return result }
        result.expected = found.map { open[$0] }
        let difference = line.amount.magnitude - result.expected.map(\.amount).sum()
        result.difference = difference
        result.status = difference.isZero ? .matched : .partiallyMatched
        for i in found.sorted(by: >) { open.remove(at: i) }
        return result
    }
}
