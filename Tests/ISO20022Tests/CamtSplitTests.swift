import Testing
import Canonical
import FormatKit
@testable import ISO20022

/// A batch booking: one entry, several TxDtls → one line per TxDtls, split by their amounts.
@Suite struct CamtSplitTests {
    static func statement(entry: String, closing: String = "100.00") -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.04">
        <BkToCstmrStmt>
        <GrpHdr><MsgId>M1</MsgId><CreDtTm>2024-03-01T06:00:00</CreDtTm></GrpHdr>
        <Stmt><Id>S1</Id><ElctrncSeqNb>7</ElctrncSeqNb>
        <Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
        <Bal><Tp><CdOrPrtry><Cd>PRCD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-02-29</Dt></Dt></Bal>
        <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">\(closing)</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-03-01</Dt></Dt></Bal>
        \(entry)
        </Stmt></BkToCstmrStmt></Document>
        """
    }

    static func detail(_ amount: String, _ name: String, indicator: String? = nil, v2Style: Bool = false) -> String {
        let amt = v2Style ? "<AmtDtls><TxAmt><Amt Ccy=\"EUR\">\(amount)</Amt></TxAmt></AmtDtls>" : "<Amt Ccy=\"EUR\">\(amount)</Amt>"
        return "<TxDtls><Refs><EndToEndId>E-\(name)</EndToEndId></Refs>\(amt)\(indicator.map { "<CdtDbtInd>\($0)</CdtDbtInd>" } ?? "")<RltdPties><Dbtr><Nm>\(name)</Nm></Dbtr></RltdPties></TxDtls>"
    }

    static func entry(_ amount: String, details: [String]) -> String {
        "<Ntry><Amt Ccy=\"EUR\">\(amount)</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2024-03-01</Dt></BookgDt><ValDt><Dt>2024-03-01</Dt></ValDt><AcctSvcrRef>B1</AcctSvcrRef><NtryDtls><Btch><NbOfTxs>\(details.count)</NbOfTxs></Btch>\(details.joined())</NtryDtls></Ntry>"
    }

    @Test func severalTxDtlsBecomeSeveralLines() throws {
        let xml = Self.statement(entry: Self.entry("90.00", details: [Self.detail("50.00", "Anna"), Self.detail("25.00", "Ben", v2Style: true), Self.detail("15.00", "Cleo")]))
        let s = try #require(try units(CamtStatementReader(), ByteReader(text: xml)).first)
        let lines = s.children(named: "line")
        #expect(lines.map { $0["Amt"] } == ["50.00", "25.00", "15.00"])
        #expect(lines.map { $0.value("counterparty/Party/Nm") } == ["Anna", "Ben", "Cleo"])
        #expect(lines.map { $0.value("TxDtls/Refs/EndToEndId") } == ["E-Anna", "E-Ben", "E-Cleo"])
        #expect(lines.allSatisfy { $0["entry"] == "1" && $0["AcctSvcrRef"] == "B1" && $0["CdtDbtInd"] == "CRDT" })
        #expect(lines.allSatisfy { $0.children(named: "TxDtls").count == 1 && $0.child("NtryDtls") == nil })
    }

    @Test func aDetailWithItsOwnSignCountsThatWay() throws {
        // 100 in, 10 returned (debit) inside the same batch: the entry says 90 CRDT.
        let xml = Self.statement(entry: Self.entry("90.00", details: [Self.detail("100.00", "Anna"), Self.detail("10.00", "Ben", indicator: "DBIT")]))
        let s = try #require(try units(CamtStatementReader(), ByteReader(text: xml)).first)
        let lines = s.children(named: "line")
        #expect(lines.map { $0["CdtDbtInd"] } == ["CRDT", "DBIT"])
        // A debit line's counterparty is the creditor side (absent here).
        #expect(lines[1].child("counterparty")?.children.isEmpty == true)
    }

    @Test func detailsThatDoNotAddUpAreRejected() throws {
        let xml = Self.statement(entry: Self.entry("90.00", details: [Self.detail("50.00", "Anna"), Self.detail("30.00", "Ben")]))
        let error = #expect(throws: FormatError.self) { try units(CamtStatementReader(), ByteReader(text: xml)) }
        #expect(error?.code == "camt053.split-mismatch")
        #expect(error?.message.contains("90.00") == true && error?.message.contains("80.00") == true)
        #expect(error?.line == 9)  // the Ntry line
    }

    @Test func aDetailWithoutAmountCannotBeSplit() throws {
        let noAmount = "<TxDtls><Refs><EndToEndId>X</EndToEndId></Refs></TxDtls>"
        let xml = Self.statement(entry: Self.entry("90.00", details: [Self.detail("90.00", "Anna"), noAmount]))
        let error = #expect(throws: FormatError.self) { try units(CamtStatementReader(), ByteReader(text: xml)) }
        #expect(error?.code == "camt053.split-amount-missing")
    }
}
