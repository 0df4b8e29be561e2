import Canonical

/// The segments of one outbound transaction set between ST and SE, before delimiters are applied.
struct X12SetBody {
    /// ST01 (`850`) and the GS01 functional identifier its group needs (`PO`).
    let identifier: String
    let functionalID: String
    var segments: [(id: String, elements: [String])] = []

    init(identifier: String, functionalID: String) { self.identifier = identifier; self.functionalID = functionalID }

    mutating func add(_ id: String, _ elements: String?...) { segments.append((id, elements.map { $0 ?? "" })) }

    /// N1 loop: N1 entity code, name, ID qualifier (default 92, assigned by buyer) and ID; N3 and N4 address.
    mutating func addParty(_ code: String, _ party: Party?) {
        guard let party, party.name != nil || party.id != nil else { return }
        add("N1", code, party.name, party.id == nil ? nil : party.idQualifier ?? "92", party.id)
        if let a = party.address {
            let lines = a.lines ?? []
            for pair in stride(from: 0, to: lines.count, by: 2) {
                add("N3", lines[pair], pair + 1 < lines.count ? lines[pair + 1] : nil)
            }
            if a.city != nil || a.region != nil || a.postalCode != nil || a.country != nil {
                add("N4", a.city, a.region, a.postalCode, a.country)
            }
        }
    }

    /// Product ID qualifier/value pairs: BP buyer's part, VP vendor's part, UP UPC, UK GTIN-14.
    static func productIDPairs(_ ids: PurchaseOrder.ProductIDs) -> [String?] {
        [("BP", ids.buyer), ("VP", ids.vendor), ("UP", ids.upc), ("UK", ids.gtin)].flatMap { q, v in v == nil ? [] : [q, v] }
    }

    /// `2024-01-02` → `20240102`.
    static func date(_ iso: String?) -> String? { iso?.replacingOccurrences(of: "-", with: "") }
    /// `13:45:00` → `134500`.
    static func time(_ iso: String?) -> String? { iso?.replacingOccurrences(of: ":", with: "") }
    /// Exact decimal, no padding: `10`, `2.5`.
    static func number(_ a: Amount?) -> String? { a?.normalized.plainString }
}
