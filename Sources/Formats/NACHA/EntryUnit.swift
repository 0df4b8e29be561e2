import FormatKit

/// Builds the unit a mapping turns into one `payment` record: an `entry` node holding the file
/// header, the batch header, the entry detail and its addenda, plus what NACHA's rules say the
/// fields mean (`computed`): who is debited and who credited, the direction, return and change codes.
///
/// ```
/// entry
///   fileHeader {immediateDestination, immediateOrigin, fileCreationDate, …}
///   batchHeader {companyName, companyIdentification, standardEntryClassCode, effectiveEntryDate, effectiveDate, …}
///   entryDetail {transactionCode, rdfiRoutingNumber, dfiAccountNumber, amount, individualName, traceNumber, …}
///   addenda* {typeCode, paymentRelatedInformation | returnCode | changeCode | …}
///   computed {side, direction, executionDate, debtor {name, account?, agent}, creditor {…}, returnCode?, correctionCode?, remittance?}
/// ```
enum EntryUnit {
    static func make(fileHeader: Node, batchHeader: Node, sec: String, entry: RecordText, addenda: [RecordText]) -> Node {
        let detail = EntryDetail.parse(entry, sec: sec)
        let addendaNodes = addenda.compactMap(Addenda.parse)
        var unit = Node("entry", line: entry.line, column: entry.column)
        unit.children.reserveCapacity(4 + addendaNodes.count)
        unit.children.append(fileHeader)
        unit.children.append(batchHeader)
        unit.children.append(detail)
        unit.children.append(contentsOf: addendaNodes)
        unit.children.append(computed(fileHeader: fileHeader, batchHeader: batchHeader, detail: detail, addenda: addendaNodes, sec: sec, line: entry.line))
        return unit
    }

    /// The originator is the company of the batch (its bank the ODFI); the receiver is the entry's
    /// account holder (its bank the RDFI). A credit entry moves money from originator to receiver,
    /// a debit entry the other way. IAT names the parties in addenda 10 (receiver) and 11 (originator).
    private static func computed(fileHeader: Node, batchHeader: Node, detail: Node, addenda: [Node], sec: String, line: Int) -> Node {
        let code = Int(detail["transactionCode"] ?? "") ?? 0
        let side = ACHCodes.side(code)
        let odfi = batchHeader["odfiIdentification"].flatMap(RoutingNumber.full)
        let iatReceiver = addenda.first { $0["typeCode"] == "10" }?["name"]
        let iatOriginator = addenda.first { $0["typeCode"] == "11" }?["originatorName"]
        let originator = party("originator", name: iatOriginator ?? batchHeader["companyName"], account: nil, agent: odfi)
        let receiver = party("receiver", name: iatReceiver ?? detail["individualName"], account: detail["dfiAccountNumber"],
                             agent: detail["rdfiRoutingNumber"])
        let returnCode = addenda.first { $0["typeCode"] == "99" }?["returnCode"]
        let correctionCode = addenda.first { $0["typeCode"] == "98" }?["changeCode"]
        let remittance = addenda.compactMap { $0["typeCode"] == "05" || $0["typeCode"] == "17" ? $0["paymentRelatedInformation"] : nil }

        var node = Node("computed", line: line)
        node.append("side", side?.rawValue)
        node.append("prenote", ACHCodes.isPrenote(code) ? "true" : nil)
        node.append("direction", returnCode == nil ? "outbound" : "return")
        var debtor = side == .debit ? receiver : originator
        var creditor = side == .debit ? originator : receiver
        debtor.name = "debtor"
        creditor.name = "creditor"
        node.append(debtor)
        node.append(creditor)
        node.append("returnCode", returnCode)
        node.append("correctionCode", correctionCode)
        node.append("remittance", remittance.isEmpty ? nil : remittance.joined(separator: " "))
        node.append("secCode", sec)
        // Returns may leave the effective entry date blank; the file's creation date stands in.
        node.append("executionDate", batchHeader["effectiveDate"] ?? fileHeader["fileCreationDate"].flatMap(ACHDate.iso))
        return node
    }

    private static func party(_ name: String, name value: String?, account: String?, agent: String?) -> Node {
        var node = Node(name)
        node.append("name", value ?? "")
        node.append("account", account)
        node.append("agent", agent)
        return node
    }
}
