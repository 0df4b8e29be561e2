import Foundation
import Synchronization
import Yams

/// An implementation grammar of one transaction set in one version, loaded from YAML
/// (`mappings/x12/grammar/<set>.<version>.yaml`): the segments in order, each with its requirement
/// (`M` mandatory, `O` optional) and maximum use, loops with their repeat counts, and per segment
/// its elements: requirement, data type (`ID`, `AN`, `N0`…`N9`, `R`, `DT`, `TM`), minimum and
/// maximum length and, for qualifiers the mappings read, the code list.
///
/// ```yaml
/// set: "850"
/// version: "004010"
/// segments:
///   - { id: BEG, req: M, max: 1, elements: [[M, ID, 2, 2, ["00", "05"]], [M, ID, 2, 2], [M, AN, 1, 22]] }
///   - { loop: N1, req: O, max: 200, segments: [ { id: N1, … }, { id: N3, … } ] }
/// ```
///
/// A partner's companion guide narrows a grammar in a file of its own that names the grammar it
/// `extends` and overrides, by segment ID, a segment's `req`/`max` and, by element position, an
/// element's `req`, `min`, `max` and `codes` (`narrow: { BEG: { elements: { "03": { max: 10 } } } }`).
public struct X12Grammar: Sendable {
    public struct Element: Sendable {
        public var mandatory: Bool
        public var type: String
        public var min: Int
        public var max: Int
        public var codes: Set<String>?
    }

    public struct Segment: Sendable {
        public var id: String
        public var mandatory: Bool
        public var maxUse: Int
        /// The first elements, as the standard defines them (later ones are not checked).
        public var elements: [Element]
        /// How many elements the standard defines (`count:`); more is AK403 `3`. Nil: not checked.
        public var elementCount: Int?
    }

    public indirect enum Item: Sendable {
        case segment(Segment)
        case loop(id: String, mandatory: Bool, maxRepeat: Int, items: [Item])

        var firstID: String {
            switch self {
            case .segment(let s): s.id
            case .loop(_, _, _, let items): items.first?.firstID ?? ""
            }
        }
        var mandatory: Bool {
            switch self { case .segment(let s): s.mandatory; case .loop(_, let m, _, _): m }
        }
    }

    public var set: String
    public var version: String
    /// ST through SE.
    public var items: [Item]
    /// The element that names the document a fault lies in (`BEG03`, the purchase order number),
    /// `businessUnit:` in the file: a 999 names it in a CTX after each IK3 that follows it.
    public var businessUnit: (segment: String, position: Int)?

    /// Every segment ID the grammar defines, anywhere.
    var allIDs: Set<String> {
        func ids(_ items: [Item]) -> [String] {
            items.flatMap { item -> [String] in
                switch item { case .segment(let s): [s.id]; case .loop(_, _, _, let inner): ids(inner) }
            }
        }
        return Set(ids(items))
    }
}

public struct X12GrammarError: Error, CustomStringConvertible {
    public var description: String
}

/// The grammars of a folder, by `<set>.<version>` (`850.004010`); companion guides by file name.
public struct X12Grammars: Sendable {
    public private(set) var grammars: [String: X12Grammar] = [:]

    public init(grammars: [String: X12Grammar] = [:]) { self.grammars = grammars }

    /// Loads every `*.yaml` in `directory` (plain grammars first, then those that `extend` one).
    public init(directory: String) throws {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory))?.filter { $0.hasSuffix(".yaml") }.sorted() ?? []
        var nodes: [String: Yams.Node] = [:]
        for file in files {
            guard let node = try Yams.compose(yaml: String(contentsOfFile: directory + "/" + file, encoding: .utf8)) else { continue }
            nodes[String(file.dropLast(5))] = node
        }
        for (name, node) in nodes where node["extends"] == nil { grammars[name] = try Self.parse(node, file: name) }
        for (name, node) in nodes {
            guard let parent = node["extends"]?.string else { continue }
            guard var base = grammars[parent] else { throw X12GrammarError(description: "\(name): extends \(parent), which does not exist") }
            try Self.narrow(&base, node["narrow"], file: name)
            grammars[name] = base
        }
    }

    /// The grammars of `directory`, loaded once per process and again when a file in it changes
    /// (the gateway reads every X12 file of a channel with `grammars:` through this).
    public static func cached(directory: String) throws -> X12Grammars {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw X12GrammarError(description: "grammar folder \(directory) does not exist")
        }
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
        let stamp = files.map { name -> String in
            let a = try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)
            return "\(name):\((a?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0):\(a?[.size] ?? 0)"
        }.joined(separator: "|")
        if let hit = cache.withLock({ $0[directory] }), hit.stamp == stamp { return hit.grammars }
        let grammars = try X12Grammars(directory: directory)
        cache.withLock { $0[directory] = (stamp, grammars) }
        return grammars
    }

    private static let cache = Mutex<[String: (stamp: String, grammars: X12Grammars)]>([:])

    /// The grammar for a set in a group version (`004010`, `005010X222A1` → `005010`), with a
    /// partner's companion guide (`<set>.<version>.<partner>`) when there is one.
    public func grammar(set: String, version: String, partner: String = "") -> X12Grammar? {
        let v = String(version.prefix(6))
        return (partner.isEmpty ? nil : grammars["\(set).\(v).\(partner)"]) ?? grammars["\(set).\(v)"]
    }

    static func parse(_ node: Yams.Node, file: String) throws -> X12Grammar {
        guard let set = node["set"]?.string, let version = node["version"]?.string, let segments = node["segments"]?.sequence else {
            throw X12GrammarError(description: "\(file): needs set, version and segments")
        }
        var grammar = X12Grammar(set: set, version: version, items: try segments.map { try item($0, file) })
        if let unit = node["businessUnit"]?.string {
            guard unit.count >= 4, let position = Int(unit.suffix(2)), position > 0 else {
                throw X12GrammarError(description: "\(file): businessUnit \"\(unit)\" is not a segment ID and a two-digit element position (BEG03)")
            }
            grammar.businessUnit = (String(unit.dropLast(2)), position)
        }
        return grammar
    }

    static func item(_ node: Yams.Node, _ file: String) throws -> X12Grammar.Item {
        let mandatory = node["req"]?.string == "M"
        if let loop = node["loop"]?.string {
            guard let inner = node["segments"]?.sequence, !inner.isEmpty else { throw X12GrammarError(description: "\(file): loop \(loop) has no segments") }
            return .loop(id: loop, mandatory: mandatory, maxRepeat: node["max"]?.int ?? 1, items: try inner.map { try item($0, file) })
        }
        guard let id = node["id"]?.string else { throw X12GrammarError(description: "\(file): a segment needs an id") }
        let elements = try (node["elements"]?.sequence ?? []).map { e -> X12Grammar.Element in
            guard let f = e.sequence, f.count >= 4, let type = f[1].string, let min = f[2].int, let max = f[3].int else {
                throw X12GrammarError(description: "\(file): \(id) element \(e) is not [req, type, min, max, codes?]")
            }
            let codes = f.count > 4 ? f[4].sequence.map { Set($0.compactMap(\.string)) } : nil
            return X12Grammar.Element(mandatory: f[0].string == "M", type: type, min: min, max: max, codes: codes)
        }
        return .segment(X12Grammar.Segment(id: id, mandatory: mandatory, maxUse: node["max"]?.int ?? 1, elements: elements,
                                           elementCount: node["count"]?.int))
    }

    /// Applies a companion guide's `narrow:` overrides, by segment ID.
    static func narrow(_ grammar: inout X12Grammar, _ narrow: Yams.Node?, file: String) throws {
        guard let map = narrow?.mapping else { return }
        // Each key narrows the first segment (or loop) of that ID in table order, as a guide's
        // page for a segment describes its first position.
        var done: Set<String> = []
        func apply(_ items: inout [X12Grammar.Item]) {
            for i in items.indices {
                switch items[i] {
                case .segment(var s):
                    guard !done.contains(s.id), let o = map[Yams.Node(s.id)] else { continue }
                    done.insert(s.id)
                    if let r = o["req"]?.string { s.mandatory = r == "M" }
                    if let m = o["max"]?.int { s.maxUse = m }
                    for (k, v) in o["elements"]?.mapping ?? [:] {
                        guard let p = k.string.flatMap({ Int($0) }), p >= 1, p <= s.elements.count else { continue }
                        if let r = v["req"]?.string { s.elements[p - 1].mandatory = r == "M" }
                        if let m = v["min"]?.int { s.elements[p - 1].min = m }
                        if let m = v["max"]?.int { s.elements[p - 1].max = m }
                        if let c = v["codes"]?.sequence { s.elements[p - 1].codes = Set(c.compactMap(\.string)) }
                    }
                    items[i] = .segment(s)
                case .loop(let id, var m, var r, var inner):
                    // A loop is named by its first segment: `N1: { req: M, max: 2 }` narrows the loop too.
                    let first = !done.contains(id)
                    if first, let o = map[Yams.Node(id)] {
                        if let req = o["req"]?.string { m = req == "M" }
                        if let max = o["max"]?.int { r = max }
                    }
                    apply(&inner)  // narrows the loop's own first segment of that ID too, then marks it done
                    items[i] = .loop(id: id, mandatory: m, maxRepeat: r, items: inner)
                }
            }
        }
        apply(&grammar.items)
    }
}
