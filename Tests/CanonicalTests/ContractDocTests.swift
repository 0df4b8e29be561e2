import XCTest
import Foundation
@testable import Canonical

/// docs/CANONICAL.md's examples are real: each decodes and is written back byte for byte.
final class ContractDocTests: XCTestCase {
    func testEveryExampleInTheContractDecodesAndRoundTrips() throws {
        var root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) { root.deleteLastPathComponent() }
        let text = try String(contentsOf: root.appendingPathComponent("docs/CANONICAL.md"), encoding: .utf8)
        let blocks = text.components(separatedBy: "```json\n").dropFirst().map { $0.components(separatedBy: "\n```")[0] }
        var types = Set<String>()
        for block in blocks {
            let record = try JSONLines.decode(line: block)
            types.insert(record.type.rawValue)
            XCTAssertEqual(try JSONLines.line(record), block)
        }
        XCTAssertEqual(types, Set(RecordType.allCases.map(\.rawValue)), "one example per record type")
    }
}
