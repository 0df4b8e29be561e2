import Foundation
import Canonical
import Yams

/// Reads posting rule files: every `*.yaml` in the rules directory except `ledger.yaml`,
/// in file-name order (the first rule that fits a record posts it).
enum RuleLoader {
    static func loadAll(directory: String) throws -> [PostingRule] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw PostingError(.badRule, "cannot read the rules directory \(directory): \(error.localizedDescription)")
        }
        return try names.filter { $0.hasSuffix(".yaml") && $0 != PostingSettings.fileName }.sorted().map { name in
            let text = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
            return try load(id: String(name.dropLast(5)), yaml: text)
        }
    }

    static func load(id: String, yaml: String) throws -> PostingRule {
        func fail(_ message: String, _ node: Yams.Node?) -> PostingError {
            let at = node?.mark.map { "line \($0.line): " } ?? ""
            return PostingError(.badRule, at + message, rule: id)
        }
        let root: Yams.Node
        do {
            guard let r = try Yams.compose(yaml: yaml), r.mapping != nil else { throw fail("not a YAML mapping", nil) }
            root = r
        } catch let e as PostingError { throw e } catch { throw fail("not valid YAML: \(error)", nil) }

        guard let typeText = root["type"]?.string, let type = RecordType(rawValue: typeText),
              [.invoice, .payment, .statement].contains(type) else {
            throw fail("`type` must be invoice, payment or statement", root["type"] ?? root)
        }
        guard let entry = root["entry"], entry.mapping != nil else { throw fail("missing `entry` section", root) }
        guard let prefix = entry["prefix"]?.string, !prefix.isEmpty else { throw fail("missing `entry.prefix`", entry) }
        guard let datePath = entry["date"]?.string else { throw fail("missing `entry.date` (the path of the document date)", entry) }
        guard let descriptionNode = entry["description"] else { throw fail("missing `entry.description`", entry) }

        let kinds = Set((root["kinds"]?.sequence ?? []).compactMap(\.string))
        var lineMatch: LineMatch?
        if let m = root["match"] {
            let codes = (m["transactionCodes"]?.sequence ?? []).compactMap(\.string)
            if codes.isEmpty { throw fail("`match.transactionCodes` needs at least one code", m) }
            var sign: LineMatch.Sign?
            if let s = m["sign"] {
                guard let v = s.string.flatMap(LineMatch.Sign.init(rawValue:)) else { throw fail("`match.sign` must be credit or debit", s) }
                sign = v
            }
            lineMatch = LineMatch(transactionCodes: codes, sign: sign)
        }
        if type == .statement && lineMatch == nil { throw fail("a statement rule needs `match` (which lines it posts)", root) }

        let reverses = root["reverses"]?.string
        var lines = [LineRule]()
        for node in root["lines"]?.sequence ?? [] {
            lines.append(try lineRule(node, fail: fail))
        }
        if reverses == nil && lines.count < 2 { throw fail("an entry needs at least two `lines`", root["lines"] ?? root) }
        if reverses != nil && !lines.isEmpty { throw fail("a reversal rule takes its lines from the original entry; remove `lines`", root["lines"]) }

        return PostingRule(id: id, type: type, kinds: kinds, lineMatch: lineMatch, prefix: prefix, datePath: datePath,
                           description: try textRule(descriptionNode, fail: fail),
                           documentKey: try entry["documentKey"].map { try textRule($0, fail: fail) },
                           reverses: reverses, lines: lines, tables: try tables(root["tables"], fail: fail))
    }

    static func tables(_ node: Yams.Node?, fail: (String, Yams.Node?) -> PostingError) throws -> [String: [String: String]] {
        guard let node else { return [:] }
        guard let mapping = node.mapping else { throw fail("`tables` must map table names to key: value tables", node) }
        var out = [String: [String: String]]()
        for (name, table) in mapping {
            guard let tableName = name.string, let entries = table.mapping else { throw fail("table must be a map of key: value", table) }
            var values = [String: String]()
            for (k, v) in entries {
                guard let key = k.string, let value = v.string else { throw fail("table \(tableName): keys and values must be text", v) }
                values[key] = value
            }
            out[tableName] = values
        }
        return out
    }

    private static func lineRule(_ node: Yams.Node, fail: (String, Yams.Node?) -> PostingError) throws -> LineRule {
        guard node.mapping != nil else { throw fail("a line must be a map with account and debit or credit", node) }
        guard let account = node["account"] else { throw fail("a line needs `account`", node) }
        let side: LineRule.Side
        let amountNode: Yams.Node
        switch (node["debit"], node["credit"]) {
        case (let d?, nil): side = .debit; amountNode = d
        case (nil, let c?): side = .credit; amountNode = c
        default: throw fail("a line needs exactly one of `debit` and `credit`", node)
        }
        return LineRule(account: try textRule(account, fail: fail), side: side, amount: try amountRule(amountNode, fail: fail),
                        costCentre: try node["costCentre"].map { try textRule($0, fail: fail) },
                        description: try node["description"].map { try textRule($0, fail: fail) })
    }

    private static func textRule(_ node: Yams.Node, fail: (String, Yams.Node?) -> PostingError) throws -> TextRule {
        if let text = node.string { return .template(text) }
        guard let table = node["lookup"]?.string, let key = node["key"]?.string else {
            throw fail("expected a text (with {path} placeholders) or { lookup: TABLE, key: \"{path}\", default: X }", node)
        }
        return .lookup(table: table, key: key, fallback: node["default"]?.string)
    }

    private static func amountRule(_ node: Yams.Node, fail: (String, Yams.Node?) -> PostingError) throws -> AmountRule {
        if let path = node.string { return AmountRule(path: path) }
        guard let path = node["path"]?.string else { throw fail("an amount is a path or { path: P, abs: true, negate: true }", node) }
        return AmountRule(path: path, absolute: node["abs"]?.bool ?? false, negate: node["negate"]?.bool ?? false)
    }
}
