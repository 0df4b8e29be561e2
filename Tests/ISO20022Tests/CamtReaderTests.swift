import Testing
import Canonical
import FormatKit
@testable import ISO20022

@Suite struct CamtReaderTests {
    static let lenient = CamtStatementReader(options: FormatOptions(values: ["allowBalanceMismatch": "true"]))
    static let strict = CamtStatementReader(options: FormatOptions(values: ["strictBalances": "true"]))

    @Test func readsOneStatementWithContextBalanceTypesAndLine() throws {
        let stmts = try units(Self.strict, Fixtures.reader("camt053.v2.two-statements.xml"))
        #expect(stmts.count == 2)
        let s = try #require(stmts.first)
        #expect(s.name == "Stmt")
        #expect(s["version"] == "camt.053.001.02")
        #expect(s.value("GrpHdr/MsgId") == "DG-CAMT-2026-0001")
        #expect(s.value("Acct/Id/IBAN") == "NL91ABNA0417164300")
        #expect(s.children(named: "Bal").map { $0["type"] } == ["OPBD", "CLBD"])
        let line = try #require(s.child("line"))
        #expect(line["entry"] == "1")
        #expect(line["Amt"] == "8.85" && line.child("Amt")?["@Ccy"] == "EUR" && line["CdtDbtInd"] == "CRDT")
        #expect(line.value("BookgDt/Dt") == "2026-12-01" && line.value("ValDt/Dt") == "2026-12-02")
        #expect(line.value("BkTxCd/Prtry/Cd") == "544")
        #expect(line.value("TxDtls/RmtInf/Strd/CdtrRefInf/Ref") == "RF18539007547034")
        // A credit: the counterparty is the debtor; a debit's is the creditor.
        #expect(line.value("counterparty/Party/Nm") == "Northwind Traders")
        #expect(line.value("counterparty/Account/Id/IBAN") == "DE89370400440532013000")
        #expect(stmts[1].child("line")?.value("counterparty/Party/Nm") == "Acme Office Supplies")
        #expect(s.child("Ntry") == nil)
        #expect(line.line > s.line)
    }

    @Test func version08KeepsPartyUnderPtyAndDomainCode() throws {
        let s = try #require(try units(Self.lenient, Fixtures.reader("camt053.v8.xml")).first)
        #expect(s["version"] == "camt.053.001.08")
        #expect(s.value("Acct/Id/Othr/Id") == "0417164300")
        #expect(s.value("Acct/Ownr/Nm") == "DROPGATE DEMO BV")
        let line = try #require(s.child("line"))
        #expect(line.value("BookgDt/DtTm") == "2026-12-01T13:15:00+01:00")
        #expect(line.value("BkTxCd/Domn/Fmly/SubFmlyCd") == "ESCT")
        #expect(line.value("AcctSvcrRef") == "V8-BANK-REF-77")
        #expect(line.value("TxDtls/Refs/EndToEndId") == "NW-INV-2026-118")
        #expect(line.value("counterparty/Party/Pty/Nm") == "Northwind Traders")
        // A single TxDtls never replaces the entry's amount (here it even says 0 SEK).
        #expect(line["Amt"] == "12.40")
    }

    @Test func balanceMismatchIsAnErrorNamingBothFigures() throws {
        let error = #expect(throws: FormatError.self) {
            try units(CamtReaderTests.strict, Fixtures.reader("camt053.v2.unbalanced.xml"))
        }
        #expect(error?.code == "camt053.balance-mismatch")
        #expect(error?.message.contains("108.85") == true && error?.message.contains("18.15") == true)
        #expect(error?.line != nil)
        // The lenient reader takes it.
        #expect(try units(CamtReaderTests.lenient, Fixtures.reader("camt053.v2.unbalanced.xml")).count == 1)
    }

    @Test func statementWithoutStatementsIsRejected() throws {
        let error = #expect(throws: FormatError.self) { try units(CamtStatementReader(), Fixtures.reader("camt053.v2.no-statement.xml")) }
        #expect(error?.code == "camt053.no-statement")
    }

    @Test func otherMessagesAndBrokenXMLAreRejectedWithALine() throws {
        let pain = #"<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn><GrpHdr/></CstmrCdtTrfInitn></Document>"#
        let e1 = #expect(throws: FormatError.self) { try units(CamtStatementReader(), ByteReader(text: pain)) }
        #expect(e1?.code == "camt053.not-camt053")
        let broken = "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n<BkToCstmrStmt>\n<Stmt><Id>1</Stmt>\n"
        let e2 = #expect(throws: FormatError.self) { try units(CamtStatementReader(), ByteReader(text: broken)) }
        #expect(e2?.code == "xml.malformed")
        #expect(e2?.line == 3)
    }

    @Test func detectsByNamespace() throws {
        #expect(Camt053Format.detect(Array("\u{FEFF}<?xml version=\"1.0\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\">".utf8)))
        #expect(!Camt053Format.detect(Array("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.052.001.02\">".utf8)))
        #expect(!Camt053Format.detect(Array(":20:camt.053.".utf8)))
        #expect(Pain001Format.detect(Array("<?xml version=\"1.0\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\">".utf8)))
    }
}
