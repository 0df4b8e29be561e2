import Canonical
import FormatKit

/// The :61: statement line, `6!n[4!n]2a[1!a]15d1!a3!c16x[//16x]` and `[34x]` on the next line:
/// value date, entry date (MMDD), mark (C, D, RC = reversal of a credit, RD = reversal of a debit),
/// funds code (third letter of the currency), amount, transaction type (`NTRF`, `N024`),
/// customer reference, bank reference after `//`, supplementary details.
enum StatementLine {
    /// The `line` node and its signed amount (credits and reversed debits positive).
    static func parse(_ field: Field) throws -> (node: Node, signed: Amount) {
        var lines = field.lines[...]
        var first = lines.removeFirst()
        // Some Sparkassen break the line after the mark: `:61:1811261126CR` / `30,00N062NONREF`.
        if let next = lines.first, first.last?.isLetter == true, first.allSatisfy({ $0.isASCIIDigit || $0.isASCIIUppercase }),
           next.first?.isASCIIDigit == true {
            first += lines.removeFirst()
        }
        var c = FieldCursor(first, tag: field.tag, line: field.line, column: field.column)
        c.decimalMark = field.decimalMark
        var node = Node.field("line", field)
        let valueDate = try c.date("valueDate")
        node.append(valueDate)
        if c.rest.prefix(4).count == 4, c.rest.prefix(4).allSatisfy(\.isASCIIDigit) {
            let at = c.column
            let text = try c.take(4, "entryDate")
            do {
                node.append(Node("entryDate", value: try SwiftDate.iso(mmdd: text, near: valueDate.value!), line: field.line, column: at))
            } catch {
                throw c.error("entryDate", "entryDate: \(error.reason)", at: at)
            }
        }
        let markAt = c.column
        let mark = c.rest.first == "R" ? try c.take(2, "mark") : try c.take(1, "mark")
        guard ["C", "D", "RC", "RD"].contains(mark) else {
            throw c.error("mark", "mark must be C, D, RC or RD, not \"\(mark)\"", at: markAt)
        }
        node.append(Node("mark", value: String(mark), line: field.line, column: markAt))
        if let f = c.rest.first, f.isASCIIUppercase { node.append(c.leaf("fundsCode", try c.take(1, "fundsCode"))) }
        let amount = try c.amount()
        node.append(amount.node)
        _ = c.take { $0 == " " }  // Commerzbank and Deutsche Bank put a space before the type code
        let typeAt = c.column
        let type = try c.take(4, "transactionCode")
        // Some banks pad the identification code with spaces (`S   `).
        guard type.first!.isASCIIUppercase, type.dropFirst().allSatisfy({ $0.isASCIIDigit || $0.isASCIIUppercase || $0 == " " }) else {
            throw c.error("transactionCode", "transaction type \"\(type)\" is not a letter and 3 characters (e.g. NTRF)", at: typeAt)
        }
        node.append(Node("transactionCode", value: String(type.trimmingSpaces), line: field.line, column: typeAt))
        let referenceAt = c.column
        let references = c.takeRest()
        if let split = references.range(of: "//") {
            node.append("customerReference", nonEmpty(references[..<split.lowerBound]), line: field.line, column: referenceAt)
            node.append("bankReference", nonEmpty(references[split.upperBound...]), line: field.line,
                        column: referenceAt + references.distance(from: references.startIndex, to: split.upperBound))
        } else {
            node.append("customerReference", nonEmpty(references), line: field.line, column: referenceAt)
        }
        if !lines.isEmpty {
            node.append(Node("supplementary", value: lines.joined(separator: "\n"), line: field.lineNumbers[field.lines.count - lines.count], column: 1))
        }
        let credit = mark == "C" || mark == "RD"
        return (node, credit ? amount.value : -amount.value)
    }

    private static func nonEmpty(_ text: Substring) -> String? {
        let trimmed = text.trimmingSpaces
        return trimmed.isEmpty ? nil : String(trimmed)
    }
}
