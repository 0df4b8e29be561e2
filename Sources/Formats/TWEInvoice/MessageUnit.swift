import Canonical
import FormatKit

/// Makes the unit a mapping reads from one message document: the XML tree as it is, plus
/// `Message` (code), `MIG` (version), `Kind` (canonical kind) and `Totals` {Net, Tax, Total}
/// computed the way the message defines them:
/// - invoice: Net = SalesAmount + FreeTaxSalesAmount + ZeroTaxSalesAmount, Total = TotalAmount;
///   except a consumer (B2C) invoice whose amounts do not add up that way: the platform's B2C
///   convention is a tax-inclusive price, so Net = Total = TotalAmount, Tax = 0, and the stated
///   TaxAmount (the tax contained) is kept as `Totals/IncludedTax`;
/// - allowance: Net = TotalAmount (the allowance before tax), Total = Net + TaxAmount;
/// - cancel and void carry no amounts (all 0).
enum MessageUnit {
    static func make(_ tree: Node, message: MessageType) throws -> Node {
        var unit = tree
        unit.append("Message", message.code)
        unit.append("MIG", message.version.rawValue)
        unit.append("Kind", message.family.kind.rawValue)
        unit.append(try totals(tree, message: message))
        return unit
    }

    private static func totals(_ tree: Node, message: MessageType) throws -> Node {
        var net = Amount.zero, tax = Amount.zero, total = Amount.zero
        var included: Amount?
        let amounts = tree.child("Amount")
        func value(_ name: String, required: Bool = true) throws -> Amount {
            guard let node = amounts?.child(name), let text = node.value?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
                if required { throw FormatError("tw-einvoice.missing", "\(message.code): Amount/\(name) is missing", line: amounts?.line, segment: message.code, field: "Amount/\(name)") }
                return .zero
            }
            guard let amount = Amount(text) else {
                throw FormatError("tw-einvoice.amount", "\(message.code): Amount/\(name) \"\(text)\" is not a decimal", line: node.line, segment: message.code, field: "Amount/\(name)")
            }
            return amount
        }
        switch message.family {
        case .invoice:
            net = try value("SalesAmount") + value("FreeTaxSalesAmount", required: false) + value("ZeroTaxSalesAmount", required: false)
            tax = try value("TaxAmount")
            total = try value("TotalAmount")
            if net + tax != total && tree.child("Main")?.child("Buyer")?["Identifier"] == BusinessID.consumer {
                included = tax
                net = total
                tax = .zero
            }
        case .allowance:
            net = try value("TotalAmount")
            tax = try value("TaxAmount")
            total = net + tax
        case .cancelInvoice, .voidInvoice, .cancelAllowance:
            break
        }
        var totals = Node("Totals", children: [Node("Net", value: net.description), Node("Tax", value: tax.description), Node("Total", value: total.description)])
        totals.append("IncludedTax", included?.description)
        return totals
    }
}
