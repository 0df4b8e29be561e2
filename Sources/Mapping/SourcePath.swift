import FormatKit

/// A path into a unit's document tree: `N1[01=ST]/02`, `REF[01=PO|CO]/02`, `PO1[2]`, `*`, `.`,
/// and a leading `/` to start from the unit's root inside an `each`.
struct SourcePath: Sendable, CustomStringConvertible {
    struct Step: Sendable {
        var name: String                // "*" for any
        var index: Int?                 // 1-based
        var predicates: [(child: String, values: Set<String>)]
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
                steps.append(Step(name: String(raw), index: nil, predicates: []))
                continue
            }
            var step = Step(name: String(raw[..<open]), index: nil, predicates: [])
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
        var current = [absolute ? root : node]
        for step in steps {
            var next = [Node]()
            for n in current {
                var matches = n.children.filter { c in
                    (step.name == "*" || c.name == step.name) && step.predicates.allSatisfy { p in
                        c.children.contains { $0.name == p.child && p.values.contains(($0.value ?? "").trimmed) }
                    }
                }
                if let i = step.index { matches = matches.count >= i ? [matches[i - 1]] : [] }
                next.append(contentsOf: matches)
            }
            current = next
            if current.isEmpty { break }
        }
        return current
    }

    /// The first reached node's value (a node with children but no value gives nil).
    func value(from node: Node, root: Node) -> (String, Node)? {
        for n in select(from: node, root: root) { if let v = n.value { return (v, n) } }
        return nil
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
