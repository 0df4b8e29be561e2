import Canonical
import FormatKit
import XMLSupport

/// Reads a pain.001 CustomerCreditTransferInitiation (any version), streaming one `PmtInf` at a
/// time, into one unit per credit transfer, so `translate` can re-read what `Pain001Writer` wrote.
///
/// A unit is named `CdtTrfTxInf`: the transfer's own elements (`PmtId`, `Amt/InstdAmt`, `Cdtr`,
/// `CdtrAcct`, `CdtrAgt`, `RmtInf`…), plus `@xmlns`, `version`, `GrpHdr`, and `PmtInf` (the
/// payment information block it sits in, without its transfers: debtor, execution date, service level).
///
/// Checked here: NbOfTxs and CtrlSum of each PmtInf and of the GrpHdr agree with the transfers.
public struct Pain001Reader: DocumentReader, Sendable {
    public var limits: ReaderLimits
    public init(options: FormatOptions = FormatOptions()) { limits = options.limits }

    public func read(_ input: ByteReader, emit: (Node) throws -> Void) throws {
        var groupHeader: Node?
        var count = 0
        var total = Amount.zero
        let namespace = try XMLElementStream(input, limits: limits).forEach(named: ["GrpHdr", "PmtInf"], atDepth: 2) { element, namespace in
            try Self.requirePain001(namespace, line: element.line)
            if element.name == "GrpHdr" {
                groupHeader = element
                return
            }
            var context = element
            context.children.removeAll { $0.name == "CdtTrfTxInf" }
            let transfers = element.children(named: "CdtTrfTxInf")
            let sum = try transfers.map { try Self.instructedAmount($0) }.sum()
            try Self.checkTotals(of: element, count: transfers.count, sum: sum, segment: "PmtInf")
            for transfer in transfers {
                var unit = transfer
                unit.children.insert(contentsOf: [Node("@xmlns", value: namespace), Node("version", value: ISONamespace.messageVersion(namespace))], at: 0)
                if let groupHeader { unit.append(groupHeader) }
                unit.append(context)
                try emit(unit)
            }
            count += transfers.count
            total += sum
        }
        try Self.requirePain001(namespace, line: nil)
        guard let groupHeader else {
            throw FormatError("pain001.no-group-header", "the document has no GrpHdr", segment: "CstmrCdtTrfInitn", field: "GrpHdr")
        }
        try Self.checkTotals(of: groupHeader, count: count, sum: total, segment: "GrpHdr")
    }

    static func requirePain001(_ namespace: String?, line: Int?) throws {
        guard let version = ISONamespace.messageVersion(namespace), version.hasPrefix("pain.001.") else {
            throw FormatError("pain001.not-pain001", "the root namespace is \"\(namespace ?? "none")\", not urn:iso:std:iso:20022:tech:xsd:pain.001.*",
                              line: line, segment: "Document")
        }
    }

    static func instructedAmount(_ transfer: Node) throws -> Amount {
        let node = transfer.child("Amt")?.child("InstdAmt")
        guard let text = node?.value, let amount = Amount(text),
              amount.fits(integerDigits: 18 - amount.scale, fractionDigits: 5) else {  // ISO 20022: 18 digits, 5 decimals
            throw FormatError("pain001.amount", "missing or malformed instructed amount \"\(node?.value ?? "")\"",
                              line: node?.line ?? transfer.line, segment: "CdtTrfTxInf", field: "Amt/InstdAmt")
        }
        return amount
    }

    /// NbOfTxs and CtrlSum (both optional in PmtInf) must match what the block holds.
    static func checkTotals(of block: Node, count: Int, sum: Amount, segment: String) throws {
        if let stated = block.child("NbOfTxs"), stated.value != String(count) {
            throw FormatError("pain001.count-mismatch", "\(segment) NbOfTxs says \(stated.value ?? "") but it holds \(count) transfers",
                              line: stated.line, segment: segment, field: "NbOfTxs")
        }
        if let stated = block.child("CtrlSum"), Amount(stated.value ?? "") != sum {
            throw FormatError("pain001.sum-mismatch", "\(segment) CtrlSum says \(stated.value ?? "") but its transfers add up to \(sum)",
                              line: stated.line, segment: segment, field: "CtrlSum")
        }
    }
}
