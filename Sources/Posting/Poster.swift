import Canonical

/// Turns canonical records into balanced journal entries by the posting rules in a directory
/// (`mappings/gl/`). Which accounts, cost centres and tax accounts are used is entirely the
/// rule files' business; this type only selects a rule, evaluates it and checks the result.
///
/// - invoices by `kind` (sale, credit note, allowance; void/cancel as exact reversals),
/// - payments by `direction` (outbound vendor payment, inbound customer receipt),
/// - statements line by line: lines whose transaction code a statement rule matches (fees,
///   interest); other lines are left to reconciliation.
/// Other record types are passed over.
public struct Poster: Sendable {
    let rules: [PostingRule]
    public var settings: PostingSettings

    /// Loads every rule file in `rulesDirectory` and its `ledger.yaml`; `settings` replaces the file's settings.
    public init(rulesDirectory: String, settings: PostingSettings? = nil) throws {
        rules = try RuleLoader.loadAll(directory: rulesDirectory)
        self.settings = try settings ?? PostingSettings.load(directory: rulesDirectory)
    }

    /// The journal entries for `records`, in record order, as canonical `journal_entry` records
    /// (id = entry number, `sourceRecord` = the posted record's id).
    ///
    /// `lookup` finds the entry posted earlier for a document number (the ledger), for voids and
    /// cancels whose original is not among `records`. All-or-nothing: the first record that cannot
    /// be posted (no rule, missing value, unbalanced) throws and nothing is returned.
    public func post(records: [Record], lookup: (String) -> JournalEntry? = { _ in nil }) throws -> [Record] {
        var posted = [Record]()
        var byDocument = [String: JournalEntry]()
        let original: (String) -> JournalEntry? = { byDocument[$0] ?? lookup($0) }
        for record in records {
            for job in try jobs(for: record) {
                let builder = EntryBuilder(rule: job.rule, context: job.context, settings: settings, recordID: record.id)
                guard let made = try builder.build(number: job.number, original: original) else { continue }
                if let key = made.documentKey { byDocument[key] = made.entry }
                posted.append(Record(id: made.entry.number, source: record.source, body: .journalEntry(made.entry), extra: made.note))
            }
        }
        return posted
    }

    private struct Job {
        var rule: PostingRule
        var context: RecordContext
        var number: String
    }

    /// The entries a record asks for: one for an invoice or payment, one per matching statement line.
    private func jobs(for record: Record) throws -> [Job] {
        let kind: String
        switch record.body {
        case .invoice(let invoice): kind = invoice.kind.rawValue
        case .payment(let payment): kind = payment.direction.rawValue
        case .statement(let statement): return try statementJobs(record: record, statement: statement)
        default: return []
        }
        guard let rule = rules.first(where: { $0.type == record.type && $0.applies(toKind: kind) }) else {
            throw PostingError(.noRule, "no posting rule for \(record.type.rawValue) of kind \(kind)", record: record.id)
        }
        return [Job(rule: rule, context: RecordContext(root: try OrderedJSONEncoder.encode(record)), number: rule.prefix + "-" + record.id)]
    }

    /// Statement lines as contexts: the line's fields, `statement` (the statement without its lines),
    /// `currency` and `line` (1-based position).
    private func statementJobs(record: Record, statement: Statement) throws -> [Job] {
        var header = try OrderedJSONEncoder.encode(record).objectValue ?? JSONObject()
        header["lines"] = nil
        var jobs = [Job]()
        for (index, line) in statement.lines.enumerated() {
            guard let rule = rules.first(where: { $0.type == .statement && $0.lineMatch?.matches(line) == true }) else { continue }
            var fields = try OrderedJSONEncoder.encode(line).objectValue ?? JSONObject()
            fields["statement"] = .object(header)
            fields["currency"] = .string(statement.currency)
            fields["line"] = .number(String(index + 1))
            jobs.append(Job(rule: rule, context: RecordContext(root: .object(fields)), number: "\(rule.prefix)-\(record.id)-\(index + 1)"))
        }
        return jobs
    }
}
