import Canonical

/// A text a rule produces (account, cost centre, description): a template with `{path}`
/// placeholders, or a lookup in one of the rule file's tables.
///
/// ```yaml
/// account: "4000"                                                     # constant
/// description: "Invoice {number} to {buyer.name}"                     # template
/// account: { lookup: receivables, key: "{buyer.id}", default: "1100" } # table, with a fallback
/// ```
enum TextRule: Sendable {
    case template(String)
    case lookup(table: String, key: String, fallback: String?)
}

/// An amount a rule takes from the record: `totals.total`, or `{ path: amount, abs: true }`
/// (the magnitude: statement debits are negative, some credit notes carry negative totals),
/// `negate: true` to change the sign.
struct AmountRule: Sendable {
    var path: String
    var absolute = false
    var negate = false

    func evaluate(in context: RecordContext) -> Amount? {
        guard let text = context.text(at: path), var amount = Amount(text) else { return nil }
        if absolute { amount = amount.magnitude }
        if negate { amount = -amount }
        return amount
    }
}

/// One line of an entry: an account, an amount on the debit or the credit side, optional cost
/// centre and description.
struct LineRule: Sendable {
    enum Side: Sendable { case debit, credit }
    var account: TextRule
    var side: Side
    var amount: AmountRule
    var costCentre: TextRule?
    var description: TextRule?
}
