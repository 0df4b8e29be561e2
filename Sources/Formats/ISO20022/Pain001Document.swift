import Canonical
import XMLSupport

/// Renders checked transfers as a pain.001 message: one GrpHdr (MsgId, CreDtTm, NbOfTxs, CtrlSum,
/// InitgPty), then one PmtInf per debtor account and execution date (and service level, which is a
/// PmtInf field), each with its own NbOfTxs and CtrlSum, then its CdtTrfTxInf.
/// A SEPA transfer gets `PmtTpInf/SvcLvl/Cd = SEPA` and `ChrgBr = SLEV`; a wire neither.
struct Pain001Document {
    var version: Pain001Version
    var messageId: String
    /// `YYYY-MM-DDTHH:MM:SS`, local time of the sender.
    var createdAt: String
    var initiatingPartyName: String
    var transfers: [Pain001Transfer]

    /// Transfers grouped by `paymentInformationKey`, groups in order of first appearance.
    var paymentInformations: [[Pain001Transfer]] {
        var order: [[String]] = []
        var groups: [[String]: [Pain001Transfer]] = [:]
        for t in transfers {
            if groups[t.paymentInformationKey] == nil { order.append(t.paymentInformationKey) }
            groups[t.paymentInformationKey, default: []].append(t)
        }
        return order.map { groups[$0]! }
    }

    func render() -> [UInt8] {
        var xml = XMLWriter(capacity: 1024 + transfers.count * 700)
        xml.element("Document", attributes: [("xmlns", version.namespace)]) { xml in
            xml.element("CstmrCdtTrfInitn") { xml in
                xml.element("GrpHdr") { xml in
                    xml.leaf("MsgId", messageId)
                    xml.leaf("CreDtTm", createdAt)
                    xml.leaf("NbOfTxs", String(transfers.count))
                    xml.leaf("CtrlSum", transfers.map(\.amount).sum().plainString)
                    xml.element("InitgPty") { $0.leaf("Nm", initiatingPartyName) }
                }
                for (number, group) in paymentInformations.enumerated() {
                    renderPaymentInformation(group, id: "\(messageId)-\(number + 1)", into: &xml)
                }
            }
        }
        return xml.finish()
    }

    private func renderPaymentInformation(_ group: [Pain001Transfer], id: String, into xml: inout XMLWriter) {
        let first = group[0]
        xml.element("PmtInf") { xml in
            xml.leaf("PmtInfId", id)
            xml.leaf("PmtMtd", "TRF")
            xml.leaf("NbOfTxs", String(group.count))
            xml.leaf("CtrlSum", group.map(\.amount).sum().plainString)
            if first.sepa { xml.element("PmtTpInf") { $0.element("SvcLvl") { $0.leaf("Cd", "SEPA") } } }
            version.writeExecutionDate(first.executionDate, into: &xml)
            xml.element("Dbtr") { $0.leaf("Nm", first.debtor.name) }
            renderAccount(first.debtor.account ?? "", into: &xml, element: "DbtrAcct")
            renderAgent(first.debtor.agent, into: &xml, element: "DbtrAgt")
            if first.sepa { xml.leaf("ChrgBr", "SLEV") }
            for transfer in group { renderTransfer(transfer, into: &xml) }
        }
    }

    private func renderTransfer(_ t: Pain001Transfer, into xml: inout XMLWriter) {
        xml.element("CdtTrfTxInf") { xml in
            xml.element("PmtId") { $0.leaf("EndToEndId", t.endToEndId ?? "NOTPROVIDED") }
            xml.element("Amt") { $0.leaf("InstdAmt", t.amount.plainString, attributes: [("Ccy", t.currency)]) }
            if let agent = t.creditor.agent { renderAgent(agent, into: &xml, element: "CdtrAgt") }
            xml.element("Cdtr") { $0.leaf("Nm", t.creditor.name) }
            if let account = t.creditor.account { renderAccount(account, into: &xml, element: "CdtrAcct") }
            if let remittance = t.remittance { xml.element("RmtInf") { $0.leaf("Ustrd", remittance) } }
        }
    }

    /// An IBAN goes in `Id/IBAN`, any other account number in `Id/Othr/Id`.
    private func renderAccount(_ account: String, into xml: inout XMLWriter, element: String) {
        xml.element(element) { xml in
            xml.element("Id") { xml in
                if Pain001Checks.isIBAN(account) { xml.leaf("IBAN", account) } else { xml.element("Othr") { $0.leaf("Id", account) } }
            }
        }
    }

    /// A BIC goes in `FinInstnId/BIC` (.03) or `BICFI` (.09); another bank id (a routing number) in
    /// `FinInstnId/Othr/Id`; no agent at all as `Othr/Id = NOTPROVIDED` (the debtor agent is mandatory).
    private func renderAgent(_ agent: String?, into xml: inout XMLWriter, element: String) {
        xml.element(element) { xml in
            xml.element("FinInstnId") { xml in
                if let agent, Pain001Checks.isBIC(agent) {
                    xml.leaf(version.bicElement, agent)
                } else {
                    xml.element("Othr") { $0.leaf("Id", agent ?? "NOTPROVIDED") }
                }
            }
        }
    }
}
