import Foundation
import Testing
import Canonical
import FormatKit
import Gateway
import Mapping
import XMLSupport
@testable import ISO20022

@Suite struct Pain001Tests {
    static func payment(_ amount: String, debtorIBAN: String = "DE89370400440532013000", date: String = "2026-11-23",
                        creditor: String = "Acme Supplies GmbH", creditorIBAN: String = "FR1420041010050500013M02606",
                        method: String = "sepa-credit-transfer", currency: String = "EUR", endToEndId: String? = "INV-1001",
                        remittance: String? = "Invoice 1001", creditorAgent: String? = "BNPAFRPPXXX") -> Record {
        let body = Payment(direction: .outbound, method: method, amount: Amount(amount)!, currency: currency, executionDate: date,
                           debtor: Payment.Party(name: "Dropgate Demo AG", account: debtorIBAN, agent: "COBADEFFXXX"),
                           creditor: Payment.Party(name: creditor, account: creditorIBAN, agent: creditorAgent),
                           endToEndId: endToEndId, remittance: remittance)
        return Record(id: "r-\(amount)", source: nil, body: .payment(body))
    }

    static func context(_ settings: [String: String] = [:]) -> WriteContext {
        var s = ["xsdDirectory": Fixtures.pain001Schemas ?? "/nonexistent"]
        for (k, v) in settings { s[k] = v }
        return WriteContext(settings: s, now: Date(timeIntervalSince1970: 1_795_000_000), timeZone: TimeZone(identifier: "Europe/Berlin")!)
    }

    static let records = [
        payment("100.00"),
        payment("0.5", endToEndId: nil, remittance: nil, creditorAgent: nil),
        payment("1234.56", date: "2026-11-24"),
        payment("99.99", debtorIBAN: "NL91ABNA0417164300"),
        payment("2500", method: "wire", currency: "USD", creditorAgent: "CHASUS33"),
    ]

    @Test(.enabled(if: Fixtures.pain001Schemas != nil, Fixtures.pain001SkipReason), arguments: Pain001Version.allCases)
    func writesValidMessageGroupedByDebtorAccountAndDate(version: Pain001Version) throws {
        let output = try Pain001Writer().render(Self.records, context: Self.context(["version": version.rawValue]))
        #expect(output.version == version && output.file.name.hasSuffix(".xml"))
        // Independently of the writer's own check: the file validates (xmllint --schema equivalent).
        let document = try XMLDocument(bytes: output.file.bytes)
        #expect(try XMLSchema(path: Fixtures.pain001Schemas! + "/" + version.schemaFile).validate(document).isEmpty)
        let root = document.tree()
        #expect(root["@xmlns"] == version.namespace)
        let message = try #require(root.child("CstmrCdtTrfInitn"))
        #expect(message.value("GrpHdr/NbOfTxs") == "5")
        #expect(message.value("GrpHdr/CtrlSum") == "3935.05")
        #expect(message.value("GrpHdr/MsgId") == "DG-20261118-1")
        #expect(message.value("GrpHdr/CreDtTm") == "2026-11-18T12:06:40")
        #expect(message.value("GrpHdr/InitgPty/Nm") == "Dropgate Demo AG")
        let blocks = message.children(named: "PmtInf")
        // (DE…, 23rd, SEPA), (DE…, 24th, SEPA), (NL…, 23rd, SEPA), (DE…, 23rd, wire)
        #expect(blocks.map { $0["NbOfTxs"] } == ["2", "1", "1", "1"])
        #expect(blocks.map { $0["CtrlSum"] } == ["100.50", "1234.56", "99.99", "2500.00"])
        #expect(blocks.map { $0["PmtInfId"] } == ["DG-20261118-1-1", "DG-20261118-1-2", "DG-20261118-1-3", "DG-20261118-1-4"])
        #expect(blocks.map { $0.value("PmtTpInf/SvcLvl/Cd") } == ["SEPA", "SEPA", "SEPA", nil])
        #expect(blocks[0].value(version == .v03 ? "DbtrAgt/FinInstnId/BIC" : "DbtrAgt/FinInstnId/BICFI") == "COBADEFFXXX")
        let second = try #require(blocks[0].children(named: "CdtTrfTxInf").last)
        #expect(second.value("PmtId/EndToEndId") == "NOTPROVIDED")
        #expect(second.value("Amt/InstdAmt") == "0.50")
        #expect(second.child("CdtrAgt") == nil && second.child("RmtInf") == nil)
        #expect(blocks[3].value("CdtTrfTxInf/Amt/InstdAmt/@Ccy") == "USD")
    }

    @Test(.enabled(if: Fixtures.pain001Schemas != nil, Fixtures.pain001SkipReason), arguments: Pain001Version.allCases)
    func roundTripsThroughReaderAndDefaultMapping(version: Pain001Version) throws {
        let output = try Pain001Writer().render(Self.records, context: Self.context(["version": version.rawValue]))
        let path = NSTemporaryDirectory() + "pain-\(UUID().uuidString).xml"
        try Data(output.file.bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let translator = Translator(mappings: try MappingLibrary(directory: Corpus.packageRoot + "/mappings"))
        var back = [Record]()
        try translator.translate(Translator.Job(path: path, sha256: String(repeating: "cd", count: 32))) { back.append($0) }   // format detected
        // Same payments, regrouped: compare as sets of bodies (amounts compare exactly, 0.5 == 0.50).
        #expect(back.allSatisfy { $0.source?.format == "pain001" })
        #expect(Set(back.map(\.body)) == Set(Self.records.map(\.body)))
        #expect(back.count == Self.records.count)
    }

    @Test(.enabled(if: Fixtures.pain001Schemas != nil, Fixtures.pain001SkipReason)) func textsAreCleanedToTheSEPASetAndReported() throws {
        let records = [Self.payment("10.00", creditor: "Müller & Søn Ltd — Zürich_Nord", remittance: "Rechnung №42 für Straße")]
        let output = try Pain001Writer().render(records, context: Self.context())
        let text = String(decoding: output.file.bytes, as: UTF8.self)
        #expect(text.contains("<Nm>Muller + Son Ltd - Zurich-Nord</Nm>"))
        #expect(text.contains("<Ustrd>Rechnung 42 fur Strasse</Ustrd>"))
        #expect(output.cleaning.map(\.field) == ["creditor.name", "remittance"])
        #expect(output.cleaning[0].changes.first == SEPACharacters.Change(original: "ü", replacement: "u", position: 2))
        let strict = #expect(throws: FormatErrors.self) { try Pain001Writer().render(records, context: Self.context(["characterSet": "strict"])) }
        #expect(strict?.errors.map(\.field) == ["creditor.name", "remittance"])
        #expect(strict?.errors.first?.message.contains("\"ü\" at position 2") == true)
    }

    @Test func badRecordsAreRefusedAllAtOnceNamingRecordAndField() throws {
        let records = [
            Self.payment("10.005"),                              // 3 decimals
            Self.payment("10.00", creditorIBAN: "DE00370400440532013000"), // bad check digits
            Self.payment("10.00", currency: "USD"),              // SEPA is EUR
            Self.payment("10.00", date: "2026-02-30"),
            Self.payment("10.00", remittance: String(repeating: "x", count: 141)),
        ]
        let error = #expect(throws: FormatErrors.self) { try Pain001Writer().render(records, context: Self.context()) }
        #expect(error?.errors.map(\.segment) == ["record 0", "record 1", "record 2", "record 3", "record 4"])
        #expect(error?.errors.map(\.field) == ["amount", "creditor.account", "currency", "executionDate", "remittance"])
    }

    @Test func nothingIsReleasedWithoutASchema() throws {
        let error = #expect(throws: FormatError.self) {
            try Pain001Writer().render(Self.records, context: WriteContext(settings: [:]))
        }
        #expect(error?.code == "pain001.no-schema")
    }

    @Test(.enabled(if: Fixtures.pain001Schemas != nil, Fixtures.pain001SkipReason)) func xsdFindingsRefuseTheFile() throws {
        // A document the record checks would never produce: the XSD check is the last gate.
        let bad = #"<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn><GrpHdr><MsgId>X</MsgId></GrpHdr></CstmrCdtTrfInitn></Document>"#
        let error = #expect(throws: FormatErrors.self) {
            try Pain001Writer.validate(Array(bad.utf8), schema: Fixtures.pain001Schemas! + "/pain.001.001.03.xsd", name: "bad")
        }
        #expect(error?.errors.first?.code == "pain001.xsd-invalid")
        #expect(error?.errors.first?.line == 1)
    }

    @Test(.enabled(if: Fixtures.pain001Schemas != nil, Fixtures.pain001SkipReason)) func readerChecksControlTotals() throws {
        let output = try Pain001Writer().render(Array(Self.records.prefix(2)), context: Self.context())
        let tampered = String(decoding: output.file.bytes, as: UTF8.self).replacingOccurrences(of: "<InstdAmt Ccy=\"EUR\">0.50", with: "<InstdAmt Ccy=\"EUR\">0.60")
        let error = #expect(throws: FormatError.self) { try units(Pain001Reader(), ByteReader(text: tampered)) }
        #expect(error?.code == "pain001.sum-mismatch" && error?.segment == "PmtInf")
        #expect(error?.message.contains("100.50") == true && error?.message.contains("100.60") == true)
    }

    @Test func sepaCharacterSet() {
        #expect(SEPACharacters.isClean("ABC abc 0-9 /?:().,'+"))
        #expect(!SEPACharacters.isClean("a&b"))
        #expect(SEPACharacters.clean("Ærøskøbing Æble").text == "AEroskobing AEble")
        #expect(SEPACharacters.clean("Łódź  ☃  Kraków").text == "Lodz Krakow")
        #expect(SEPACharacters.clean("plain").changes.isEmpty)
    }
}
