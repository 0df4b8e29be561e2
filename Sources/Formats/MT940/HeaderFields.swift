import Canonical
import FormatKit

/// Parsers for the fixed-layout fields around the statement lines. Each returns the field's node,
/// named by its role: the value is the text as written, the first child the tag, then the subfields.
enum HeaderFields {
    /// A balance (:60F: :60M: :62F: :62M: :64: :65:) `1!a6!n3!a15d`: mark C/D, date YYMMDD,
    /// currency, amount. Also returns the signed value (debit negative) for the balance check.
    static func balance(_ field: Field, name: String) throws -> (node: Node, signed: Amount) {
        var c = FieldCursor(field)
        var node = Node.field(name, field)
        let mark = try c.mark()
        node.append(mark)
        node.append(try c.date("date"))
        node.append(try c.currency())
        let amount = try c.amount()
        node.append(amount.node)
        try c.end(after: "amount")
        return (node, mark.value == "D" ? -amount.value : amount.value)
    }

    /// :28C: `5n[/5n]` statement number and sequence number (:28: in old MT940 likewise).
    ///
    /// Rule "empty statement number": several banks leave :28C: empty (`:28C:` or `:28C:/1`).
    /// It reads with a warning and no `number` (the mapping writes `""`; see docs/CANONICAL-REQUIRED.md).
    static func statementNumber(_ field: Field) -> (node: Node, warning: String?) {
        var c = FieldCursor(field)
        var node = Node.field("statementNumber", field)
        let number = c.take { $0 != "/" }.trimmingSpaces
        var warning: String?
        if number.isEmpty {
            warning = ":\(field.tag): the statement number is empty"
        } else {
            node.append(Node("number", value: String(number), line: field.line, column: field.column))
        }
        if c.take(while: { $0 == "/" }).count == 1 { node.append(c.leaf("sequence", c.rest.trimmingSpaces)) }
        return (node, warning)
    }

    /// :90D: / :90C: (MT942) `5n3!a15d`: number of entries, currency, sum.
    static func summary(_ field: Field, name: String) throws -> Node {
        var c = FieldCursor(field)
        var node = Node.field(name, field)
        node.append(c.leaf("count", c.rest.prefix(while: \.isASCIIDigit)))
        _ = c.take(while: \.isASCIIDigit)
        node.append(try c.currency())
        node.append(try c.amount().node)
        try c.end(after: "amount")
        return node
    }

    /// :34F: (MT942) `3!a[1!a]15d`: floor limit, currency, optional mark, amount.
    static func floorLimit(_ field: Field) throws -> Node {
        var c = FieldCursor(field)
        var node = Node.field("floorLimit", field)
        node.append(try c.currency())
        if c.rest.first == "C" || c.rest.first == "D" { node.append(try c.mark()) }
        node.append(try c.amount().node)
        try c.end(after: "amount")
        return node
    }

    /// :13D: `6!n4!n1!x4!n` (YYMMDDHHMM±HHMM) or old :13: `YYMMDDHHMM` → `dateTime`, an instant
    /// with offset when given (`2017-09-14T12:30:00+01:00`).
    static func dateTime(_ field: Field) throws -> Node {
        var c = FieldCursor(field)
        var node = Node.field("dateTime", field)
        let date = try c.date("date")
        let at = c.column
        let time = try c.take(4, "time")
        guard time.allSatisfy(\.isASCIIDigit), let hh = Int(time.prefix(2)), let mm = Int(time.suffix(2)), hh < 24, mm < 60 else {
            throw c.error("time", "time \"\(time)\" is not HHMM", at: at)
        }
        var value = "\(date.value!)T\(time.prefix(2)):\(time.suffix(2)):00"
        if !c.rest.trimmingSpaces.isEmpty {
            let sign = try c.take(1, "offset")
            let offset = try c.take(4, "offset")
            guard sign == "+" || sign == "-", offset.allSatisfy(\.isASCIIDigit) else {
                throw c.error("offset", "time zone offset must be +HHMM or -HHMM")
            }
            value += "\(sign)\(offset.prefix(2)):\(offset.suffix(2))"
        }
        node.append(Node("dateTime", value: value, line: field.line, column: field.column))
        return node
    }
}
