import Canonical
import FormatKit

/// Turns one transaction set into the unit tree a mapping reads:
///
/// ```
/// transaction
///   ISA  01…16         (the interchange header, elements exactly as sent, padding included)
///   GS   01…08
///   ST   01 02
///   BEG  01 02 03 …
///   N1   01 02 03 04   (a loop: its member segments are children of N1)
///     N3 01
///     N4 01 02 03
///   PO1  01 … ids/BP ids/VP …
///     PID 05
///   HL   01 03         (856: HL levels nest under their parent by HL02)
///     HL 01 02 03 …
///   SE   01 02
///   warning            (one per envelope rule bent, e.g. an ISA element read by its delimiters)
/// ```
///
/// Elements are children named by two-digit position (`BEG/03`); empty elements are left out.
/// A composite element keeps its whole text as value and gets its components as children `1`, `2`…
/// (`SLN/03/1`); a repeated element (5010 repetition separator) appears once per repetition.
/// Segments whose tail is product-ID qualifier/value pairs (PO1, IT1 from element 06, LIN from 02,
/// SLN from 09) also get an `ids` child with one child per qualifier: `PO1/ids/VP` is the vendor's
/// part number wherever the sender put the pair. PO1 and IT1 also get `extended`, the line's
/// quantity (element 02) times unit price (element 04), computed exactly.
struct X12TreeBuilder {
    static let productIDPairsStart: [String: Int] = ["PO1": 6, "IT1": 6, "LIN": 2, "SLN": 9]

    let delimiters: X12Delimiters

    func build(_ set: X12TransactionSet) -> Node {
        let (loops, top) = X12LoopRules.rules(for: set.segments.first?[1] ?? "")
        var nodes: [Node] = []
        var children: [[Int]] = [[]]  // children[0] is the root
        var stack: [(index: Int, rule: X12LoopRule?)] = []  // rule nil = an HL level
        var hlLevels: [String: Int] = [:]

        func add(_ segment: X12Segment, under parent: Int) -> Int {
            nodes.append(node(for: segment, splitComponents: segment.id != "BIN"))
            children.append([])
            let index = nodes.count
            children[parent].append(index)
            return index
        }

        for segment in set.segments {
            let id = segment.id
            if id == "HL" {
                let parent = hlLevels[segment[2]] ?? 0
                let index = add(segment, under: parent)
                hlLevels[segment[1]] = index
                stack = [(index, nil)]
                continue
            }
            // The innermost open loop that accepts this segment, as a member or as a child loop.
            var placed = false
            while let open = stack.last {
                let opensChild = open.rule.map { $0.childLoops.contains(id) } ?? X12LoopRules.hlChildLoops.contains(id)
                let isMember = open.rule.map { $0.members.contains(id) } ?? !X12LoopRules.hlExcluded.contains(id)
                if opensChild, let rule = loops[id] {
                    stack.append((add(segment, under: open.index), rule))
                    placed = true
                } else if isMember {
                    _ = add(segment, under: open.index)
                    placed = true
                }
                if placed { break }
                stack.removeLast()
            }
            if !placed {
                let index = add(segment, under: 0)
                if top.contains(id), let rule = loops[id] { stack = [(index, rule)] }
            }
        }

        func assemble(_ index: Int) -> Node {
            var n = nodes[index - 1]
            n.children += children[index].map(assemble)
            return n
        }
        var unit = Node("transaction", line: set.segments.first?.line ?? 0, column: set.segments.first?.column ?? 0)
        unit.append(node(for: set.interchangeHeader, splitComponents: false))
        unit.append(node(for: set.groupHeader))
        for w in set.warnings { unit.append(Node("warning", value: w.message, line: w.line ?? 0, column: w.column ?? 0)) }
        unit.children += children[0].map(assemble)
        return unit
    }

    /// A segment's node: its elements as children named `01`, `02`…
    func node(for segment: X12Segment, splitComponents: Bool = true) -> Node {
        var n = Node(segment.id, line: segment.line, column: segment.column)
        n.children.reserveCapacity(segment.elements.count)
        for (i, text) in segment.elements.enumerated() where !text.isEmpty {
            let name = i < 9 ? "0\(i + 1)" : String(i + 1)
            guard splitComponents else { n.append(Node(name, value: text)); continue }
            for repetition in split(text, by: delimiters.repetition) where !repetition.isEmpty {
                var element = Node(name, value: repetition)
                let components = split(repetition, by: delimiters.component)
                if components.count > 1 {
                    for (k, c) in components.enumerated() where !c.isEmpty { element.append(Node(String(k + 1), value: c)) }
                }
                n.append(element)
            }
        }
        if splitComponents, let start = Self.productIDPairsStart[segment.id] {
            var ids = Node("ids")
            var p = start
            while p + 1 <= segment.elements.count {
                let qualifier = segment[p].trimmingSpaces, value = segment[p + 1]
                if !qualifier.isEmpty && !value.isEmpty { ids.append(Node(qualifier, value: value)) }
                p += 2
            }
            if !ids.children.isEmpty { n.append(ids) }
        }
        if segment.id == "PO1" || segment.id == "IT1", let quantity = Amount(segment[2]), let price = Amount(segment[4]) {
            n.append(Node("extended", value: (quantity * price).normalized.plainString))
        }
        return n
    }

    private func split(_ text: String, by separator: UInt8?) -> [String] {
        guard let separator, text.utf8.contains(separator) else { return [text] }
        return text.utf8.split(separator: separator, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }
}
