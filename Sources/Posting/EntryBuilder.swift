import Canonical

/// Evaluates one rule against one record (or statement line) into a balanced journal entry.
struct EntryBuilder {
    let rule: PostingRule
    let context: RecordContext
    let settings: PostingSettings
    let recordID: String

    struct Made {
        var entry: JournalEntry
        /// The document number a later reversal will look this entry up by.
        var documentKey: String?
        /// Set when the entry was moved out of a closed period.
        var note: JSONObject?
    }

    private func error(_ code: PostingError.Code, _ message: String) -> PostingError {
        PostingError(code, message, rule: rule.id, record: recordID)
    }

    /// The entry, or nil when every amount is zero (nothing to post).
    func build(number: String, original: (String) -> JournalEntry?) throws -> Made? {
        guard let documentDate = context.text(at: rule.datePath), let documentPeriod = Period.of(date: documentDate) else {
            throw error(.missingValue, "no valid date (YYYY-MM-DD) at `\(rule.datePath)`")
        }
        let lines: [JournalEntry.Line]
        let currency: String
        if let reverses = rule.reverses {
            guard let originalNumber = context.text(at: reverses) else { throw error(.missingValue, "no original document number at `\(reverses)`") }
            guard let originalEntry = original(originalNumber) else {
                throw error(.originalNotFound, "no journal entry for original document \(originalNumber), neither in this batch nor in the ledger")
            }
            lines = originalEntry.lines.map { reversed($0) }
            currency = originalEntry.currency
        } else {
            guard let c = context.text(at: "currency") else { throw error(.missingValue, "no `currency`") }
            currency = c
            lines = try rule.lines.enumerated().compactMap { try line($1, position: $0 + 1) }
        }
        if lines.isEmpty { return nil }

        let period = settings.openPeriod(for: documentPeriod)
        var date = documentDate
        var note: JSONObject?
        if period != documentPeriod {
            date = period + "-01"
            note = ["note": .string("period \(documentPeriod) is closed; posted on \(date) in \(period)"),
                    "documentDate": .string(documentDate)]
        }
        let entry = JournalEntry(number: number, date: date, period: period, currency: currency,
                                 description: described(rule.description) ?? "",
                                 sourceRecord: recordID, lines: lines)
        let debits = lines.map(\.debit).sum(), credits = lines.map(\.credit).sum()
        guard debits == credits else {
            throw error(.unbalanced, "entry \(number) does not balance: debits \(debits), credits \(credits), difference \(debits - credits)")
        }
        return Made(entry: entry, documentKey: try rule.documentKey.map { try required($0, field: "entry.documentKey") }, note: note)
    }

    /// One line from its rule; nil when the amount is zero. A negative amount goes to the other side.
    private func line(_ lineRule: LineRule, position: Int) throws -> JournalEntry.Line? {
        guard let amount = lineRule.amount.evaluate(in: context) else {
            throw error(.missingValue, "line \(position): no amount at `\(lineRule.amount.path)`")
        }
        if amount.isZero { return nil }
        let onDebit = (lineRule.side == .debit) != amount.isNegative
        return JournalEntry.Line(account: try required(lineRule.account, field: "line \(position) account"),
                                 debit: onDebit ? amount.magnitude : .zero, credit: onDebit ? .zero : amount.magnitude,
                                 description: lineRule.description.flatMap(described),
                                 costCentre: try lineRule.costCentre.map { try required($0, field: "line \(position) costCentre") })
    }

    /// The exact mirror of an original line: same account, cost centre and amount, sides swapped.
    private func reversed(_ line: JournalEntry.Line) -> JournalEntry.Line {
        JournalEntry.Line(account: line.account, debit: line.credit, credit: line.debit,
                          description: line.description, costCentre: line.costCentre)
    }

    private func required(_ rule: TextRule, field: String) throws -> String {
        switch rule {
        case .template(let template):
            switch context.fill(template) {
            case .success(let s): return s
            case .failure(let missing): throw error(.missingValue, "\(field): no value at `\(missing.path)`")
            }
        case .lookup(let table, let keyTemplate, let fallback):
            guard let values = self.rule.tables[table] ?? settings.tables[table] else {
                throw error(.badRule, "\(field): no table `\(table)` in the rule file or ledger.yaml")
            }
            let key = try? context.fill(keyTemplate).get()
            if let key, let value = values[key] { return value }
            if let fallback { return fallback }
            throw error(.unknownKey, "\(field): key \"\(key ?? keyTemplate)\" is not in table `\(table)` and the rule has no default")
        }
    }

    /// A description: placeholders without a value are left empty rather than refusing the entry.
    private func described(_ rule: TextRule) -> String? {
        if case .template(let template) = rule {
            let filled = (try? context.fill(template, lenient: true).get()) ?? ""
            let words = filled.split(whereSeparator: { $0 == " " })
            return words.isEmpty ? nil : words.joined(separator: " ")
        }
        return try? required(rule, field: "description")
    }
}
