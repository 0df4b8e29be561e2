import FormatKit

/// The :86: field (information to the account owner), kept as written and, where the bank
/// structures it, split into its parts. Three structures are recognised:
///
/// - German GVC layout (DFÜ-Abkommen, Sparkassen, Volksbanken, Deutsche Bank, Commerzbank…):
///   `166?00GUTSCHRIFT?20EREF+…?30BIC?31IBAN?32NAME`: `code` (the 3-digit business transaction
///   code) and one child per subfield, named `?00`…`?63`.
/// - Slash layout (ING, ABN AMRO, Rabobank, Triodos, Knab…): `/TRTP/SEPA OVERBOEKING/IBAN/NL…/`:
///   one child per known tag (`TRTP`, `IBAN`, `CNTP`, `REMI`…); a value keeps inner slashes
///   (`CNTP` = `account/BIC/name/city`).
/// - SEPA keywords inside the GVC purpose (`EREF+`, `MREF+`, `CRED+`, `SVWZ+`, `IBAN+`…): one child
///   per keyword, named without the `+`, so `details/EREF` reads the end-to-end id in either layout.
///
/// `purpose` is the remittance text of the GVC layout: subfields ?20–?29 and ?60–?63 in order.
/// Lines are joined without a separator for parsing, since banks wrap :86: at a fixed width
/// in the middle of words.
enum TransactionDetails {
    static let sepaKeywords = ["EREF", "KREF", "MREF", "CRED", "DEBT", "SVWZ", "ABWA", "ABWE", "IBAN", "BIC", "COAM", "OAMT", "PURP", "RTRN"]
    static let slashTags: Set<String> = [
        "TRTP", "IBAN", "BIC", "NAME", "REMI", "EREF", "MARF", "CSID", "CNTP", "ORDP", "BENM", "ULTC", "ULTD", "ULTB",
        "PURP", "ID", "ADDR", "SUM", "ISDT", "RTRN", "CREF", "SVCL", "PREF", "EXCH", "CHGS", "OCMT", "USTD", "STRD",
        "CDTRREF", "CDTRREFTP", "CD", "ISSR", "PMTID", "INSTID", "RTYP", "IREF", "TRCD", "ACCW", "OPRP",
    ]

    /// The `details` (after a :61:) or `information` (statement level) node of an :86: field.
    static func parse(_ field: Field, name: String) -> Node {
        var node = Node.field(name, field)
        let joined = field.lines.joined()
        if isGVC(joined) {
            appendGVC(joined, to: &node, field)
        } else if isSlashLayout(joined) {
            appendSlashTags(joined, to: &node, field)
        }
        return node
    }

    private static func isGVC(_ text: String) -> Bool {
        let u = Array(text.utf8.prefix(4))
        return u.count == 4 && u[0...2].allSatisfy { $0 >= 48 && $0 <= 57 } && u[3] == UInt8(ascii: "?")
    }

    private static func isSlashLayout(_ text: String) -> Bool {
        guard text.first == "/" else { return false }
        let tag = text.dropFirst().prefix { $0 != "/" }
        return slashTags.contains(String(tag))
    }

    private static func appendGVC(_ text: String, to node: inout Node, _ field: Field) {
        node.append(Node("code", value: String(text.prefix(3)), line: field.line, column: field.column))
        var subfields: [(key: String, value: Substring)] = []
        var rest = text.dropFirst(4)
        while rest.dropFirst().first != nil {  // two characters left (O(1), unlike rest.count)
            let key = rest.prefix(2)
            let body = rest.dropFirst(2)
            let end = nextSubfield(in: body)
            subfields.append(("?" + key, body[..<end]))
            rest = end == body.endIndex ? body[end...] : body[body.index(after: end)...]
        }
        for (key, value) in subfields { node.append(Node(key, value: String(value), line: field.line)) }
        let purpose = subfields.filter { ("?20"..."?29").contains($0.key) || ("?60"..."?63").contains($0.key) }.map(\.value)
        if !purpose.isEmpty {
            let keyworded = appendSEPAKeywords(purpose, to: &node, field)
            node.append(Node("purpose", value: purpose.joined(separator: keyworded ? "" : " "), line: field.line))
        }
    }

    /// The index of the next `?NN` (two digits) in `text`, or its end.
    private static func nextSubfield(in text: Substring) -> Substring.Index {
        var i = text.startIndex
        while let q = text[i...].firstIndex(of: "?") {
            let digits = text[text.index(after: q)...].prefix(2)
            if digits.count == 2, digits.allSatisfy(\.isASCIIDigit) { return q }
            i = text.index(after: q)
        }
        return text.endIndex
    }

    /// SEPA keywords start a purpose subfield; a keyword's value runs on through the following
    /// subfields until the next keyword. Returns whether any keyword was found.
    private static func appendSEPAKeywords(_ purpose: [Substring], to node: inout Node, _ field: Field) -> Bool {
        var found: [(key: String, value: String)] = []
        for part in purpose {
            if let keyword = sepaKeywords.first(where: { part.hasPrefix($0 + "+") }) {
                found.append((keyword, String(part.dropFirst(keyword.count + 1))))
            } else if !found.isEmpty {
                found[found.count - 1].value += part
            }
        }
        for (key, value) in found { node.append(Node(key, value: String(value.trimmingSpaces), line: field.line)) }
        return !found.isEmpty
    }

    private static func appendSlashTags(_ text: String, to node: inout Node, _ field: Field) {
        var tag: String?
        var value: [Substring] = []
        func flush() {
            guard let tag else { return }
            while value.last?.isEmpty == true { value.removeLast() }
            node.append(Node(tag, value: value.joined(separator: "/"), line: field.line))
        }
        for token in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            // A tag right after another tag is that tag's value (`/REMI/USTD//text/`).
            if slashTags.contains(String(token)) && !(tag != nil && value.isEmpty) {
                flush(); tag = String(token); value = []
            } else {
                value.append(token)
            }
        }
        flush()
    }
}
