import Foundation
import Canonical
import FormatKit
import Yams

/// A condition on the current node: `{path: P, equals: V}` / `in: [..]` / `present: true` / `absent: true`.
struct Condition: Sendable {
    enum Test: Sendable { case equals(Set<String>), present, absent, always }
    var path: SourcePath?
    var test: Test

    func holds(at node: Node, root: Node) -> Bool {
        guard let path else { if case .always = test { return true }; return false }
        let v = path.value(from: node, root: root)?.text.trimmed
        switch test {
        case .equals(let set): return v.map(set.contains) ?? false
        case .present: return !(v ?? "").isEmpty
        case .absent: return (v ?? "").isEmpty
        case .always: return true
        }
    }
}

/// One mapping rule: where a value comes from and the small pure transforms it goes through.
/// See docs/MAPPINGS.md for the YAML form.
struct Rule: Sendable {
    enum Source: Sendable {
        case path(SourcePath)
        case paths([SourcePath])
        case constant(String)
        case concat([Rule], separator: String)
        case none
    }
    struct DecimalSpec: Sendable { var separator: UInt8 = UInt8(ascii: "."); var grouping: UInt8?; var scale: Int? }

    var source: Source = .none
    var defaultValue: String?
    var when: Condition?
    var trim = true
    var regex: NSRegularExpression?
    var substring: (start: Int, length: Int?)?
    var lookup: [String: String]?
    var upper = false
    var lower = false
    var date: DatePattern?
    var time: TimePattern?
    var decimal: DecimalSpec?
    var negate: Condition?
    var asInt = false
    // Arrays: `each` with an object `record` or a plain `value`.
    var each: SourcePath?
    var record: [FieldRule]?
    var value: [Rule]?   // zero or one element (indirect storage)

    /// What a rule produced, with where it came from (for error messages).
    /// A value and where it was read (line 0: nowhere, e.g. a constant).
    struct Located { var text: String; var line = 0; var column = 0 }
}

/// A canonical field (dotted path) and its rule.
struct FieldRule: Sendable {
    let target: [String]
    let rule: Rule
    /// The dotted canonical field (made once: error messages and nested fields name it).
    let name: String
    init(target: [String], rule: Rule) { self.target = target; self.rule = rule; name = target.joined(separator: ".") }
}

// MARK: - Evaluation

/// The canonical field a rule fills (`totals.net`), put together only when an error names it.
struct FieldName {
    let prefix: String
    let name: String
    var text: String { prefix.isEmpty ? name : prefix + "." + name }
}

struct Evaluation {
    let mapping: String
    let root: Node

    /// An error located at the value, else at the node being mapped, else at the unit.
    func fail(_ field: FieldName, _ message: String, _ value: Rule.Located?, context: Node? = nil) -> MappingError {
        let places = [value.map { ($0.line, $0.column) }, context.map { ($0.line, $0.column) }, (root.line, root.column)]
        let located = places.compactMap { $0 }.first { $0.0 > 0 }
        return MappingError(mapping: mapping, field: field.text, message: message,
                            line: located?.0, column: located.flatMap { $0.1 > 0 ? $0.1 : nil })
    }

    /// Builds the JSON object for a list of field rules evaluated at `node`.
    func object(_ rules: [FieldRule], at node: Node, prefix: String) throws(MappingError) -> JSONObject {
        var out = JSONObject()
        for f in rules {
            guard let v = try evaluate(f.rule, at: node, field: FieldName(prefix: prefix, name: f.name)) else { continue }
            out.setValue(v, at: f.target[...])
        }
        return out
    }

    func evaluate(_ rule: Rule, at node: Node, field: FieldName) throws(MappingError) -> JSONValue? {
        if let when = rule.when, !when.holds(at: node, root: root) { return nil }
        if let each = rule.each {
            var items = [JSONValue]()
            for (i, child) in each.select(from: node, root: root).enumerated() {
                let f = "\(field.text)[\(i)]"
                if let record = rule.record {
                    items.append(.object(try object(record, at: child, prefix: f)))
                } else if let inner = rule.value?.first, let v = try evaluate(inner, at: child, field: FieldName(prefix: "", name: f)) {
                    items.append(v)
                }
            }
            return .array(items)
        }
        if let record = rule.record {   // a nested object without repetition
            let o = try object(record, at: node, prefix: field.text)
            return o.isEmpty ? nil : .object(o)
        }
        guard let located = try text(rule, at: node, field: field) else { return nil }
        return try convert(located, rule: rule, at: node, field: field)
    }

    /// The rule's text after source selection and string transforms; nil when there is none.
    func text(_ rule: Rule, at node: Node, field: FieldName) throws(MappingError) -> Rule.Located? {
        var located: Rule.Located?
        switch rule.source {
        case .path(let p): located = p.value(from: node, root: root)
        case .paths(let ps):
            for p in ps {
                if let v = p.value(from: node, root: root), !v.text.trimmed.isEmpty { located = v; break }
            }
        case .constant(let c): located = Rule.Located(text: c)
        case .concat(let parts, let sep):
            var texts = [String]()
            var first: Rule.Located?
            for part in parts {
                if let t = try text(part, at: node, field: field), !t.text.isEmpty { texts.append(t.text); if first == nil && t.line > 0 { first = t } }
            }
            located = texts.isEmpty ? nil : Rule.Located(text: texts.joined(separator: sep), line: first?.line ?? 0, column: first?.column ?? 0)
        case .none: located = nil
        }
        if var l = located {
            if rule.trim { l.text = l.text.trimmed }
            if let re = rule.regex {
                let ns = l.text as NSString
                guard let m = re.firstMatch(in: l.text, range: NSRange(location: 0, length: ns.length)) else { return fallback(rule) }
                let r = m.numberOfRanges > 1 && m.range(at: 1).location != NSNotFound ? m.range(at: 1) : m.range
                l.text = ns.substring(with: r)
                if rule.trim { l.text = l.text.trimmed }
            }
            if let (start, length) = rule.substring {
                let chars = Array(l.text)
                let s = min(start, chars.count)
                let e = length.map { min(chars.count, s + $0) } ?? chars.count
                l.text = String(chars[s..<e])
                if rule.trim { l.text = l.text.trimmed }
            }
            if l.text.isEmpty { return fallback(rule) }
            if rule.upper { l.text = l.text.uppercased() }
            if rule.lower { l.text = l.text.lowercased() }
            if let table = rule.lookup {
                if let mapped = table[l.text] { l.text = mapped }
                else if let d = rule.defaultValue { l.text = d }
                else { throw fail(field, "value \"\(l.text)\" is not in the lookup table (known: \(table.keys.sorted().joined(separator: ", ")))", l, context: node) }
            }
            return l
        }
        return fallback(rule)
    }

    private func fallback(_ rule: Rule) -> Rule.Located? { rule.defaultValue.map { Rule.Located(text: $0) } }

    func convert(_ l: Rule.Located, rule: Rule, at node: Node, field: FieldName) throws(MappingError) -> JSONValue {
        if let d = rule.date {
            guard let iso = d.isoDate(l.text) else { throw fail(field, "\"\(l.text)\" is not a date of the form \(d.pattern)", l, context: node) }
            return .string(iso)
        }
        if let t = rule.time {
            guard let iso = t.isoTime(l.text) else { throw fail(field, "\"\(l.text)\" is not a time of the form \(t.pattern)", l, context: node) }
            return .string(iso)
        }
        if let spec = rule.decimal {
            guard var amount = Amount.parse(l.text, decimalSeparator: spec.separator, groupingSeparator: spec.grouping) else {
                throw fail(field, "\"\(l.text)\" is not a decimal number (decimal separator \"\(Character(UnicodeScalar(spec.separator)))\")", l, context: node)
            }
            if let places = spec.scale {
                guard amount.scale == 0 else { throw fail(field, "\"\(l.text)\" has a decimal point, but implied decimals (scale \(places)) are expected", l, context: node) }
                amount = Amount(significand: amount.significand, scale: places)
            }
            if let neg = rule.negate, neg.holds(at: node, root: root) { amount = -amount }
            return .string(amount.description)
        }
        if let neg = rule.negate, neg.holds(at: node, root: root) {
            guard let amount = Amount(l.text) else { throw fail(field, "cannot negate \"\(l.text)\": not a decimal number", l, context: node) }
            return .string((-amount).description)
        }
        if rule.asInt {
            guard let i = Int(l.text) else { throw fail(field, "\"\(l.text)\" is not a whole number", l, context: node) }
            return .number(String(i))
        }
        return .string(l.text)
    }
}

extension JSONObject {
    /// Sets a value at a dotted path, creating intermediate objects.
    mutating func setValue(_ value: JSONValue, at path: ArraySlice<String>) {
        guard let head = path.first else { return }
        if path.count == 1 { self[head] = value; return }
        var inner = self[head]?.objectValue ?? JSONObject()
        inner.setValue(value, at: path.dropFirst())
        self[head] = .object(inner)
    }
}

// MARK: - Dates and times

/// `yyyy yy MM dd` (and `iso`): to `YYYY-MM-DD`, checked against the calendar.
struct DatePattern: Sendable {
    let pattern: String
    private let scanner: PatternScanner

    init(pattern: String) {
        self.pattern = pattern
        scanner = PatternScanner(pattern == "iso" ? "yyyy-MM-dd" : pattern, tokens: ["yyyy", "yy", "MM", "dd"])
    }

    func isoDate(_ text: String) -> String? {
        guard let f = scanner.scan(text) else { return nil }
        guard let y = f["yyyy"] ?? f["yy"].map({ 2000 + $0 }), let m = f["MM"], let d = f["dd"],
              (1...12).contains(m), d >= 1, d <= DatePattern.daysIn(month: m, year: y) else { return nil }
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// `HH mm ss`: to `HH:MM:SS`.
struct TimePattern: Sendable {
    let pattern: String
    private let scanner: PatternScanner

    init(pattern: String) {
        self.pattern = pattern
        scanner = PatternScanner(pattern, tokens: ["HH", "mm", "ss"])
    }

    func isoTime(_ text: String) -> String? {
        guard let f = scanner.scan(text), let h = f["HH"], let mi = f["mm"], h < 24, mi < 60, (f["ss"] ?? 0) < 60 else { return nil }
        return pad(h, 2) + ":" + pad(mi, 2) + ":" + pad(f["ss"] ?? 0, 2)
    }
}

private func pad(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

/// A pattern of numeric tokens (`yyyy`, `MM` …) and literal characters, compiled once.
struct PatternScanner: Sendable {
    enum Part: Sendable { case token(String, width: Int), literal(UInt8) }
    let parts: [Part]
    let length: Int

    init(_ pattern: String, tokens: [String]) {
        var parts = [Part]()
        let p = Array(pattern.utf8)
        var i = 0
        outer: while i < p.count {
            for tok in tokens where p.count - i >= tok.utf8.count && Array(p[i..<i + tok.utf8.count]) == Array(tok.utf8) {
                parts.append(.token(tok, width: tok.utf8.count))
                i += tok.utf8.count
                continue outer
            }
            parts.append(.literal(p[i]))
            i += 1
        }
        self.parts = parts
        length = parts.reduce(0) { n, part in if case .token(_, let w) = part { return n + w }; return n + 1 }
    }

    /// The token values, or nil when the text does not have the pattern's shape.
    func scan(_ text: String) -> [String: Int]? {
        let t = Array(text.utf8)
        guard t.count == length else { return nil }
        var out = [String: Int]()
        var i = 0
        for part in parts {
            switch part {
            case .literal(let b):
                guard t[i] == b else { return nil }
                i += 1
            case .token(let name, let width):
                var v = 0
                for k in i..<i + width {
                    guard t[k] >= 48 && t[k] <= 57 else { return nil }
                    v = v * 10 + Int(t[k] - 48)
                }
                out[name] = v
                i += width
            }
        }
        return out
    }
}
