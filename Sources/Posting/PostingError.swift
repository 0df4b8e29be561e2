import Canonical

/// Why a record could not be posted. Every case names the rule file and the source record,
/// and an unbalanced entry carries its figures, so an accountant can see what to fix.
public struct PostingError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// A rule file is not valid YAML or misses a required key.
        case badRule = "posting.bad-rule"
        /// An invoice or payment that no rule file covers.
        case noRule = "posting.no-rule"
        /// A rule needs a value (account, amount, date) that the record does not have.
        case missingValue = "posting.missing-value"
        /// A lookup key that is not in the table and the rule gives no default.
        case unknownKey = "posting.unknown-key"
        /// Sum of debits differs from sum of credits.
        case unbalanced = "posting.unbalanced"
        /// A void, cancel or allowance cancel whose original entry is neither in the batch nor in the ledger.
        case originalNotFound = "posting.original-not-found"
    }

    public var code: Code
    public var message: String
    /// The rule file (id: its name without `.yaml`).
    public var rule: String?
    /// The canonical id of the record being posted.
    public var record: String?

    public init(_ code: Code, _ message: String, rule: String? = nil, record: String? = nil) {
        self.code = code; self.message = message; self.rule = rule; self.record = record
    }

    public var description: String {
        var at = [String]()
        if let rule { at.append("rule \(rule)") }
        if let record { at.append("record \(record)") }
        return (at.isEmpty ? "" : at.joined(separator: ", ") + ": ") + message + " [\(code.rawValue)]"
    }
}
