import Canonical

/// One posting rule file (`mappings/gl/<id>.yaml`): which records it posts and the lines of the
/// entry it makes. See `docs/POSTING.md` for the file language.
struct PostingRule: Sendable {
    /// The file name without `.yaml`; errors name it.
    var id: String
    var type: RecordType
    /// Invoice kinds or payment directions this rule posts; empty means every kind.
    var kinds: Set<String>
    /// For statement rules: which lines it posts (fees, interest).
    var lineMatch: LineMatch?
    /// Entry numbers are `<prefix>-<source record id>` (`-<line>` added for statement lines).
    var prefix: String
    /// Where the document date is (`issueDate`, `executionDate`, `valueDate`).
    var datePath: String
    var description: TextRule
    /// The document number later reversals refer to (`{number}` for invoices and allowances).
    var documentKey: TextRule?
    /// For voids and cancels: where the original's document number is (`originalNumber`).
    /// The entry is then the exact reversal of the original's entry and `lines` must be empty.
    var reverses: String?
    var lines: [LineRule]
    /// Lookup tables of this file; tables of the same name in `ledger.yaml` are used when absent here.
    var tables: [String: [String: String]]

    func applies(toKind kind: String) -> Bool { kinds.isEmpty || kinds.contains(kind) }
}

/// Which statement lines a statement rule posts, by bank transaction code and direction.
/// A code pattern may start or end with `*` (`*-CHRG` matches `PMNT-CCRD-CHRG`).
struct LineMatch: Sendable {
    enum Sign: String, Sendable { case credit, debit }
    var transactionCodes: [String]
    var sign: Sign?

    func matches(_ line: Statement.Line) -> Bool {
        if let sign {
            if line.amount.isZero { return false }
            if (sign == .debit) != line.amount.isNegative { return false }
        }
        guard let code = line.transactionCode?.uppercased() else { return false }
        return transactionCodes.contains { LineMatch.code(code, matches: $0.uppercased()) }
    }

    static func code(_ code: String, matches pattern: String) -> Bool {
        switch (pattern.hasPrefix("*"), pattern.hasSuffix("*") && pattern.count > 1) {
        case (true, true): code.contains(pattern.dropFirst().dropLast())
        case (true, false): code.hasSuffix(pattern.dropFirst())
        case (false, true): code.hasPrefix(pattern.dropLast())
        case (false, false): code == pattern
        }
    }
}
