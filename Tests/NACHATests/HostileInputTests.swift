import XCTest
import TestSupport
import FormatKit
@testable import NACHA

/// Found by fuzz-nacha (issue 11): a rule asked an entry layout for a field it does not have, and
/// the layout's subscript trapped. Now every finding is reported, located at the record.
final class NACHAHostileInputTests: XCTestCase {
    func testFieldMissingFromTheLayoutIsAFindingNotATrap() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: ProjectPaths.packageRoot + "/Tests/Fixtures/hostile/nacha-field-not-in-layout.ach")))
        let findings = NACHAFormat.reader(options: FormatOptions())!.validate(ByteReader(bytes: bytes))
        let finding = try XCTUnwrap(findings.first { $0.code == "nacha.ctx.addenda-count" }, "\(findings)")
        XCTAssertEqual(finding.line, 3)
        XCTAssertEqual(finding.field, "numberOfAddendaRecords")
    }
}
