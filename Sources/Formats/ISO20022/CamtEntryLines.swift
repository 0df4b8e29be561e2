import Canonical
import FormatKit

/// Turns one camt.053 entry (`Ntry`) into the statement's `line` nodes.
///
/// An entry usually is one booking with at most one `TxDtls`. A batch booking carries several
/// `TxDtls` under `NtryDtls`; each then becomes its own line with its own amount (`TxDtls/Amt`
/// from version 04, `TxDtls/AmtDtls/TxAmt/Amt` in all versions) and sign (`TxDtls/CdtDbtInd`,
/// else the entry's). The signed amounts must add up to the entry's amount, in its currency.
///
/// A line node holds the entry's own children (without `NtryDtls`), `entry` (the entry's
/// 1-based position in the statement), the one `TxDtls`, and `counterparty`: the other side of
/// the booking, i.e. for a credit the debtor (`Party` = `RltdPties/Dbtr`, `Account` = `DbtrAcct`,
/// `Agent` = `RltdAgts/DbtrAgt`), for a debit the creditor. Leaves stay as the bank wrote them.
enum CamtEntryLines {
    static func lines(of entry: Node, position: Int) throws -> [Node] {
        var base = entry
        base.name = "line"
        base.children.removeAll { $0.name == "NtryDtls" }
        base.children.insert(Node("entry", value: String(position), line: entry.line), at: 0)
        let details = entry.children(named: "NtryDtls").flatMap { $0.children(named: "TxDtls") }

        guard details.count > 1 else {
            var line = base
            if let only = details.first { line.append(only) }
            line.append(counterparty(line, details: details.first))
            return [line]
        }
        let entryAmount = try signedAmount(of: entry, field: "Ntry/Amt")
        var sum = Amount.zero
        var lines = [Node]()
        for detail in details {
            var line = base
            guard let amountNode = detail.child("Amt") ?? detail.child("AmtDtls")?.child("TxAmt")?.child("Amt") else {
                throw FormatError("camt053.split-amount-missing",
                                  "entry \(position) has \(details.count) transaction details but one of them has no amount (TxDtls/Amt or TxDtls/AmtDtls/TxAmt/Amt), so it cannot be split",
                                  line: detail.line, segment: "TxDtls", field: "Amt")
            }
            let indicator = detail.child("CdtDbtInd") ?? entry.child("CdtDbtInd")
            line.children.removeAll { $0.name == "Amt" || $0.name == "CdtDbtInd" }
            line.append(amountNode)
            if let indicator { line.append(indicator) }
            line.append(detail)
            line.append(counterparty(line, details: detail))
            sum += try signedAmount(of: line, field: "TxDtls/Amt")
            if let currency = amountNode["@Ccy"], let entryCurrency = entry.child("Amt")?["@Ccy"], currency != entryCurrency {
                throw FormatError("camt053.split-currency",
                                  "entry \(position) is in \(entryCurrency) but a transaction detail is in \(currency); it cannot be split by amount",
                                  line: amountNode.line, segment: "TxDtls", field: "Amt")
            }
            lines.append(line)
        }
        if sum != entryAmount {
            throw FormatError("camt053.split-mismatch",
                              "entry \(position) amounts to \(entryAmount) but its \(details.count) transaction details add up to \(sum)",
                              line: entry.line, segment: "Ntry", field: "Amt")
        }
        return lines
    }

    /// `Amt` signed by `CdtDbtInd` (DBIT negative).
    static func signedAmount(of node: Node, field: String) throws -> Amount {
        guard let amountNode = node.child("Amt"), let text = amountNode.value, let amount = Amount(text),
              amount.fits(integerDigits: 18 - amount.scale, fractionDigits: 5) else {  // ISO 20022: 18 digits, 5 decimals
            throw FormatError("camt053.amount", "missing or malformed amount \"\(node["Amt"] ?? "")\"",
                              line: node.child("Amt")?.line ?? node.line, segment: node.name, field: field)
        }
        switch node["CdtDbtInd"] {
        case "CRDT": return amount
        case "DBIT": return -amount
        case let other:
            throw FormatError("camt053.credit-debit", "CdtDbtInd must be CRDT or DBIT, found \"\(other ?? "")\"",
                              line: node.child("CdtDbtInd")?.line ?? node.line, segment: node.name, field: "CdtDbtInd")
        }
    }

    /// The other side of the booking: who paid us (credit) or whom we paid (debit).
    private static func counterparty(_ line: Node, details: Node?) -> Node {
        let side = line["CdtDbtInd"] == "DBIT" ? "Cdtr" : "Dbtr"
        var node = Node("counterparty", line: details?.line ?? line.line)
        if let parties = details?.child("RltdPties") {
            if let party = parties.child(side) { node.append(renamed(party, "Party")) }
            if let account = parties.child(side + "Acct") { node.append(renamed(account, "Account")) }
        }
        if let agent = details?.child("RltdAgts")?.child(side + "Agt") { node.append(renamed(agent, "Agent")) }
        return node
    }

    private static func renamed(_ node: Node, _ name: String) -> Node {
        var copy = node
        copy.name = name
        return copy
    }
}
