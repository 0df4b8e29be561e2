import Canonical
import FormatKit

/// Turns one message's fields into the `statement` unit node, checking what MT940/MT942/MT950
/// require: the message starts with :20:, has one :25: account, a :28C: statement number,
/// header fields before the :61: lines, :62F/M: after them; MT940 and MT950 carry an opening
/// and a closing balance, and opening + lines = closing (unless `checkBalances` is off).
///
/// When `checkBalances` is off (the default for reading; `validate` and `strictBalances` turn it
/// on), two things real exports get wrong are read with a `warning` child instead of refused:
/// opening + lines ≠ closing (the translator flags the record) and an unreadable optional
/// :64:/:65: balance (kept as raw text). A statement without a closing balance is always refused:
/// it is what a truncated file looks like.
struct StatementBuilder {
    let checkBalances: Bool

    private enum Phase: Int { case header, lines, closing }

    func build(_ message: Message) throws -> Node {
        guard let first = message.fields.first else {
            throw FormatError("mt940.empty-message", "the message has no fields", line: message.line, column: 1)
        }
        guard first.tag == "20" else {
            throw FormatError("mt940.missing-tag", "the message starts with :\(first.tag):; a statement starts with :20: (transaction reference)",
                              line: first.line, column: 1, segment: first.tag)
        }
        var statement = Node("statement", line: message.line, column: 1)
        statement.append(Node("messageType", value: messageType(message)))
        for block in message.blocks { statement.append(Node("block" + block.id, value: block.text, line: block.line)) }
        for w in message.warnings { statement.append(Node("warning", value: w.text, line: w.line, column: 1)) }

        var phase = Phase.header
        var seen: Set<String> = []
        var opening: (field: Field, signed: Amount)?
        var closing: (field: Field, signed: Amount)?
        var sum = Amount.zero
        var previousTag = ""
        for field in message.fields {
            let role = Self.roles[field.tag]!
            if role.once, !seen.insert(role.name).inserted {
                throw unexpected(field, "appears twice in one statement")
            }
            if let wanted = role.phase {
                if wanted.rawValue < phase.rawValue {
                    throw unexpected(field, wanted == .header ? "comes after the statement lines; header fields come first"
                                                              : "comes after the closing balance")
                }
                phase = wanted
            }
            switch field.tag {
            case "20": statement.append(Node.field(role.name, field))
            case "21", "25", "NS": statement.append(Node.field(role.name, field))
            case "28C", "28":
                let number = HeaderFields.statementNumber(field)
                statement.append(number.node)
                if let w = number.warning { statement.append(Node("warning", value: w, line: field.line, column: 1)) }
            case "13D", "13": statement.append(try HeaderFields.dateTime(field))
            case "34F": statement.append(try HeaderFields.floorLimit(field))
            case "90D", "90C": statement.append(try HeaderFields.summary(field, name: role.name))
            case "61":
                let line = try StatementLine.parse(field)
                statement.append(line.node)
                sum += line.signed
            case "86" where previousTag == "61":
                statement.children[statement.children.count - 1].append(TransactionDetails.parse(field, name: "details"))
            case "86": statement.append(TransactionDetails.parse(field, name: "information"))
            case "64" where !checkBalances, "65" where !checkBalances:
                do { statement.append(try HeaderFields.balance(field, name: role.name).node) } catch let error as FormatError {
                    statement.append(Node.field(role.name, field))
                    statement.append(Node("warning", value: ":\(field.tag): kept as text: \(error.message)", line: field.line, column: 1))
                }
            default:  // balances
                let balance = try HeaderFields.balance(field, name: role.name)
                statement.append(balance.node)
                if role.name == "openingBalance" { opening = (field, balance.signed) }
                if role.name == "closingBalance" { closing = (field, balance.signed) }
            }
            previousTag = field.tag
        }
        try requireFields(statement, message, first)
        if checkBalances, let opening, let closing, opening.signed + sum != closing.signed {
            throw FormatError("mt940.balance-mismatch",
                              "opening balance :\(opening.field.tag): \(opening.signed) + statement lines \(sum) = \(opening.signed + sum), "
                              + "but closing balance :\(closing.field.tag): is \(closing.signed) (difference \(closing.signed - opening.signed - sum))",
                              line: closing.field.line, column: closing.field.column, segment: closing.field.tag, field: "amount")
        }
        return statement
    }

    /// From the `{2:}` header if there is one; otherwise MT942 when its fields (:34F: :13D: :90D: :90C:) occur.
    private func messageType(_ message: Message) -> String {
        if let type = message.typeFromHeader { return type }
        let interim: Set<String> = ["34F", "13D", "90D", "90C"]
        return message.fields.contains { interim.contains($0.tag) } ? "942" : "940"
    }

    private func requireFields(_ statement: Node, _ message: Message, _ first: Field) throws {
        var required = [("account", ":25: account identification"), ("statementNumber", ":28C: statement number")]
        if statement["messageType"] != "942" {
            // Without a closing balance the statement is cut off (or was never whole): refused.
            required += [("openingBalance", ":60F: or :60M: opening balance"), ("closingBalance", ":62F: or :62M: closing balance")]
        }
        for (name, what) in required where statement.child(name) == nil {
            throw FormatError("mt940.missing-tag", "the statement \(first.lines[0]) has no \(what)",
                              line: first.line, column: 1, segment: "20")
        }
    }

    private func unexpected(_ field: Field, _ why: String) -> FormatError {
        FormatError("mt940.unexpected-tag", ":\(field.tag): \(why)", line: field.line, column: 1, segment: field.tag)
    }

    /// Each tag's node name, the part of the message it belongs to (nil: anywhere), and whether it may repeat.
    private static let roles: [String: (name: String, phase: Phase?, once: Bool)] = [
        "20": ("reference", .header, true), "21": ("relatedReference", .header, true),
        "25": ("account", .header, true), "28C": ("statementNumber", .header, true), "28": ("statementNumber", .header, true),
        "13D": ("dateTime", .header, true), "13": ("dateTime", .header, true), "34F": ("floorLimit", .header, false),
        "60F": ("openingBalance", .header, true), "60M": ("openingBalance", .header, true),
        "61": ("line", .lines, false), "86": ("details", nil, false),
        "62F": ("closingBalance", .closing, true), "62M": ("closingBalance", .closing, true),
        "64": ("availableBalance", .closing, true), "65": ("forwardAvailableBalance", .closing, false),
        "90D": ("debitSummary", .closing, true), "90C": ("creditSummary", .closing, true), "NS": ("nonSwift", nil, false),
    ]
}
