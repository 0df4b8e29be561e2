import FormatKit

/// What MT940 exports do in practice that the SWIFT layout does not say, applied to each message
/// before `StatementBuilder` reads it. Each rule leaves a `warning` in the statement.
enum PracticeRules {
    /// The statements of one scanned message, each with its decimal mark decided.
    static func prepare(_ message: Message) -> [Message] {
        splitRepeatedAccount(message).map(decideDecimalMark)
    }

    static let balanceTags: Set<String> = ["60F", "60M", "62F", "62M", "64", "65"]

    /// Rule "decimal point where the bank never writes a comma": SWIFT amounts (`15d`) use the
    /// decimal comma (SWIFT Standards MT, "Amount" in the field formats). Some exports write a
    /// decimal point instead (`1234.56`); when no balance of the message (:60:, :62:, :64:, :65:)
    /// holds a comma and one holds a point, every amount of the message is read with `.` as its
    /// decimal mark, with a warning. A message that mixes both keeps the comma rule (the point
    /// then is an error where it occurs). (The Python mt940 library reads both marks the same way.)
    static func decideDecimalMark(_ message: Message) -> Message {
        let amounts = message.fields.filter { balanceTags.contains($0.tag) }.map { $0.lines[0].dropFirst(10) }
        guard !amounts.contains(where: { $0.contains(",") }),
              let first = amounts.firstIndex(where: { $0.contains(".") }) else { return message }
        var out = message
        for i in out.fields.indices { out.fields[i].decimalMark = "." }
        let field = message.fields.filter { balanceTags.contains($0.tag) }[first]
        out.warnings.append(("amounts are written with \".\" as the decimal mark (SWIFT uses \",\"); read as decimal points", field.line))
        return out
    }

    /// Rule "a second :25: starts a second statement": MT940 carries one account per message
    /// (field 25 is mandatory and not repetitive, SWIFT MT940 format specification). Some banks
    /// put a second account's statement into the same message, starting again at :25:. When a
    /// :25: comes after the first account's closing balance (:62F:/:62M:), it is read as a
    /// second statement with the message's :20: (and :21:) reference, with a warning. A :25:
    /// repeated before any closing balance stays an error (the two accounts' lines would mix).
    static func splitRepeatedAccount(_ message: Message) -> [Message] {
        var parts: [Message] = []
        var current = message
        current.fields = []
        var closed = false
        let references = message.fields.prefix { $0.tag != "25" }.filter { $0.tag == "20" || $0.tag == "21" }
        for field in message.fields {
            if field.tag == "25", closed {
                parts.append(current)
                current.fields = references
                current.warnings = [("the message holds a second account (:25: at line \(field.line)): read as a separate statement", field.line)]
                closed = false
            }
            if field.tag == "62F" || field.tag == "62M" { closed = true }
            current.fields.append(field)
        }
        parts.append(current)
        return parts
    }
}
