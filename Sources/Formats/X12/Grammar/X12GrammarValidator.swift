import FormatKit

/// Checks one transaction set (ST through SE) against its `X12Grammar` and reports each fault as a
/// segment-level `X12Finding` carrying the codes a 997 AK3/AK4 (4010) or 999 IK3/IK4 (5010) reports:
///
/// AK304/IK304: `2` unexpected segment, `3` mandatory segment missing, `4` loop occurs over maximum
/// times, `5` segment exceeds maximum use, `6` segment not in the defined transaction set, `7`
/// segment not in proper sequence, `8` segment has data element errors (then one AK4 per element:
/// AK403/IK403 `1` mandatory element missing, `3` too many elements, `4` too short, `5` too long,
/// `6` invalid character, `7` invalid code value, `8` invalid date, `9` invalid time).
struct X12GrammarValidator {
    let grammar: X12Grammar
    /// The interchange's component separator: composite elements are not length-checked as a whole.
    let component: UInt8

    func validate(_ segments: [X12Segment]) -> [X12Finding] {
        var run = Run(segments: segments, grammar: grammar, component: component)
        run.walk(grammar.items, nested: false)
        return run.findings
    }

    private struct Run {
        let segments: [X12Segment]
        let grammar: X12Grammar
        let component: UInt8
        var i = 0
        var findings: [X12Finding] = []
        /// The loops the walk is in, innermost last (AK303/IK303).
        var loops: [String] = []
        /// The grammar's business unit, once its segment has been read (CTX in a 999).
        var businessUnit: X12Finding.BusinessUnit?

        mutating func walk(_ items: [X12Grammar.Item], nested: Bool) {
            var pos = 0
            var counts = [Int](repeating: 0, count: items.count)
            if nested { counts[0] = 1 }
            while i < segments.count {
                let s = segments[i]
                let from = nested ? max(pos, 1) : pos
                guard let j = (from..<items.count).first(where: { items[$0].firstID == s.id }) else {
                    if nested { break }  // the loop ends here; the enclosing level places the segment
                    let earlier = items[..<pos].contains { $0.firstID == s.id }
                    segmentError(earlier ? "7" : grammar.allIDs.contains(s.id) ? "2" : "6", at: i,
                                 earlier ? "\(s.id) is out of order" : "\(s.id) is not expected here")
                    i += 1
                    continue
                }
                for k in pos..<j where items[k].mandatory && counts[k] == 0 { missing(items[k].firstID, at: i) }
                counts[j] += 1
                pos = j
                switch items[j] {
                case .segment(let spec):
                    if counts[j] > spec.maxUse {
                        segmentError("5", at: i, "\(s.id) occurs \(counts[j]) times, at most \(spec.maxUse) allowed")
                    } else {
                        check(spec, at: i)
                    }
                    i += 1
                case .loop(let id, _, let maxRepeat, let inner):
                    loops.append(id)
                    if counts[j] > maxRepeat {
                        segmentError("4", at: i, "loop \(id) occurs \(counts[j]) times, at most \(maxRepeat) allowed")
                    } else if case .segment(let first) = inner[0] {
                        check(first, at: i)
                    }
                    i += 1
                    walk(inner, nested: true)
                    loops.removeLast()
                }
            }
            for k in pos..<items.count where items[k].mandatory && counts[k] == 0 { missing(items[k].firstID, at: i) }
        }

        mutating func missing(_ id: String, at index: Int) {
            let at = min(index, segments.count - 1)
            var f = finding("3", at: at, "mandatory segment \(id) is missing")
            f.error.segment = id
            findings.append(f)
        }

        mutating func segmentError(_ code: String, at index: Int, _ message: String) {
            findings.append(finding(code, at: index, message))
        }

        func finding(_ code: String, at index: Int, _ message: String) -> X12Finding {
            let s = segments[max(0, index)]
            var f = X12Finding(.segment, ackCode: code,
                               FormatError("x12.grammar.\(code)", "\(message) (AK3 code \(code), \(grammar.set) \(grammar.version))",
                                           line: s.line, column: s.column, segment: s.id),
                               segmentPosition: index + 1)
            f.loopID = loops.last
            f.businessUnit = businessUnit
            return f
        }

        mutating func check(_ spec: X12Grammar.Segment, at index: Int) {
            let s = segments[index]
            var errors: [X12Finding.ElementError] = []
            for (k, e) in spec.elements.enumerated() {
                let value = s[k + 1]
                if value.isEmpty {
                    if e.mandatory { errors.append(.init(position: k + 1, code: "1", value: "")) }
                    continue
                }
                if let code = Self.elementCode(value, e, component: component) { errors.append(.init(position: k + 1, code: code, value: value)) }
            }
            if let count = spec.elementCount, let last = s.elements.lastIndex(where: { !$0.isEmpty }), last >= count {
                errors.append(.init(position: last + 1, code: "3", value: s.elements[last]))
            }
            if !errors.contains(where: { $0.position == grammar.businessUnit?.position }) { noteBusinessUnit(s) }
            guard !errors.isEmpty else { return }
            var f = finding("8", at: index, "\(s.id) has data element errors: " + errors.map { "\(s.fieldName($0.position)) code \($0.code)" }.joined(separator: ", "))
            f.elementErrors = errors
            f.error.field = s.fieldName(errors[0].position)
            findings.append(f)
        }

        /// The first segment that carries the grammar's business unit names it for the faults after
        /// it (not for its own: an identifier in error is not known, X12 RFI 2293), at most 35
        /// characters as CTX01-2 allows.
        mutating func noteBusinessUnit(_ s: X12Segment) {
            guard businessUnit == nil, let (id, position) = grammar.businessUnit, s.id == id else { return }
            let value = s[position]
            guard !value.isEmpty else { return }
            businessUnit = X12Finding.BusinessUnit(name: id + (position < 10 ? "0" : "") + String(position), value: String(value.prefix(35)))
        }

        /// The AK403 code of an element's first fault, nil when it is right.
        static func elementCode(_ value: String, _ e: X12Grammar.Element, component: UInt8) -> String? {
            if value.utf8.contains(component) { return nil }  // a composite: its components are not described here
            let numeric = e.type.hasPrefix("N") || e.type == "R"
            let length = numeric ? value.filter(\.isASCIIDigit).count : value.count
            switch e.type {
            case "DT":
                let ok = value.count == 8 ? X12HeaderRules.isDate(value) : value.count == 6 && X12HeaderRules.isDate("20" + value)
                if !ok { return "8" }
            case "TM":
                if !X12HeaderRules.isTime(value) { return "9" }
            case "R":
                let body = value.hasPrefix("-") ? value.dropFirst() : Substring(value)
                if body.isEmpty || body.filter({ $0 == "." }).count > 1 || !body.allSatisfy({ $0.isASCIIDigit || $0 == "." }) || length == 0 { return "6" }
            case let t where t.hasPrefix("N"):
                let body = value.hasPrefix("-") ? value.dropFirst() : Substring(value)
                if body.isEmpty || !body.allSatisfy(\.isASCIIDigit) { return "6" }
            default:
                break
            }
            if length < e.min { return "4" }
            if length > e.max { return "5" }
            if e.type == "ID", let codes = e.codes, !codes.contains(value) { return "7" }
            return nil
        }
    }
}
