import Canonical

/// What a posting rule reads from: a record's canonical JSON (or one statement line with its
/// statement under `statement`). Paths are dotted field names, array elements by 0-based index:
/// `totals.total`, `buyer.id`, `statement.account.id`, `lines.0.amount`.
struct RecordContext {
    let root: JSONValue

    func value(at path: String) -> JSONValue? {
        var node: JSONValue? = root
        for step in path.split(separator: ".") {
            switch node {
            case .object(let o)?: node = o[String(step)]
            case .array(let a)?:
                guard let i = Int(step), a.indices.contains(i) else { return nil }
                node = a[i]
            default: return nil
            }
        }
        return node
    }

    /// The text of a string or number at `path`; nil for objects, arrays and absent fields.
    func text(at path: String) -> String? {
        switch value(at: path) {
        case .string(let s)?: s
        case .number(let n)?: n
        case .bool(let b)?: b ? "true" : "false"
        default: nil
        }
    }

    /// Fills `{path}` placeholders. A placeholder without a value fails (naming its path), or
    /// with `lenient` is left empty.
    func fill(_ template: String, lenient: Bool = false) -> Result<String, MissingPath> {
        var out = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let path = String(rest[rest.index(after: open)..<close])
            if let value = text(at: path), !value.isEmpty { out += value } else if !lenient { return .failure(MissingPath(path: path)) }
            rest = rest[rest.index(after: close)...]
        }
        out += rest
        return .success(out)
    }

    struct MissingPath: Error { let path: String }
}
