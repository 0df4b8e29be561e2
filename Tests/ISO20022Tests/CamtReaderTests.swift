import Testing
import Canonical
import FormatKit
@testable import ISO20022

@Suite struct CamtReaderTests {
    static let lenient = CamtStatementReader(options: FormatOptions(values: ["allowBalanceMismatch": "true"]))
    static let strict = CamtStatementReader(options: FormatOptions(values: ["strictBalances": "true"]))

    @Test func readsOneStatementWithContextBalanceTypesAndLine() throws {
        if Corpus.missing() { return }
        let stmts = try units(Self.lenient, Corpus.reader("samples/camt053.v2.minimal.xml"))
        #expect(stmts.count == 1)
        let s = try #require(stmts.first)
        #expect(s.name == "Stmt")
        #expect(s["version"] == "camt.053.001.02")
        #expect(s.value("GrpHdr/MsgId") == "CAMT053RIB000000000001")
        #expect(s.value("Acct/Id/IBAN") == "NL26VAYB8060476890")
        #expect(s.children(named: "Bal").map { $0["type"] } == ["OPBD", "CLBD", "OPAV", "CLAV"])
        let line = try #require(s.child("line"))
        #expect(line["entry"] == "1")
        #expect(line["Amt"] == "8.85" && line.child("Amt")?["@Ccy"] == "EUR" && line["CdtDbtInd"] == "CRDT")
        #expect(line.value("BookgDt/Dt") == "2014-12-31" && line.value("ValDt/Dt") == "2015-01-02")
        #expect(line.value("BkTxCd/Prtry/Cd") == "544")
        #expect(line.value("TxDtls/RmtInf/Strd/CdtrRefInf/Ref") == "4654654654654654")
        // A credit: the counterparty is the debtor.
        #expect(line.value("counterparty/Party/Nm") == "NAME NAME")
        #expect(line.value("counterparty/Account/Id/IBAN") == "NL56AGDH9619008421")
        #expect(s.child("Ntry") == nil)
        #expect(line.line > s.line)
    }

    @Test func version08KeepsPartyUnderPtyAndDomainCode() throws {
        if Corpus.missing() { return }
        let s = try #require(try units(Self.lenient, Corpus.reader("samples/camt053.v8.xml")).first)
        #expect(s["version"] == "camt.053.001.08")
        #expect(s.value("Acct/Id/Othr/Id") == "NL26VAYB8060476890")
        #expect(s.value("Acct/Ownr/Nm") == "FINPETROL")
        let line = try #require(s.child("line"))
        #expect(line.value("BookgDt/DtTm") == "2014-12-31T13:15:00+01:00")
        #expect(line.value("BkTxCd/Domn/Fmly/SubFmlyCd") == "BOOK")
        #expect(line.value("AcctSvcrRef") == "AAAASESS-FP-CN_98765/01")
        #expect(line.value("TxDtls/Refs/EndToEndId") == "MUELL/FINP/RA12345")
        #expect(line.value("counterparty/Party/Pty/Nm") == "NAME NAME")
        // A single TxDtls never replaces the entry's amount (here it even says 0 SEK).
        #expect(line["Amt"] == "8.85")
    }

    @Test func balanceMismatchIsAnErrorNamingBothFigures() throws {
        if Corpus.missing() { return }
        let error = #expect(throws: FormatError.self) {
            try units(CamtReaderTests.strict, Corpus.reader("samples/camt053.v2.minimal.xml"))
        }
        #expect(error?.code == "camt053.balance-mismatch")
        #expect(error?.message.contains("18.15") == true && error?.message.contains("-27.00") == true)
        #expect(error?.line != nil)
    }

    @Test func statementWithoutStatementsIsRejected() throws {
        if Corpus.missing() { return }
        let error = #expect(throws: FormatError.self) { try units(CamtStatementReader(), Corpus.reader("samples/camt053.v2.wrong.xml")) }
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
