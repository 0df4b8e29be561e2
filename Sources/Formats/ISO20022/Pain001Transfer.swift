import Foundation
import Canonical
import FormatKit

/// One credit transfer as pain.001 will carry it: taken from a canonical `payment` record, checked,
/// and with every text in the SEPA character set (see `SEPACharacters`).
struct Pain001Transfer {
    struct Party { var name: String; var account: String?; var agent: String? }

    var recordIndex: Int
    var sepa: Bool
    var amount: Amount          // exactly 2 decimals
    var currency: String
    var executionDate: String
    var debtor: Party
    var creditor: Party
    var endToEndId: String?
    var remittance: String?

    /// Debtor account, execution date and the PmtInf-level fields (service level, debtor name and
    /// agent) must agree within one PmtInf.
    var paymentInformationKey: [String] {
        [debtor.account ?? "", executionDate, sepa ? "SEPA" : "", debtor.name, debtor.agent ?? ""]
    }
}

/// A text the writer changed to fit the SEPA character set.
public struct Pain001CleaningNote: Sendable, Hashable, CustomStringConvertible {
    /// 0-based index of the record in the writer's input.
    public var recordIndex: Int
    public var field: String
    public var changes: [SEPACharacters.Change]
    public var description: String {
        "record \(recordIndex), \(field): " + changes.map(\.description).joined(separator: "; ")
    }
}

/// Turns canonical records into `Pain001Transfer`s, collecting every problem (not just the first).
struct Pain001TransferBuilder {
    /// `strict`: a text outside the SEPA set is an error instead of being cleaned.
    var strictCharacters: Bool
    private(set) var notes: [Pain001CleaningNote] = []
    private(set) var errors: [FormatError] = []

    init(strictCharacters: Bool) { self.strictCharacters = strictCharacters }

    mutating func transfer(from record: Record, index: Int) -> Pain001Transfer? {
        guard case .payment(let payment) = record.body else {
            fail(index, "type", "pain.001 carries payment records, not \(record.type.rawValue)")
            return nil
        }
        let errorsBefore = errors.count
        if payment.direction != .outbound { fail(index, "direction", "only outbound payments go into a pain.001, not \(payment.direction.rawValue)") }
        let sepa = payment.method == "sepa-credit-transfer"
        if !sepa && payment.method != "wire" { fail(index, "method", "method must be sepa-credit-transfer or wire, not \(payment.method)") }
        if payment.amount <= .zero { fail(index, "amount", "amount must be positive, not \(payment.amount)") }
        let amount = payment.amount.rescaled(to: 2)
        if amount == nil { fail(index, "amount", "amount \(payment.amount) has more than 2 decimals; pain.001 amounts carry exactly 2") }
        if payment.currency.count != 3 || !payment.currency.allSatisfy({ $0.isASCII && $0.isUppercase }) {
            fail(index, "currency", "currency must be an ISO 4217 code, not \"\(payment.currency)\"")
        }
        if sepa && payment.currency != "EUR" { fail(index, "currency", "a SEPA credit transfer is in EUR, not \(payment.currency)") }
        if !Pain001Checks.isISODate(payment.executionDate) { fail(index, "executionDate", "\"\(payment.executionDate)\" is not a YYYY-MM-DD date") }

        let debtor = party(payment.debtor, role: "debtor", index: index, sepa: sepa, accountRequired: true)
        let creditor = party(payment.creditor, role: "creditor", index: index, sepa: sepa, accountRequired: sepa)
        let endToEndId = payment.endToEndId.map { text($0, field: "endToEndId", index: index, maxLength: 35) }
        let remittance = payment.remittance.map { text($0, field: "remittance", index: index, maxLength: 140) }
        guard errors.count == errorsBefore, let amount else { return nil }
        return Pain001Transfer(recordIndex: index, sepa: sepa, amount: amount, currency: payment.currency,
                               executionDate: payment.executionDate, debtor: debtor, creditor: creditor,
                               endToEndId: endToEndId, remittance: remittance)
    }

    private mutating func party(_ party: Payment.Party, role: String, index: Int, sepa: Bool, accountRequired: Bool) -> Pain001Transfer.Party {
        let name = text(party.name, field: "\(role).name", index: index, maxLength: 70)
        if name.isEmpty { fail(index, "\(role).name", "the \(role) needs a name") }
        let account = party.account.map(Self.compacted)
        if let account {
            if sepa && !Pain001Checks.isIBAN(account) {
                fail(index, "\(role).account", "\"\(account)\" is not a valid IBAN (country, check digits, mod-97); SEPA needs IBANs")
            } else if account.count > 34 {
                fail(index, "\(role).account", "account \"\(account)\" is longer than 34 characters")
            }
        } else if accountRequired {
            fail(index, "\(role).account", "the \(role) account is required")
        }
        let agent = party.agent.map(Self.compacted)
        if let agent, agent.count > 35 { fail(index, "\(role).agent", "agent \"\(agent)\" is longer than 35 characters") }
        return Pain001Transfer.Party(name: name, account: account, agent: agent)
    }

    /// An IBAN, account or BIC without spaces, in capitals (as it almost always comes: unchanged).
    private static func compacted(_ id: String) -> String {
        guard id.utf8.contains(where: { $0 == 32 || ($0 >= 97 && $0 <= 122) || $0 >= 0x80 }) else { return id }
        return id.replacingOccurrences(of: " ", with: "").uppercased()
    }

    /// The text in the SEPA set (or an error when strict), refused when longer than `maxLength`.
    private mutating func text(_ original: String, field: String, index: Int, maxLength: Int) -> String {
        let (cleaned, changes) = SEPACharacters.clean(original)
        if !changes.isEmpty {
            if strictCharacters {
                fail(index, field, "characters outside the SEPA set: " + changes.map { "\"\($0.original)\" at position \($0.position)" }.joined(separator: ", "))
            } else {
                notes.append(Pain001CleaningNote(recordIndex: index, field: field, changes: changes))
            }
        }
        if cleaned.count > maxLength {
            fail(index, field, "\(cleaned.count) characters, more than the \(maxLength) pain.001 allows")
        }
        return cleaned
    }

    private mutating func fail(_ index: Int, _ field: String, _ message: String) {
        errors.append(FormatError("pain001.record", message, segment: "record \(index)", field: field))
    }
}
