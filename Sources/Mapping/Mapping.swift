import Foundation
import Canonical
import FormatKit
import Yams

/// One mapping file: how a unit of one format becomes one canonical record (docs/MAPPINGS.md).
public struct Mapping: Sendable {
    public let id: String
    public let file: String
    public let format: String
    public let type: RecordType
    public let isDefault: Bool
    /// `inbound`: a format's unit → a canonical record. `outbound`: a canonical record → table rows
    /// for a tabular writer (CSV out), one row per record or per node at `rows`.
    public let direction: Direction
    public enum Direction: String, Sendable { case inbound, outbound }
    let rows: SourcePath?
    /// Reader options this mapping needs (`delimiter`, `header`, `group`…), as strings.
    public let options: [String: String]
    let match: [(path: SourcePath, values: Set<String>)]
    let fields: [FieldRule]
    let extra: [FieldRule]
    /// Whether records are written straight as JSON bytes (`writeLine`), decided when loaded.
    let writesDirectly: Bool

    /// Whether this mapping applies to the unit (all `match` conditions hold).
    public func matches(_ unit: FormatKit.Node) -> Bool {
        match.allSatisfy { m in
            m.path.value(from: unit, root: unit).map { m.values.contains($0.text.trimmed) } ?? false
        }
    }

    /// Maps a unit to its canonical record; the id comes from the source's hash and index.
    public func apply(to unit: FormatKit.Node, source: RecordSource) throws(MappingError) -> Record {
        try record(from: try map(unit), source: source)
    }

    /// A unit's mapped values, before they are typed: the body's fields and `extra`.
    public struct Mapped {
        public let body: JSONObject
        public let extra: JSONObject
        let line: Int
    }

    /// Evaluates the rules on a unit (every mapping error is raised here).
    public func map(_ unit: FormatKit.Node) throws(MappingError) -> Mapped {
        let eval = Evaluation(mapping: id, root: unit)
        return Mapped(body: try eval.object(fields, at: unit, prefix: ""), extra: try eval.object(extra, at: unit, prefix: "extra"),
                      line: unit.line)
    }

    /// The typed record of mapped values (the contract checked by decoding).
    public func record(from mapped: Mapped, source: RecordSource) throws(MappingError) -> Record {
        var object = JSONObject()
        object["schema"] = .string(Record.schema)
        object["type"] = .string(type.rawValue)
        object["id"] = .string(source.recordID)
        for (k, v) in mapped.body.pairs { object[k] = v }
        if !mapped.extra.isEmpty { object["extra"] = .object(mapped.extra) }
        do {
            var record = try JSONValueDecoder.decode(Record.self, from: .object(object))
            record.source = source
            return record
        } catch {
            throw MappingError(mapping: id, field: "record", message: "the mapped \(type.rawValue) is incomplete: \(JSONLines.describe(error))",
                               line: mapped.line > 0 ? mapped.line : nil, column: nil)
        }
    }

    /// Writes the mapped record as its canonical JSON line straight into `out` (see
    /// `RecordSchema.writeLine`); false when it must take the typed path (`record(from:source:)`),
    /// because the record misses the contract or the mapping writes fields the schema does not list.
    public func writeLine(_ mapped: Mapped, source: RecordSource, head: inout RecordSchema.LineHead, to out: inout [UInt8]) -> Bool {
        writesDirectly && RecordSchema.writeLine(type: type, source: source, body: mapped.body, extra: mapped.extra, head: &head, to: &out)
    }

    /// Whether every field the rules write is in the record schema (and not `schema`, `type`, `id`, `source`).
    static func known(_ rules: [FieldRule], in fields: [RecordSchema.Field]) -> Bool {
        rules.allSatisfy { r in
            guard let kind = RecordSchema.knows(r.target, in: fields) else { return false }
            var shape = kind
            if r.rule.each != nil {
                guard case .array(let element) = kind else { return false }
                shape = element
            }
            guard let record = r.rule.record else { return true }
            switch shape {
            case .object(let inner): return known(record, in: inner)
            case .anyObject: return true
            default: return false
            }
        }
    }
}

// MARK: - Outbound

extension Mapping {
    /// The column names, in the order the mapping lists them.
    public var columns: [String] { fields.map(\.name) }

    /// An outbound mapping's rows for one canonical record (columns as `columns`).
    public func rows(for record: Record) throws(MappingError) -> [[String]] {
        let root: Node
        do { root = Node.fromJSON(try OrderedJSONEncoder.encode(record), name: "record") } catch {
            throw MappingError(mapping: id, field: "record", message: "cannot read record \(record.id): \(error)")
        }
        let eval = Evaluation(mapping: id, root: root)
        let nodes = rows.map { $0.select(from: root, root: root) } ?? [root]
        return try nodes.map { (node) throws(MappingError) -> [String] in
            let object = try eval.object(fields, at: node, prefix: "")
            return fields.map { f in
                switch object[f.name] ?? .null {
                case .string(let s), .number(let s): return s
                case .bool(let b): return b ? "true" : "false"
                default: return ""
                }
            }
        }
    }
}

extension FormatKit.Node {
    /// A JSON value as a document tree: object keys become children, array elements repeat the key.
    static func fromJSON(_ value: JSONValue, name: String) -> FormatKit.Node {
        switch value {
        case .object(let o):
            var n = FormatKit.Node(name)
            for (k, v) in o.pairs {
                if case .array(let items) = v { for item in items { n.append(fromJSON(item, name: k)) } }
                else { n.append(fromJSON(v, name: k)) }
            }
            return n
        case .array(let items): return FormatKit.Node(name, children: items.map { fromJSON($0, name: name) })
        case .string(let s), .number(let s): return FormatKit.Node(name, value: s)
        case .bool(let b): return FormatKit.Node(name, value: b ? "true" : "false")
        case .null: return FormatKit.Node(name)
        }
    }
}

// MARK: - Loading

extension Mapping {
    /// Parses one mapping file; `base` resolves `extends`.
    static func load(id: String, file: String, yaml: String, base: (String) throws -> Yams.Node?) throws -> Mapping {
        func defError(_ msg: String, _ node: Yams.Node?) -> MappingDefinitionError {
            MappingDefinitionError(msg, file: file, line: node?.mark.map { $0.line })
        }
        guard var root = try Yams.compose(yaml: yaml), root.mapping != nil else { throw defError("not a YAML mapping", nil) }
        if let parentID = root["extends"]?.string {
            guard let parent = try base(parentID) else { throw defError("extends \"\(parentID)\", which does not exist", root["extends"]) }
            root = merge(parent, root)
        }
        guard let format = root["format"]?.string else { throw defError("missing `format`", root) }
        guard let typeName = root["type"]?.string, let type = RecordType(rawValue: typeName) else {
            throw defError("missing or unknown `type` (known: \(RecordType.allCases.map(\.rawValue).joined(separator: ", ")))", root["type"])
        }
        let compiler = RuleCompiler(file: file)
        var options = [String: String]()
        for (k, v) in root["options"]?.mapping ?? [:] {
            options[k.string ?? ""] = v.sequence.map { $0.compactMap(\.string).joined(separator: ",") } ?? v.string
        }
        var match = [(SourcePath, Set<String>)]()
        for (k, v) in root["match"]?.mapping ?? [:] {
            let values = v.sequence.map { Set($0.compactMap(\.string)) } ?? Set([v.string ?? ""])
            match.append((try compiler.path(k.string ?? "", k), values))
        }
        guard let record = root["record"] else { throw defError("missing `record`", root) }
        let direction = Direction(rawValue: root["direction"]?.string ?? "inbound")
        guard let direction else { throw defError("`direction` is inbound or outbound", root["direction"]) }
        let fields = try compiler.fields(record)
        return Mapping(id: id, file: file, format: format, type: type,
                       isDefault: root["default"]?.bool ?? false, direction: direction,
                       rows: try root["rows"]?.string.map { try compiler.path($0, root["rows"]) },
                       options: options, match: match,
                       fields: fields, extra: try root["extra"].map(compiler.fields) ?? [],
                       writesDirectly: direction == .inbound && known(fields, in: RecordSchema.fields(of: type)))
    }

    /// `child` over `parent`, key by key (nested maps merged; other values replaced). `default`
    /// is never inherited: an extending mapping is a default only if it says so.
    static func merge(_ parent: Yams.Node, _ child: Yams.Node) -> Yams.Node {
        guard case .mapping(var merged) = mergeMaps(parent, child) else { return child }
        merged["default"] = child["default"] ?? Yams.Node("false")
        return .mapping(merged)
    }

    /// A rule that names its own source (`path`, `paths`, `const`, `concat`) replaces the parent's
    /// rule whole, so a dialect's `{path: …, regex: …}` is not mixed with the default's `concat`.
    private static func mergeMaps(_ parent: Yams.Node, _ child: Yams.Node) -> Yams.Node {
        guard var p = parent.mapping, let c = child.mapping else { return child }
        for (k, v) in c where k.string != "extends" && k.string != "default" {
            let isRule = ["path", "paths", "const", "concat"].contains { v.mapping?[$0] != nil }
            if let existing = p[k], existing.mapping != nil, v.mapping != nil, k.string != "lookup", !isRule {
                p[k] = mergeMaps(existing, v)
            } else {
                p[k] = v
            }
        }
        return .mapping(p)
    }
}

/// Turns the YAML of `record:` / `extra:` into rules, reporting mistakes with file and line.
struct RuleCompiler {
    let file: String

    func error(_ msg: String, _ node: Yams.Node?) -> MappingDefinitionError {
        MappingDefinitionError(msg, file: file, line: node?.mark.map { $0.line })
    }

    func path(_ text: String, _ node: Yams.Node?) throws -> SourcePath {
        do { return try SourcePath(text) } catch { throw self.error(error.message, node) }
    }

    func fields(_ node: Yams.Node) throws -> [FieldRule] {
        guard let m = node.mapping else { throw error("expected a map of canonical fields to rules", node) }
        return try m.map { k, v in
            guard let name = k.string, !name.isEmpty else { throw error("a field name must be a string", k) }
            return FieldRule(target: name.split(separator: ".").map(String.init), rule: try rule(v))
        }
    }

    static let knownKeys: Set<String> = ["path", "paths", "const", "concat", "separator", "default", "when", "trim", "regex",
                                         "substring", "lookup", "upper", "lower", "date", "time", "decimal", "negate", "as",
                                         "each", "record", "value"]

    func rule(_ node: Yams.Node) throws -> Rule {
        var r = Rule()
        if let s = node.string, node.mapping == nil {
            r.source = .path(try path(s, node))
            return r
        }
        guard let m = node.mapping else { throw error("a rule is a source path or a map", node) }
        for (k, _) in m where !RuleCompiler.knownKeys.contains(k.string ?? "") {
            throw error("unknown rule key \"\(k.string ?? "")\" (known: \(RuleCompiler.knownKeys.sorted().joined(separator: ", ")))", k)
        }
        if let p = m["path"]?.string { r.source = .path(try path(p, m["path"])) }
        if let ps = m["paths"]?.sequence { r.source = .paths(try ps.map { try path($0.string ?? "", $0) }) }
        if let c = m["const"] { r.source = .constant(c.string ?? "") }
        if let parts = m["concat"]?.sequence {
            r.source = .concat(try parts.map(rule), separator: m["separator"]?.string ?? " ")
        }
        r.defaultValue = m["default"]?.string
        if let w = m["when"] { r.when = try condition(w) }
        if let t = m["trim"]?.bool { r.trim = t }
        if let re = m["regex"]?.string {
            do { r.regex = try NSRegularExpression(pattern: re) } catch { throw self.error("regex \"\(re)\" does not compile", m["regex"]) }
        }
        if let sub = m["substring"]?.sequence, let start = sub.first?.int {
            r.substring = (start, sub.count > 1 ? sub[1].int : nil)
        }
        if let table = m["lookup"]?.mapping {
            var l = [String: String]()
            for (k, v) in table { l[k.string ?? ""] = v.string ?? "" }
            r.lookup = l
        }
        r.upper = m["upper"]?.bool ?? false
        r.lower = m["lower"]?.bool ?? false
        if let d = m["date"]?.string { r.date = DatePattern(pattern: d) }
        if let t = m["time"]?.string { r.time = TimePattern(pattern: t) }
        if let d = m["decimal"] {
            var spec = Rule.DecimalSpec()
            if let dm = d.mapping {
                if let s = dm["separator"]?.string { guard let b = s.utf8.first, s.utf8.count == 1 else { throw error("decimal separator must be one character", dm["separator"]) }; spec.separator = b }
                if let g = dm["grouping"]?.string, let b = g.utf8.first { spec.grouping = b }
                spec.scale = dm["scale"]?.int
            }
            r.decimal = spec
        }
        if let n = m["negate"] {
            r.negate = n.bool == true ? Condition(path: nil, test: .always) : (n.bool == false ? nil : try condition(n))
        }
        if let a = m["as"]?.string {
            guard a == "int" || a == "string" else { throw error("`as` is int or string", m["as"]) }
            r.asInt = a == "int"
        }
        if let e = m["each"]?.string { r.each = try path(e, m["each"]) }
        if let rec = m["record"] { r.record = try fields(rec) }
        if let v = m["value"] { r.value = [try rule(v)] }
        if r.each != nil && r.record == nil && r.value == nil { throw error("`each` needs `record` (objects) or `value` (plain values)", node) }
        return r
    }

    func condition(_ node: Yams.Node) throws -> Condition {
        guard let m = node.mapping, let p = m["path"]?.string else { throw error("a condition is {path: P, equals|in|present|absent: …}", node) }
        let test: Condition.Test
        if let e = m["equals"] { test = .equals([e.string ?? ""]) }
        else if let list = m["in"]?.sequence { test = .equals(Set(list.compactMap(\.string))) }
        else if m["present"]?.bool == true { test = .present }
        else if m["absent"]?.bool == true { test = .absent }
        else { throw error("a condition needs equals, in, present or absent", node) }
        return Condition(path: try path(p, m["path"]), test: test)
    }
}

/// All mapping files under a folder, by id (`csv/bank-statement`).
public struct MappingLibrary: Sendable {
    public let directory: String
    public private(set) var mappings: [String: Mapping] = [:]

    /// Loads every `*.yaml` under `directory` that has a `record:` section (other YAML, such as
    /// posting rules, lives there too and is skipped). All mistakes are reported at once, each with
    /// its file and line. `copy`: read the files from this copy of the folder instead (the gateway's
    /// mappings in use), while errors and `directory` still name the folder itself.
    public init(directory: String, readingFrom copy: String? = nil) throws {
        self.directory = directory
        let fm = FileManager.default
        var sources = [String: (file: String, yaml: String)]()
        if let walker = fm.enumerator(atPath: copy ?? directory) {
            for case let rel as String in walker where rel.hasSuffix(".yaml") || rel.hasSuffix(".yml") {
                let file = directory + "/" + rel
                guard let yaml = try? String(contentsOfFile: (copy ?? directory) + "/" + rel, encoding: .utf8) else { continue }
                guard yaml.range(of: "^record:", options: .regularExpression) != nil
                        || yaml.contains("\nrecord:") || yaml.hasPrefix("record:") else { continue }
                let id = String(rel.prefix(upTo: rel.lastIndex(of: ".")!))
                sources[id] = (file, yaml)
            }
        }
        var problems = [String]()
        var loaded = [String: Mapping]()
        for id in sources.keys.sorted() {
            do {
                loaded[id] = try MappingLibrary.load(id: id, sources: sources, seen: [])
            } catch let e as MappingDefinitionError where e.file != nil {
                problems.append("\(e)")
            } catch {
                problems.append("\(sources[id]!.file): \(error)")   // a YAML syntax error: its position, not its file
            }
        }
        if !problems.isEmpty { throw MappingDefinitionError(problems.joined(separator: "\n")) }
        mappings = loaded
    }

    private static func load(id: String, sources: [String: (file: String, yaml: String)], seen: Set<String>) throws -> Mapping {
        guard let src = sources[id] else { throw MappingDefinitionError("no mapping \"\(id)\"") }
        return try Mapping.load(id: id, file: src.file, yaml: src.yaml) { parent in
            guard !seen.contains(parent), parent != id else { throw MappingDefinitionError("`extends` makes a cycle through \"\(parent)\"", file: src.file) }
            guard let p = sources[parent] else { return nil }
            // Resolve the parent's own `extends` first, then hand back its merged YAML.
            _ = try load(id: parent, sources: sources, seen: seen.union([id]))
            return try resolvedYAML(parent, sources: sources, seen: seen.union([id]))
                ?? Yams.compose(yaml: p.yaml)
        }
    }

    private static func resolvedYAML(_ id: String, sources: [String: (file: String, yaml: String)], seen: Set<String>) throws -> Yams.Node? {
        guard let src = sources[id], let node = try Yams.compose(yaml: src.yaml) else { return nil }
        if let parent = node["extends"]?.string, !seen.contains(parent), let p = try resolvedYAML(parent, sources: sources, seen: seen.union([id])) {
            return Mapping.merge(p, node)
        }
        return node
    }

    /// A mapping by id; the error lists what exists.
    public func mapping(named id: String) throws -> Mapping {
        if let m = mappings[id] { return m }
        throw MappingDefinitionError("no mapping \"\(id)\" in \(directory) (known: \(mappings.keys.sorted().joined(separator: ", ")))")
    }

    /// The default mappings of a format, most specific (most `match` conditions) first.
    public func defaults(format: String) -> [Mapping] {
        mappings.values.filter { $0.format == format && $0.isDefault }.sorted { ($0.match.count, $1.id) > ($1.match.count, $0.id) }
    }

    /// The first default mapping of `format` whose conditions the unit meets.
    public func defaultMapping(format: String, unit: FormatKit.Node) -> Mapping? {
        defaults(format: format).first { $0.matches(unit) }
    }
}
