import FormatKit

/// A path into a unit's document tree: `N1[01=ST]/02`, `REF[01=PO|CO]/02`, `PO1[2]`, `*`, `.`,
/// and a leading `/` to start from the unit's root inside an `each`.
struct SourcePath: Sendable, CustomStringConvertible {
    struct Step: Sendable {
        var name: String                // "*" for any
        var index: Int?                 // 1-based
        var predicates: [(child: String, values: Set<String>)]
        let isWildcard: Bool

        init(name: String) { self.name = name; index = nil; predicates = []; isWildcard = name == "*" }
    }

    let text: String
    let absolute: Bool
    let steps: [Step]

    var description: String { text }

    init(_ text: String) throws(MappingDefinitionError) {
        self.text = text
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        absolute = body.hasPrefix("/")
        if absolute { body = body.dropFirst() }
        var steps = [Step]()
        for raw in SourcePath.splitSteps(body) where raw != "." && !raw.isEmpty {
            guard let open = raw.firstIndex(of: "[") else {
                steps.append(Step(name: String(raw)))
                continue
            }
            var step = Step(name: String(raw[..<open]))
            var rest = raw[open...]
            while rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { throw MappingDefinitionError("path \"\(text)\": missing ]") }
                let inner = rest[rest.index(after: rest.startIndex)..<close]
                if let eq = inner.firstIndex(of: "=") {
                    let values = inner[inner.index(after: eq)...].split(separator: "|", omittingEmptySubsequences: false).map { String($0) }
                    step.predicates.append((String(inner[..<eq]), Set(values)))
                } else if let n = Int(inner), n >= 1 {
                    step.index = n
                } else {
                    throw MappingDefinitionError("path \"\(text)\": [\(inner)] is neither child=value nor a 1-based index")
                }
                rest = rest[rest.index(after: close)...]
            }
            if !rest.isEmpty { throw MappingDefinitionError("path \"\(text)\": unexpected \"\(rest)\"") }
            steps.append(step)
        }
        self.steps = steps
    }

    /// Splits on `/` outside brackets (predicate values may contain `/`).
    private static func splitSteps(_ s: Substring) -> [Substring] {
        var out = [Substring]()
        var depth = 0
        var start = s.startIndex
        for i in s.indices {
            switch s[i] {
            case "[": depth += 1
            case "]": depth -= 1
            case "/" where depth == 0:
                out.append(s[start..<i]); start = s.index(after: i)
            default: break
            }
        }
        out.append(s[start...])
        return out
    }

    /// Every node the path reaches from `node` (or from `root` when absolute), in document order.
    func select(from node: Node, root: Node) -> [Node] {
        var out = [Node]()
        collect(absolute ? root : node, step: 0, into: &out)
        return out
    }

    /// The first reached node that has a value (a node with children but no value is passed over),
    /// found depth-first without collecting the others: the mapping's hot path (it reads the
    /// children in place, copying no node).
    func value(from node: Node, root: Node) -> Rule.Located? {
        first(absolute ? root : node, step: 0)
    }

    private func collect(_ n: Node, step: Int, into out: inout [Node]) {
        if step == steps.count { out.append(n); return }
        let s = steps[step]
        var seen = 0
        for c in n.children where SourcePath.matches(c, s) {
            seen += 1
            if let i = s.index, seen != i { continue }
            collect(c, step: step + 1, into: &out)
            if s.index != nil { return }
        }
    }

    private func first(_ n: Node, step: Int) -> Rule.Located? {
        if step == steps.count { return n.value.map { Rule.Located(text: $0, line: n.line, column: n.column) } }
        let s = steps[step]
        return n.children.withUnsafeBufferPointer { children -> Rule.Located? in
            var seen = 0
            for i in children.indices {
                if !s.isWildcard && children[i].name != s.name { continue }
                if !s.predicates.isEmpty && !SourcePath.matches(children[i], s) { continue }
                seen += 1
                if let index = s.index, seen != index { continue }
                if let found = first(children[i], step: step + 1) { return found }
                if s.index != nil { return nil }
            }
            return nil
        }
    }

    private static func matches(_ c: Node, _ step: Step) -> Bool {
        (step.isWildcard || c.name == step.name) && step.predicates.allSatisfy { p in
            c.children.contains { $0.name == p.child && p.values.contains(($0.value ?? "").trimmed) }
        }
    }
}

extension String {
    /// Without leading and trailing white space (and newlines); free when there is none, which is
    /// nearly always — the mapping trims every value it reads.
    var trimmed: String {
        guard let first = utf8.first, let last = utf8.last else { return self }
        func plain(_ b: UInt8) -> Bool { b > 32 && b < 128 }
        if plain(first) && plain(last) { return self }
        return trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
