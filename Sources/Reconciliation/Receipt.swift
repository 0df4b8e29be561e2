import Canonical

/// A customer receipt seen on a statement line, as a canonical inbound `payment` record, so the
/// posting rules make its entry like any other payment's.
enum Receipt {
    /// `method` is `bank-statement` (the payment is known only from the statement); `extra` carries
    /// the customer id (the receivables lookup key), the invoice numbers and the statement line.
    static func record(for result: LineResult, line: Statement.Line, statement: Statement, statementRecord: Record) -> Record {
        let invoices = result.expected
        let payment = Payment(direction: .inbound, method: "bank-statement", amount: line.amount.magnitude,
                              currency: statement.currency, executionDate: line.valueDate,
                              debtor: .init(name: line.counterparty?.name ?? invoices[0].party, account: line.counterparty?.account,
                                            agent: line.counterparty?.bic),
                              creditor: .init(name: invoices[0].seller ?? statement.account.name ?? statement.account.id,
                                              account: statement.account.id, agent: statement.account.bic),
                              endToEndId: line.customerReference,
                              remittance: invoices.map(\.reference).joined(separator: " "))
        var extra: JSONObject = [
            "statementRecord": .string(statementRecord.id),
            "statementLine": .number(String(result.line)),
            "invoiceRecords": .array(invoices.map { .string($0.recordID) }),
        ]
        if let customer = invoices[0].customerID { extra["customerId"] = .string(customer) }
        return Record(id: "\(statementRecord.id)-line\(result.line)", source: statementRecord.source, body: .payment(payment), extra: extra)
    }
}
