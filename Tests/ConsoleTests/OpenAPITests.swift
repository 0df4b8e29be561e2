import Foundation
import XCTest
@testable import Console
import TestSupport
import Yams

/// docs/openapi.yaml is kept true: every API route is in it, everything in it is a route, and every
/// route's answer (for the statuses exercised here) matches the schema it documents.
final class OpenAPITests: XCTestCase {
    func testEveryRouteAnswersAsDocumented() throws {
        let spec = try XCTUnwrap(try Yams.load(yaml: String(contentsOfFile: ProjectPaths.packageRoot + "/docs/openapi.yaml", encoding: .utf8)) as? [String: Any])
        let paths = try XCTUnwrap(spec["paths"] as? [String: Any])
        let documented = Set(paths.flatMap { path, ops in ((ops as? [String: Any]) ?? [:]).keys.map { "\($0.uppercased()) \(path)" } })
        let served = Set(API.routes.map { "\($0.method) \($0.path)" } + ["GET /healthz", "GET /readyz", "GET /metrics"])
        XCTAssertEqual(documented.subtracting(served), [], "documented but not served")
        XCTAssertEqual(served.subtracting(documented), [], "served but not documented")

        let validator = SchemaValidator(spec: spec)
        let h = try ConsoleHarness(brokenMapping: true)
        defer { h.stop() }
        try h.drop("bad.csv", ConsoleHarness.payments(1))
        XCTAssertTrue(try h.waitFor { try h.state(of: "bad.csv") == "quarantined" })
        let id = try h.id(of: "bad.csv")
        try FileManager.default.createDirectory(atPath: h.inbox("statements"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: ProjectPaths.packageRoot + "/samples/acme-bank/statements/statement-2026-11-20.csv", toPath: h.inbox("statements") + "/s.csv")
        XCTAssertTrue(try h.waitFor { try h.state(of: "s.csv") == "archived" })
        let archived = try h.id(of: "s.csv")

        var checked = Set<String>()
        func check(_ method: String, _ template: String, _ path: String, token: String?, status: Int) throws {
            let reply = try h.request(method, path, token: token)
            XCTAssertEqual(reply.status, status, "\(method) \(path): \(reply.text)")
            let op = try XCTUnwrap((paths[template] as? [String: Any])?[method.lowercased()] as? [String: Any], "\(method) \(template)")
            let responses = try XCTUnwrap(op["responses"] as? [String: Any])
            guard var response = responses["\(status)"] as? [String: Any] else { return XCTFail("\(method) \(template): status \(status) is not documented") }
            if let ref = response["$ref"] as? String { response = validator.resolve(ref) }
            let content = try XCTUnwrap(response["content"] as? [String: Any], "\(method) \(template) \(status)")
            if let json = content["application/json"] as? [String: Any] {
                XCTAssertTrue(reply.header("Content-Type")?.hasPrefix("application/json") == true, "\(method) \(path)")
                let value = try JSONSerialization.jsonObject(with: reply.body, options: [.fragmentsAllowed])
                let problems = validator.validate(value, json["schema"] as Any, at: "\(method) \(path)")
                XCTAssertEqual(problems, [], reply.text)
            } else {
                XCTAssertNotNil(content["text/plain"], "\(method) \(template)")
                XCTAssertTrue(reply.header("Content-Type")?.hasPrefix("text/plain") == true)
            }
            checked.insert("\(method) \(template)")
        }
        let op = h.op, viewer = h.viewer
        try check("GET", "/healthz", "/healthz", token: nil, status: 200)
        try check("GET", "/readyz", "/readyz", token: nil, status: 200)
        try check("GET", "/metrics", "/metrics", token: viewer, status: 200)
        try check("GET", "/api/v1/summary", "/api/v1/summary", token: viewer, status: 200)
        try check("GET", "/api/v1/files", "/api/v1/files?perPage=10&state=quarantined", token: viewer, status: 200)
        try check("GET", "/api/v1/files", "/api/v1/files?from=yesterday", token: viewer, status: 400)
        try check("GET", "/api/v1/files", "/api/v1/files", token: nil, status: 401)
        try check("GET", "/api/v1/quarantine", "/api/v1/quarantine", token: viewer, status: 200)
        try check("GET", "/api/v1/files/{id}", "/api/v1/files/\(id)", token: viewer, status: 200)
        try check("GET", "/api/v1/files/{id}", "/api/v1/files/424242", token: viewer, status: 404)
        try check("GET", "/api/v1/files/{id}/preview", "/api/v1/files/\(id)/preview", token: viewer, status: 200)
        try check("POST", "/api/v1/files/{id}/retry", "/api/v1/files/\(id)/retry", token: viewer, status: 403)
        try check("POST", "/api/v1/files/{id}/retry", "/api/v1/files/\(id)/retry", token: op, status: 200)
        try check("GET", "/api/v1/files/{id}/replay", "/api/v1/files/\(archived)/replay", token: viewer, status: 200)
        try check("GET", "/api/v1/files/{id}/replay", "/api/v1/files/\(id)/replay", token: viewer, status: 409)
        try check("GET", "/api/v1/channels", "/api/v1/channels", token: viewer, status: 200)
        try check("POST", "/api/v1/channels/{partner}/{channel}/disable", "/api/v1/channels/bank/statements/disable", token: op, status: 200)
        try check("POST", "/api/v1/channels/{partner}/{channel}/enable", "/api/v1/channels/bank/statements/enable", token: op, status: 200)
        try check("POST", "/api/v1/channels/{partner}/{channel}/enable", "/api/v1/channels/bank/none/enable", token: op, status: 404)
        try check("GET", "/api/v1/outbound", "/api/v1/outbound", token: viewer, status: 200)
        try check("GET", "/api/v1/dead-letters", "/api/v1/dead-letters", token: viewer, status: 200)
        try check("POST", "/api/v1/dead-letters/{id}/retry", "/api/v1/dead-letters/77/retry", token: op, status: 404)
        try check("GET", "/api/v1/einvoices", "/api/v1/einvoices?state=queued", token: viewer, status: 200)
        try check("GET", "/api/v1/x12/groups", "/api/v1/x12/groups", token: viewer, status: 200)
        try check("GET", "/api/v1/breakers", "/api/v1/breakers", token: viewer, status: 200)
        try check("GET", "/api/v1/audit", "/api/v1/audit?limit=5", token: viewer, status: 200)
        try check("GET", "/api/v1/reconciliation", "/api/v1/reconciliation", token: viewer, status: 200)
        try check("GET", "/api/v1/reconciliation", "/api/v1/reconciliation?from=2026-01-01&to=2026-03-01", token: viewer, status: 400)
        try check("GET", "/api/v1/reconciliation", "/api/v1/reconciliation", token: nil, status: 401)
        XCTAssertEqual(served.subtracting(checked), [], "routes whose answer was not checked")
    }
}

/// The part of JSON Schema (OpenAPI 3.0) that docs/openapi.yaml uses: $ref, type, nullable,
/// required, properties (others refused unless additionalProperties), items, enum, date-time.
struct SchemaValidator {
    let spec: [String: Any]

    func resolve(_ ref: String) -> [String: Any] {
        var node: Any = spec
        for part in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] as Any }
        return node as? [String: Any] ?? [:]
    }

    func validate(_ value: Any, _ schemaAny: Any, at path: String) -> [String] {
        guard var schema = schemaAny as? [String: Any] else { return ["\(path): no schema"] }
        if let ref = schema["$ref"] as? String { schema = resolve(ref) }
        if value is NSNull { return schema["nullable"] as? Bool == true ? [] : ["\(path): null, not nullable"] }
        if let values = schema["enum"] as? [Any], !values.contains(where: { "\($0)" == "\(value)" }) { return ["\(path): \(value) not in \(values)"] }
        switch schema["type"] as? String {
        case "object":
            guard let object = value as? [String: Any] else { return ["\(path): not an object"] }
            var problems = [String]()
            for key in (schema["required"] as? [String]) ?? [] where object[key] == nil { problems.append("\(path).\(key): missing") }
            let properties = (schema["properties"] as? [String: Any]) ?? [:]
            for (key, v) in object {
                if let p = properties[key] { problems += validate(v, p, at: "\(path).\(key)") }
                else if let extra = schema["additionalProperties"] as? [String: Any] { problems += validate(v, extra, at: "\(path).\(key)") }
                else if schema["additionalProperties"] as? Bool != true { problems.append("\(path).\(key): not documented") }
            }
            return problems
        case "array":
            guard let array = value as? [Any] else { return ["\(path): not an array"] }
            return array.enumerated().flatMap { validate($0.element, schema["items"] as Any, at: "\(path)[\($0.offset)]") }
        case "string":
            guard let s = value as? String else { return ["\(path): not a string"] }
            if schema["format"] as? String == "date-time", ISO8601DateFormatter().date(from: s) == nil { return ["\(path): \(s) is not a date-time"] }
            return []
        case "integer":
            guard let n = value as? NSNumber, n.stringValue.allSatisfy({ $0.isNumber || $0 == "-" }), n.stringValue != "true", n.stringValue != "false" else { return ["\(path): not an integer"] }
            return []
        case "boolean":
            return value is Bool ? [] : ["\(path): not a boolean"]
        default:
            return []
        }
    }
}
