import XCTest
import Canonical
@testable import Mapping

/// `RecordSchema` is the typed records' contract as data: for every record type, a record with
/// every field filled writes the same bytes through the schema as through `Record`'s `Codable`,
/// and every stored property of the typed record, at every level, is a field of the schema
/// (a field added to Records.swift and not to the schema fails here).
final class RecordSchemaTests: XCTestCase {
    private func filled(_ kind: RecordSchema.Kind) -> JSONValue {
        switch kind {
        case .string: return .string("x")
        case .amount: return .string("1.5")
        case .int: return .number("7")
        case .enumeration(let values): return .string(values.sorted()[0])
        case .object(let fields): return .object(JSONObject(fields.map { ($0.name, filled($0.kind)) }))
        case .array(let element): return .array([filled(element)])
        case .anyObject: return .object(["k": .string("v"), "n": .number("3")])
        }
    }

    private func assertLabels(_ value: Any, _ kind: RecordSchema.Kind, _ path: String, file: StaticString = #filePath, line: UInt = #line) {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional { if let inner = mirror.children.first { assertLabels(inner.value, kind, path) }; return }
        switch kind {
        case .object(let fields):
            let labels = mirror.children.compactMap(\.label)
            XCTAssertEqual(labels, fields.map(\.name), "fields of \(path)", file: file, line: line)
            for (child, f) in zip(mirror.children, fields) { assertLabels(child.value, f.kind, path + "." + f.name) }
        case .array(let element):
            for child in mirror.children { assertLabels(child.value, element, path + "[]") }
        default: break
        }
    }

    func testSchemaWritesWhatTheTypedRecordsWrite() throws {
        for type in RecordType.allCases {
            var body = filled(.object(RecordSchema.fields(of: type))).objectValue!
            switch type {   // make the invariants hold
            case .statement: body["closingBalance"] = .object(["date": .string("x"), "amount": .string("3.0")])
            case .invoice: body["totals"] = .object(["net": .string("1.5"), "tax": .string("1.5"), "total": .string("3")])
            default: break
            }
            let source = RecordSource(partner: "p", channel: "c", format: "f", file: "a \"b\".txt", sha256: String(repeating: "ab", count: 32), index: 3)
            let extra: JSONObject = ["note": .string("é\n")]
            var direct = [UInt8](), head = RecordSchema.LineHead()
            XCTAssertTrue(RecordSchema.writeLine(type: type, source: source, body: body, extra: extra, head: &head, to: &direct), "\(type)")
            let record = try JSONLines.decode(line: String(decoding: direct.dropLast(), as: UTF8.self))
            var typed = [UInt8]()
            try JSONLines.append(record, to: &typed)
            XCTAssertEqual(String(decoding: direct, as: UTF8.self), String(decoding: typed, as: UTF8.self), "\(type)")
            let bodyValue: Any
            switch record.body {
            case .statement(let b): bodyValue = b
            case .payment(let b): bodyValue = b
            case .invoice(let b): bodyValue = b
            case .purchaseOrder(let b): bodyValue = b
            case .shipNotice(let b): bodyValue = b
            case .journalEntry(let b): bodyValue = b
            case .acknowledgment(let b): bodyValue = b
            }
            assertLabels(bodyValue, .object(RecordSchema.fields(of: type)), type.rawValue)
            // Required means required: without it the typed record does not decode; optional fields may be left out.
            for f in RecordSchema.fields(of: type) {
                var without = body
                without[f.name] = nil
                var line = [UInt8](), scratch = RecordSchema.LineHead()
                XCTAssertEqual(RecordSchema.writeLine(type: type, source: source, body: without, extra: [:], head: &scratch, to: &line), !f.required,
                               "\(type).\(f.name)")
                var object: JSONObject = ["schema": .string(Record.schema), "type": .string(type.rawValue), "id": .string("x")]
                for (k, v) in without.pairs { object[k] = v }
                let decodes = (try? JSONLines.decode(line: JSONValue.object(object).jsonText)) != nil
                XCTAssertEqual(decodes, !f.required || f.emptyWhenAbsent, "\(type).\(f.name): required in Records.swift = \(!decodes)")
            }
        }
    }

    func testARecordMissingTheContractIsLeftToTheTypedPath() {
        let source = RecordSource(partner: "", channel: "", format: "csv", file: "f", sha256: "00", index: 0)
        var out: [UInt8] = [1, 2], head = RecordSchema.LineHead()
        let noAmount: JSONObject = ["direction": .string("outbound"), "method": .string("m"), "currency": .string("EUR"), "executionDate": .string("d"),
                                    "debtor": .object(["name": .string("a")]), "creditor": .object(["name": .string("b")])]
        XCTAssertFalse(RecordSchema.writeLine(type: .payment, source: source, body: noAmount, extra: [:], head: &head, to: &out))
        var badAmount = noAmount
        badAmount["amount"] = .string("1,5")
        XCTAssertFalse(RecordSchema.writeLine(type: .payment, source: source, body: badAmount, extra: [:], head: &head, to: &out))
        var badDirection = noAmount
        badDirection["amount"] = .string("1.5")
        badDirection["direction"] = .string("sideways")
        XCTAssertFalse(RecordSchema.writeLine(type: .payment, source: source, body: badDirection, extra: [:], head: &head, to: &out))
        XCTAssertEqual(out, [1, 2], "nothing left behind")
        var good = badDirection
        good["direction"] = .string("inbound")
        XCTAssertTrue(RecordSchema.writeLine(type: .payment, source: source, body: good, extra: [:], head: &head, to: &out))
        let unbalanced: JSONObject = ["account": .object(["id": .string("A")]), "currency": .string("EUR"), "statementNumber": .string("1"),
                                      "reference": .string("r"), "openingBalance": .object(["date": .string("d"), "amount": .string("1")]),
                                      "closingBalance": .object(["date": .string("d"), "amount": .string("5")]),
                                      "lines": .array([.object(["valueDate": .string("d"), "amount": .string("3")])])]
        XCTAssertFalse(RecordSchema.writeLine(type: .statement, source: source, body: unbalanced, extra: [:], head: &head, to: &out))
    }
}
