import XCTest
import Canonical
import FormatKit
@testable import MT940

/// Reads `text` and returns the statement units (or throws the reader's error).
func statements(_ text: String, options: FormatOptions = FormatOptions()) throws -> [Node] {
    var units: [Node] = []
    try MT940Reader(options: options).read(ByteReader(text: text)) { units.append($0) }
    return units
}

/// The reader's error for `text`, failing the test when it reads.
func readError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> FormatError? {
    do {
        _ = try statements(text, options: FormatOptions(values: ["strictBalances": "true"]))
        XCTFail("expected an error", file: file, line: line)
    } catch let error as FormatError {
        return error
    } catch {
        XCTFail("not a FormatError: \(error)", file: file, line: line)
    }
    return nil
}

final class ReaderTests: XCTestCase {
    static let plain = """
        :20:STMT-1
        :25:NL91ABNA0417164300
        :28C:42/1
        :60F:C231229EUR1000,00
        :61:2312290102D250,50NTRFINV-7//BANK123
        PAYMENT RUN
        :86:/TRTP/SEPA OVERBOEKING/IBAN/NL20INGB0001234567/BIC/INGBNL2A/NAME/ACME BV/REMI/INVOICE 7/EREF/E2E-1/
        :61:231230C100,NMSCNONREF
        :86:166?00GUTSCHRIFT?20EREF+E2E-2?21SVWZ+Rechnung 12?22345?30COBADEFF?31DE44500105175407324931?32Max Muster
        ?33mann
        :62F:C231230EUR849,50
        -
        """

    func testReadsFieldsLinesAndDetails() throws {
        let units = try statements(Self.plain)
        XCTAssertEqual(units.count, 1)
        let s = units[0]
        XCTAssertEqual(s["messageType"], "940")
        XCTAssertEqual(s["reference"], "STMT-1")
        XCTAssertEqual(s["account"], "NL91ABNA0417164300")
        XCTAssertEqual(s.child("statementNumber")?["number"], "42")
        XCTAssertEqual(s.child("statementNumber")?["sequence"], "1")
        let opening = try XCTUnwrap(s.child("openingBalance"))
        XCTAssertEqual(opening["tag"], "60F")
        XCTAssertEqual(opening["mark"], "C")
        XCTAssertEqual(opening["date"], "2023-12-29")
        XCTAssertEqual(opening["currency"], "EUR")
        XCTAssertEqual(opening["amount"], "1000,00")

        let lines = s.children(named: "line")
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual(lines[0]["valueDate"], "2023-12-29")
        XCTAssertEqual(lines[0]["entryDate"], "2024-01-02", "MMDD entry date after a year end")
        XCTAssertEqual(lines[0]["mark"], "D")
        XCTAssertEqual(lines[0]["amount"], "250,50")
        XCTAssertEqual(lines[0]["transactionCode"], "NTRF")
        XCTAssertEqual(lines[0]["customerReference"], "INV-7")
        XCTAssertEqual(lines[0]["bankReference"], "BANK123")
        XCTAssertEqual(lines[0]["supplementary"], "PAYMENT RUN")
        let ing = try XCTUnwrap(lines[0].child("details"))
        XCTAssertEqual(ing["TRTP"], "SEPA OVERBOEKING")
        XCTAssertEqual(ing["IBAN"], "NL20INGB0001234567")
        XCTAssertEqual(ing["NAME"], "ACME BV")
        XCTAssertEqual(ing["REMI"], "INVOICE 7")
        XCTAssertEqual(ing["EREF"], "E2E-1")

        XCTAssertNil(lines[1]["entryDate"])
        XCTAssertEqual(lines[1]["amount"], "100,")
        XCTAssertNil(lines[1]["bankReference"])
        let gvc = try XCTUnwrap(lines[1].child("details"))
        XCTAssertEqual(gvc.value, "166?00GUTSCHRIFT?20EREF+E2E-2?21SVWZ+Rechnung 12?22345?30COBADEFF?31DE44500105175407324931?32Max Muster\n?33mann")
        XCTAssertEqual(gvc["code"], "166")
        XCTAssertEqual(gvc["?00"], "GUTSCHRIFT")
        XCTAssertEqual(gvc["?30"], "COBADEFF")
        XCTAssertEqual(gvc["?32"], "Max Muster")
        XCTAssertEqual(gvc["?33"], "mann")
        XCTAssertEqual(gvc["EREF"], "E2E-2")
        XCTAssertEqual(gvc["SVWZ"], "Rechnung 12345", "a keyword's value runs on through the next subfields")
        XCTAssertEqual(gvc["purpose"], "EREF+E2E-2SVWZ+Rechnung 12345")
        XCTAssertEqual(s.child("closingBalance")?["amount"], "849,50")
    }

    func testSwiftBlocksFramingAndSeveralMessages() throws {
        let body = Self.plain.replacingOccurrences(of: "\n-", with: "")
        let text = "\u{01}{1:F01ABNANL2AXXXX0000000000}{2:O9401200231230ABNANL2AXXXX00000000002312301200N}{3:{108:MUR1}}{4:\r\n"
            + body.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n-}{5:{CHK:123456789ABC}}\u{03}\r\n"
            + "\u{01}{1:F01ABNANL2AXXXX0000000000}{2:I942ABNANL2AXXXXN}{4:\n:20:INTERIM\n:25:X\n:28C:1\n:34F:EURD0,\n:13D:2401021530+0100\n"
            + ":61:240102C5,00NTRFNONREF\n:90C:1EUR5,00\n-}\u{03}\n\n  \nTRAILING JUNK\n"
        let units = try statements(text)
        XCTAssertEqual(units.count, 2)
        XCTAssertEqual(units[0]["messageType"], "940")
        XCTAssertEqual(units[0]["block1"], "F01ABNANL2AXXXX0000000000")
        XCTAssertEqual(units[0]["block3"], "{108:MUR1}")
        XCTAssertEqual(units[0].children(named: "line").count, 2)
        XCTAssertEqual(units[1]["messageType"], "942")
        XCTAssertEqual(units[1].child("dateTime")?["dateTime"], "2024-01-02T15:30:00+01:00")
        XCTAssertEqual(units[1].child("floorLimit")?["mark"], "D")
        XCTAssertEqual(units[1].child("creditSummary")?["count"], "1")
        XCTAssertEqual(units[1].child("creditSummary")?["amount"], "5,00")
    }

    func testMessagesWithoutTerminatorSplitAtNextReference() throws {
        let text = Self.plain.replacingOccurrences(of: "\n-", with: "") + "\n" + Self.plain
        XCTAssertEqual(try statements(text).count, 2)
    }

    func testReversalsAndFundsCode() throws {
        let text = """
            :20:R
            :25:A
            :28C:1
            :60F:D240101EUR10,00
            :61:240101RC5,00NTRFNONREF
            :61:240101RDR7,25NCHGNONREF
            :61:240101CN1,NTRF
            :62F:D240101EUR6,75
            """
        let lines = try statements(text)[0].children(named: "line")
        XCTAssertEqual(lines.map { $0["mark"] }, ["RC", "RD", "C"])
        XCTAssertEqual(lines[1]["fundsCode"], "R")
        XCTAssertEqual(lines[2]["fundsCode"], "N")
        XCTAssertNil(lines[2]["customerReference"])
    }

    func testBalanceMismatchNamesBothFigures() throws {
        let broken = Self.plain.replacingOccurrences(of: ":62F:C231230EUR849,50", with: ":62F:C231230EUR850,50")
        let error = try XCTUnwrap(readError(broken))
        XCTAssertEqual(error.code, "mt940.balance-mismatch")
        XCTAssertEqual(error.segment, "62F")
        XCTAssertEqual(error.line, 11)
        XCTAssertTrue(error.message.contains("849.50") && error.message.contains("850.50"), error.message)
        let relaxed = FormatOptions(values: ["checkBalances": "false", "strictBalances": "true"])
        XCTAssertEqual(try statements(broken, options: relaxed).count, 1)
        XCTAssertEqual(try statements(broken).count, 1, "by default the statement is read (and flagged by the translator)")
        XCTAssertEqual(MT940Reader().validate(ByteReader(text: broken)).map(\.code), ["mt940.balance-mismatch"], "validate always reports it")
    }

    /// A statement without a closing balance is what a truncated file looks like: refused even by
    /// default (issue 11). A garbled optional :65: next to a real closing balance is still read
    /// with a warning by default; `validate` and `strictBalances` refuse it.
    func testMissingClosingBalanceIsRefusedAndGarbledForwardBalanceIsAWarningUnlessStrict() throws {
        let noClosing = Self.plain.replacingOccurrences(of: ":62F:C231230EUR849,50\n", with: ":65:Dnullnull7414,3\n")
        XCTAssertThrowsError(try statements(noClosing)) { error in
            XCTAssertEqual((error as? FormatError)?.code, "mt940.missing-tag")
            XCTAssertTrue((error as? FormatError)?.message.contains(":62F:") == true, "\(error)")
        }
        let garbled = Self.plain.replacingOccurrences(of: ":62F:C231230EUR849,50\n", with: ":62F:C231230EUR849,50\n:65:Dnullnull7414,3\n")
        let unit = try XCTUnwrap(try statements(garbled).first)
        XCTAssertNotNil(unit.child("closingBalance"))
        XCTAssertEqual(unit.children(named: "warning").compactMap(\.value).count, 1, unit.outline())
        XCTAssertTrue(unit.children(named: "warning").contains { $0.value?.contains(":65: kept as text") == true })
        XCTAssertNotNil(readError(garbled), "strict reading refuses it")
        XCTAssertFalse(MT940Reader().validate(ByteReader(text: garbled)).isEmpty, "validate reports it")
    }

    func testBadLineDateNamesLineColumnAndSubfield() throws {
        let bad = Self.plain.replacingOccurrences(of: ":61:231230C100,", with: ":61:231330C100,")
        let error = try XCTUnwrap(readError(bad))
        XCTAssertEqual(error.line, 8)
        XCTAssertEqual(error.column, 5)
        XCTAssertEqual(error.segment, "61")
        XCTAssertEqual(error.field, "valueDate")
        XCTAssertTrue(error.message.contains("month 13"), error.message)
    }

    func testAmountCommaRules() throws {
        let whole = Self.plain.replacingOccurrences(of: ":61:231230C100,NMSC", with: ":61:231230C100NMSC")
        XCTAssertEqual(try statements(whole)[0].children(named: "line")[1]["amount"], "100")
        let bad = Self.plain.replacingOccurrences(of: ":61:231230C100,NMSC", with: ":61:231230C1,00,NMSC")
        let error = try XCTUnwrap(readError(bad))
        XCTAssertEqual(error.field, "amount")
        XCTAssertEqual(error.column, 12)
    }

    func testFebruary30IsTheMonthEnd() throws {
        XCTAssertEqual(try SwiftDate.iso(yymmdd: "160230"), "2016-02-29")
        XCTAssertEqual(try SwiftDate.iso(yymmdd: "170230"), "2017-02-28")
        XCTAssertThrowsError(try SwiftDate.iso(yymmdd: "170431"))
        XCTAssertThrowsError(try SwiftDate.iso(yymmdd: "170100"))
        XCTAssertEqual(try SwiftDate.iso(mmdd: "1231", near: "2018-01-02"), "2017-12-31")
    }

    func testOrderAndRequiredFields() throws {
        let late = Self.plain.replacingOccurrences(of: ":62F:", with: ":25:X\n:62F:")
        XCTAssertEqual(readError(late)?.code, "mt940.unexpected-tag")
        let noAccount = Self.plain.replacingOccurrences(of: ":25:NL91ABNA0417164300\n", with: "")
        let missing = try XCTUnwrap(readError(noAccount))
        XCTAssertEqual(missing.code, "mt940.missing-tag")
        XCTAssertTrue(missing.message.contains(":25:"))
        let noClosing = Self.plain.replacingOccurrences(of: ":62F:C231230EUR849,50\n", with: "")
        XCTAssertTrue(readError(noClosing)?.message.contains(":62F:") == true)
    }

    func testUnknownTagOnlyContinuesFreeText() throws {
        let wrapped = Self.plain.replacingOccurrences(of: "?33mann", with: "?33mann 12-09-2014T16\n:26:37")
        let details = try statements(wrapped)[0].children(named: "line")[1].child("details")
        XCTAssertEqual(details?["?33"], "mann 12-09-2014T16:26:37")
        let stray = Self.plain.replacingOccurrences(of: ":28C:42/1", with: ":28C:42/1\n:12:XX")
        let error = try XCTUnwrap(readError(stray))
        XCTAssertEqual(error.code, "mt940.unknown-tag")
        XCTAssertEqual(error.line, 4)
    }

    func testNoStatementIsAnError() {
        XCTAssertEqual(readError("1\n2\n3\n")?.code, "mt940.no-statement")
    }

    func testLegacyEncodingAndInvalidUTF8() throws {
        var bytes = Array(Self.plain.utf8)
        let at = Self.plain.utf8.count - Self.plain.components(separatedBy: "Max Muster")[1].utf8.count - "ax Muster".utf8.count
        bytes[at] = 0xA0  // "Max Muster" → "Máx Muster" in CP852 (0xA0 = á)
        var units: [Node] = []
        try MT940Reader(options: FormatOptions(encoding: TextEncoding("CP852")!)).read(ByteReader(bytes: bytes)) { units.append($0) }
        XCTAssertEqual(units[0].children(named: "line")[1].child("details")?["?32"], "M\u{E1}x Muster")
        do {
            try MT940Reader().read(ByteReader(bytes: bytes)) { _ in }
            XCTFail("invalid UTF-8 must fail")
        } catch let error as FormatError {
            XCTAssertEqual(error.code, "mt940.encoding")
            XCTAssertEqual(error.line, 9)
            XCTAssertEqual(error.column, 99)
        }
    }

    func testValidateReportsEveryBadStatement() {
        let bad = Self.plain.replacingOccurrences(of: ":62F:C231230EUR849,50", with: ":62F:C231230EUR1,00")
        let findings = MT940Reader().validate(ByteReader(text: bad + "\n" + Self.plain + "\n" + bad))
        XCTAssertEqual(findings.map(\.code), ["mt940.balance-mismatch", "mt940.balance-mismatch"])
        XCTAssertEqual(findings.map(\.line), [11, 35])
    }

    func testDetection() {
        XCTAssertTrue(MT940Format.detect(Array("\u{01}\r\n{1:F01".utf8)))
        XCTAssertTrue(MT940Format.detect(Array("\n\n:20:STARTUMS\n".utf8)))
        XCTAssertFalse(MT940Format.detect(Array("<?xml version".utf8)))
        XCTAssertFalse(MT940Format.detect(Array(":25:X".utf8)))
    }
}
