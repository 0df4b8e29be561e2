import TestSupport
import Canonical
import FormatKit
import Foundation
import XCTest
@testable import NACHA

/// The shared ACH corpus (moov-io/ach's test files), driven by its MANIFEST.tsv.
final class ConformanceTests: XCTestCase {
    /// Why each EXPECTED FAILURE must be rejected: the finding code (and record) that its name or note gives.
    static let expectedFailures: [String: String] = [
        "issues/issue1600/1e5RecordBefore1or8.txt": "nacha.structure.file-header",
        "issues/issue1600/1k8RecordFollowing9Record.txt": "nacha.structure.after-file-control",
        "issues/issue1600/2lCompanyNameAllZeros.txt": "nacha.field.only-zeros",
        "issues/issue1600/2mCompanyEntryDescAllZeros.txt": "nacha.field.only-zeros",
        "issues/issue1600/3fTELIndvNameAllBlank.txt": "nacha.field.mandatory",
        "testdata/FISERV-ZEROFILE-PIMRET825324_032720_110221.ach": "nacha.routing.check-digit",
        "testdata/adv-invalidBatchEntries.ach": "nacha.structure.addenda-outside-entry",
        "testdata/extended-ascii.ach": "nacha.field.characters",
        "testdata/file_header_control.rtf": "nacha.structure.record-type",
        "testdata/file_parsing_missing_file_control.txt": "nacha.field.mandatory@fileControl",
        "testdata/iat-invalidAddenda10.ach": "nacha.iat.transaction-type",
        "testdata/iat-invalidAddenda11.ach": "nacha.field.characters",
        "testdata/iat-invalidAddenda12.ach": "nacha.field.characters",
        "testdata/iat-invalidAddenda16.ach": "nacha.field.characters",
        "testdata/iat-invalidAddenda17.ach": "nacha.field.characters",
        "testdata/iat-invalidAddenda18.ach": "nacha.field.characters",
        "testdata/iat-invalidAddenda99.ach": "nacha.return-code",
        "testdata/iat-invalidAddendaRecordIndicator.ach": "nacha.addenda.indicator",
        "testdata/iat-invalidBatchControl.ach": "nacha.control.odfiIdentification",
        "testdata/iat-invalidBatchHeader.ach": "nacha.service-class",
        "testdata/iat-invalidEntryDetail.ach": "nacha.transaction-code",
        "testdata/invalid-two-micro-deposits.ach": "nacha.field.numeric@entryDetail",
        "testdata/missing_file_control.rtf": "nacha.structure.missing-file-control",
        "testdata/pos-invalidReturnFile.ach": "nacha.return-code",
        "testdata/ppd-debit-fixedLengthInvalid.ach": "nacha.record.length",
        "testdata/ppd-debit-invalid-entryDetail-checkDigit.ach": "nacha.routing.check-digit",
        // moov-io/ach does not say why; what is wrong is the immediate origin " 000TESTER", not a number.
        "testdata/ppd-mixedDebitCredit-invalid.ach": "nacha.field.numeric@fileHeader",
        "testdata/return-no-file-header-control.ach": "nacha.structure.missing-file-header",
        "testdata/web-invalidNOCFile.ach": "nacha.change-code",
    ]

    /// Files whose note says they read only with a moov-io/ach option (or a declared encoding):
    /// they must be rejected without it and read with it.
    static let readsOnlyWith: [String: [String: String]] = [
        "issues/issue1378/neither_file_record.txt": ["allowMissingFileHeader": "true", "allowMissingFileControl": "true"],
        // Its immediate origin "N833219776" is not a number either.
        "issues/issue1378/no_control.txt": ["allowMissingFileControl": "true", "bypassOriginValidation": "true"],
        "issues/issue1378/no_header.txt": ["allowMissingFileHeader": "true"],
        "testdata/ppd-debit-invalid-entryDetail-checkDigit.ach": ["allowInvalidCheckDigit": "true"],
        "testdata/extended-ascii.ach": ["allowSpecialCharacters": "true"],
    ]

    /// VALID files that need a channel option here. (A file control that disagrees with the
    /// batches reads with warnings, as in moov-io/ach; see `fileControlWarnings`.)
    static let validWithOptions: [String: [String: String]] = [
        "testdata/return-PPD-custom-reason-code.ach": ["customReturnCodes": "true"],
        "issues/issue702.ach": ["bypassDestinationValidation": "true"],            // destination "YYYYYYYYY"
    ]

    /// VALID files in a legacy encoding: the channel declares it.
    static let encodings: [String: String] = ["testdata/nonascii.ach": "WINDOWS-1252"]

    struct Row { let file: String; let note: String }

    private func manifest() throws -> (URL, [Row]) {
        guard let root = Sample.corpus("ach") else {
            throw XCTSkip(ProjectPaths.corpusSkipReason("ach"))
        }
        let text = try String(contentsOf: root.appendingPathComponent("MANIFEST.tsv"), encoding: .utf8)
        let rows = text.split(separator: "\n").dropFirst().map { line -> Row in
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Row(file: cols[0], note: cols.count > 4 ? cols[4].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) : "")
        }
        return (root, rows)
    }

    private func key(_ file: String) -> String { String(file.drop { $0 != "/" }.dropFirst()) }

    private func reader(_ file: String, _ values: [String: String] = [:]) -> NACHAReader {
        let encoding = Self.encodings[key(file)].flatMap(TextEncoding.init) ?? .utf8
        return NACHAReader(options: NACHAOptions(FormatOptions(values: values)), encoding: encoding)
    }

    private func read(_ root: URL, _ file: String, _ values: [String: String] = [:]) throws -> Int {
        var count = 0
        try reader(file, values).read(ByteReader(path: root.appendingPathComponent(file).path)) { _ in count += 1 }
        return count
    }

    private func errors(_ root: URL, _ file: String, _ values: [String: String] = [:]) throws -> [FormatError] {
        reader(file, values).validate(try ByteReader(path: root.appendingPathComponent(file).path)).filter { $0.severity == .error }
    }

    func testEveryValidFileReads() throws {
        let (root, rows) = try manifest()
        var checked = 0
        for row in rows where row.note.hasPrefix("VALID") {
            let values = Self.validWithOptions[key(row.file)] ?? [:]
            XCTAssertNoThrow(try read(root, row.file, values), row.file)
            XCTAssertEqual(try errors(root, row.file, values), [], row.file)
            if !values.isEmpty { XCTAssertThrowsError(try read(root, row.file), "\(row.file) needs \(values)") }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 50)
        XCTAssertEqual(try read(root, "moov-io-ach/cmd/readACH/201805101354.ach"), 5_000, "5,000 entries, each with one addenda")
    }

    func testEveryExpectedFailureIsRejectedForItsReason() throws {
        let (root, rows) = try manifest()
        for row in rows where row.note.hasPrefix("EXPECTED FAILURE") {
            let expected = try XCTUnwrap(Self.expectedFailures[key(row.file)], "no expected reason listed for \(row.file)")
            let found = try errors(root, row.file)
            let parts = expected.split(separator: "@").map(String.init)
            XCTAssertTrue(found.contains { $0.code == parts[0] && (parts.count == 1 || $0.segment == parts[1]) }, "\(row.file): expected \(expected), found \(found.map(\.description))")
            XCTAssertTrue(found.allSatisfy { $0.line != nil || $0.segment != nil }, "\(row.file): every finding is located")
            XCTAssertThrowsError(try read(root, row.file), row.file)
        }
    }

    /// VALID files whose file control disagrees with their (balanced) batches: read with warnings,
    /// refused with `strictFileControl: true`.
    static let fileControlWarnings = [
        "issues/issue1620.ach",        // batch count 2, one batch
        "testdata/shr-credit.ach",     // file control of another file
        "testdata/moov-ids.ach",       // counts and totals of another file
        "testdata/nonascii.ach",       // entry/addenda count 1 for 13
        "testdata/nonascii-utf8.ach",
    ]

    func testFileControlDisagreementsReadWithWarnings() throws {
        let (root, _) = try manifest()
        for file in Self.fileControlWarnings {
            let path = "moov-io-ach/" + file
            let values = Self.validWithOptions[file] ?? [:]
            let warnings = reader(path, values).validate(try ByteReader(path: root.appendingPathComponent(path).path)).filter { $0.severity == .warning }
            XCTAssertTrue(warnings.contains { $0.code.hasPrefix("nacha.control.") && $0.segment == "fileControl" }, "\(file): \(warnings)")
            XCTAssertThrowsError(try read(root, path, values.merging(["strictFileControl": "true"]) { a, _ in a }), file)
        }
    }

    func testFilesThatReadOnlyWithAnOption() throws {
        let (root, _) = try manifest()
        for (file, values) in Self.readsOnlyWith {
            let path = "moov-io-ach/" + file
            XCTAssertThrowsError(try read(root, path), "\(file) without \(values)")
            XCTAssertNoThrow(try read(root, path, values), "\(file) with \(values)")
        }
    }

    private func units(_ root: URL, _ file: String) throws -> [Node] {
        var out = [Node]()
        try reader(file).read(ByteReader(path: root.appendingPathComponent(file).path)) { out.append($0) }
        return out
    }

    func testReturnsAndNotificationsOfChangeCarryTheirCodes() throws {
        let (root, _) = try manifest()
        let returned = try XCTUnwrap(units(root, "moov-io-ach/testdata/iat-addenda99.ach").first)
        XCTAssertEqual(UnitToPayment.payment(returned).direction, .return)
        XCTAssertEqual(UnitToPayment.payment(returned).ach?.returnCode, "R01")
        XCTAssertEqual(returned.children(named: "addenda").map { $0["typeCode"]! }, ["10", "11", "12", "13", "14", "15", "16", "99"])

        let noc = try XCTUnwrap(units(root, "moov-io-ach/ach-cor-read/cor-read.ach").first)
        let payment = UnitToPayment.payment(noc)
        XCTAssertEqual(payment.direction, .outbound)
        XCTAssertEqual(payment.ach?.correctionCode, "C01")
        XCTAssertEqual(payment.ach?.secCode, "COR")
        XCTAssertEqual(noc.child("addenda")?["correctedData"], "1918171614")

        let ppd = try XCTUnwrap(units(root, "moov-io-ach/ach-ppd-read/ppd-credit.ach").first)
        let credit = UnitToPayment.payment(ppd)
        XCTAssertEqual(credit.amount, Amount("1000000.00"))
        XCTAssertEqual(credit.executionDate, "2018-12-07")
        XCTAssertEqual(credit.creditor, Payment.Party(name: "Receiver Account Name", account: "12345678", agent: "231380104"))
        XCTAssertEqual(credit.debtor, Payment.Party(name: "Name on Account", agent: "121042882"))
    }

    /// validate does not stop at the first finding.
    func testValidateReportsEveryFindingOfABrokenFile() throws {
        let (root, _) = try manifest()
        let found = try errors(root, "moov-io-ach/testdata/invalid-two-micro-deposits.ach", ["strictFileControl": "true"])
        XCTAssertGreaterThanOrEqual(found.count, 4)
        XCTAssertEqual(Set(found.compactMap(\.segment)), ["entryDetail", "addenda", "batchControl", "fileControl"])
        XCTAssertTrue(found.allSatisfy { $0.line != nil && $0.field != nil })
    }

    func testFuzzCrashersDoNotCrash() throws {
        let (root, rows) = try manifest()
        for row in rows where row.note.hasPrefix("FUZZ CRASHER") {
            _ = try? read(root, row.file)
            XCTAssertFalse(try errors(root, row.file).isEmpty, "\(row.file) is malformed and must be reported")
        }
    }
}
