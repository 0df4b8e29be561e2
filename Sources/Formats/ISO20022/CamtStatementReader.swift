import Canonical
import FormatKit
import XMLSupport

/// Reads a camt.053 BankToCustomerStatement (any version; .001.02, .04 and .08 are tested),
/// streaming: libxml2's xmlTextReader hands over one `Stmt` at a time, so memory holds one
/// statement however many the file has.
///
/// Each `Stmt` becomes one unit named `Stmt`: the statement's own children as the bank wrote them
/// (`Id`, `ElctrncSeqNb`, `LglSeqNb`, `Acct`, `Bal`…), plus
/// - `@xmlns` (the message namespace) and `version` (`camt.053.001.08`),
/// - `GrpHdr`, the message's group header (message id, creation time),
/// - on each `Bal` a `type` leaf: its code (`Tp/CdOrPrtry/Cd`, e.g. OPBD, PRCD, CLBD) or proprietary type,
/// - `line` nodes instead of `Ntry` (see `CamtEntryLines`: several TxDtls split into several lines).
///
/// Checked here: the document is a camt.053 with at least one `Stmt`; amounts and CdtDbtInd are
/// well-formed; opening (OPBD, else PRCD) + entries = closing (CLBD) where both balances exist.
/// A statement that does not add up is rejected by `read` only with `strictBalances: true` (else its
/// record is flagged, see `FormatOptions.strictBalances`); `validate` always reports it, unless
/// `allowBalanceMismatch: true`.
///
/// The same reader streams camt.052 (BankToCustomerAccountReport, intraday: one `Rpt` at a time)
/// and camt.054 (BankToCustomerDebitCreditNotification: one `Ntfctn` at a time): their reports and
/// notifications carry the same `Acct`, optional `Bal` and `Ntry` elements as a `Stmt`, so they
/// become the same unit (named after their element) and the same statement lines.
public struct CamtStatementReader: DocumentReader, Sendable {
    /// Which camt message the reader expects: its namespace prefix, root and repeated element.
    public enum Message: String, Sendable {
        case statement = "camt.053", report = "camt.052", notification = "camt.054"
        var element: String { switch self { case .statement: "Stmt"; case .report: "Rpt"; case .notification: "Ntfctn" } }
        var root: String {
            switch self { case .statement: "BkToCstmrStmt"; case .report: "BkToCstmrAcctRpt"; case .notification: "BkToCstmrDbtCdtNtfctn" }
        }
        var code: String { rawValue.replacingOccurrences(of: ".", with: "") }
    }

    public var allowBalanceMismatch: Bool
    var rejectUnbalanced: Bool
    public var message: Message

    public var limits: ReaderLimits

    public init(options: FormatOptions = FormatOptions(), message: Message = .statement) {
        limits = options.limits
        allowBalanceMismatch = options.flag("allowBalanceMismatch")
        rejectUnbalanced = !allowBalanceMismatch && options.strictBalances
        self.message = message
    }

    public func validate(_ input: ByteReader) -> [FormatError] {
        var checking = self
        checking.rejectUnbalanced = !allowBalanceMismatch
        do { try checking.read(input) { _ in }; return [] } catch let e as FormatError { return [e] } catch {
            return [FormatError("\(message.code).read", "\(error)")]
        }
    }

    public func read(_ input: ByteReader, emit: (Node) throws -> Void) throws {
        var groupHeader: Node?
        var statements = 0
        let namespace = try XMLElementStream(input, limits: limits).forEach(named: ["GrpHdr", message.element], atDepth: 2) { element, rootNamespace in
            try requireMessage(rootNamespace, line: element.line)
            if element.name == "GrpHdr" {
                groupHeader = element
                return
            }
            statements += 1
            let unit = try statementUnit(element, groupHeader: groupHeader, namespace: rootNamespace)
            try emit(unit)
        }
        if statements == 0 {
            try requireMessage(namespace, line: nil)
            throw FormatError("\(message.code).no-statement", "the document has no \(message.element) (\(message.root)/\(message.element)); \(message.rawValue) requires at least one",
                              segment: message.root, field: message.element)
        }
    }

    func requireMessage(_ namespace: String?, line: Int?) throws {
        guard let version = ISONamespace.messageVersion(namespace), version.hasPrefix(message.rawValue + ".") else {
            throw FormatError("\(message.code).not-\(message.code)",
                              "the root namespace is \"\(namespace ?? "none")\", not urn:iso:std:iso:20022:tech:xsd:\(message.rawValue).*",
                              line: line, segment: "Document")
        }
    }

    func statementUnit(_ statement: Node, groupHeader: Node?, namespace: String?) throws -> Node {
        var unit = Node(message.element, line: statement.line, column: statement.column)
        unit.append("@xmlns", namespace)
        unit.append("version", ISONamespace.messageVersion(namespace))
        if let groupHeader { unit.append(groupHeader) }
        var entries = 0
        for child in statement.children {
            switch child.name {
            case "Ntry":
                entries += 1
                unit.children += try CamtEntryLines.lines(of: child, position: entries)
            case "Bal":
                var balance = child
                let type = child.child("Tp")?.child("CdOrPrtry")
                balance.append("type", type?["Cd"] ?? type?["Prtry"], line: child.line)
                unit.append(balance)
            default:
                unit.append(child)
            }
        }
        if rejectUnbalanced { try checkBalances(unit) }
        return unit
    }

    /// opening (OPBD, else PRCD) + sum of entries = closing (CLBD), when the statement has both.
    func checkBalances(_ unit: Node) throws {
        let balances = unit.children(named: "Bal")
        guard let opening = balances.first(where: { $0["type"] == "OPBD" }) ?? balances.first(where: { $0["type"] == "PRCD" }),
              let closing = balances.first(where: { $0["type"] == "CLBD" }) else { return }
        let open = try CamtEntryLines.signedAmount(of: opening, field: "Bal/Amt")
        let close = try CamtEntryLines.signedAmount(of: closing, field: "Bal/Amt")
        let movements = try unit.children(named: "line").map { try CamtEntryLines.signedAmount(of: $0, field: "Ntry/Amt") }.sum()
        if open + movements != close {
            throw FormatError("\(message.code).balance-mismatch",
                              "statement \(unit["Id"] ?? "?"): opening balance \(open) (\(opening["type"] ?? "")) + entries \(movements) = \(open + movements), but the closing balance (CLBD) is \(close)",
                              line: closing.line, segment: message.element, field: "Bal")
        }
    }
}
