import Canonical

/// Canonical records used by the writer and round-trip tests.
enum Samples {
    static let purchaseOrder = PurchaseOrder(
        number: "PO-4711", date: "2024-01-02", purpose: .original,
        buyer: Party(id: "B-1", name: "Buyer Inc", idQualifier: "92",
                     address: Address(lines: ["1 Main St"], city: "Springfield", region: "IL", postalCode: "62701", country: "US")),
        seller: Party(id: "S-9", name: "Seller Co", idQualifier: "92"),
        shipTo: Party(id: "DC-4", name: "Dock 4", idQualifier: "92"),
        currency: "USD",
        lines: [
            .init(sequence: 1, productIds: .init(buyer: "B-77", vendor: "V-88", upc: "012345678905"), description: "Widget", quantity: Amount("10")!, unit: "EA", unitPrice: Amount("2.5")!),
            .init(sequence: 2, productIds: .init(vendor: "V-99"), quantity: Amount("1")!, unit: "CA"),
        ],
        requestedDeliveryDate: "2024-01-20")

    static let invoice = Invoice(
        kind: .invoice, number: "INV-1", issueDate: "2024-02-01", issueTime: "13:45:00", currency: "USD",
        seller: Party(id: "S-9", name: "Seller Co", idQualifier: "92"), buyer: Party(id: "B-1", name: "Buyer Inc", idQualifier: "92"),
        lines: [
            .init(sequence: 1, description: "Widget", quantity: Amount("10")!, unit: "EA", unitPrice: Amount("2.5")!, amount: Amount("25")!, taxType: "ST"),
            .init(sequence: 2, description: "Gadget", quantity: Amount("3")!, unit: "EA", unitPrice: Amount("1.99")!, amount: Amount("5.97")!, taxType: "ST"),
        ],
        totals: .init(net: Amount("30.97")!, tax: Amount("2.48")!, total: Amount("33.45")!), taxRate: Amount("8")!,
        purchaseOrderNumber: "PO-4711", dueDate: "2024-03-02", taxType: "ST")

    static let shipNotice = ShipNotice(
        shipmentId: "SHIP-1", shipDate: "2024-01-15", carrier: .init(scac: "UPSN", name: "UPS"), trackingNumber: "1Z999",
        shipFrom: Party(id: "S-9", name: "Seller Co", idQualifier: "92"), shipTo: Party(id: "DC-4", name: "Dock 4", idQualifier: "92"),
        orders: [
            .init(purchaseOrderNumber: "PO-4711",
                  packs: [.init(sscc: "00012345678901234567", items: [.init(sequence: 1, productIds: .init(vendor: "V-88"), quantity: Amount("10")!, unit: "EA")])],
                  items: [.init(sequence: 2, productIds: .init(vendor: "V-99"), description: "Loose", quantity: Amount("1")!, unit: "CA")]),
        ],
        totals: .init(packages: Amount("2")!, weight: Amount("12.5")!, weightUnit: "LB"))

    static let settings = ["isaSenderId": "OURID", "isaReceiverId": "THEIRID", "gsSenderCode": "OURGS", "gsReceiverCode": "THEIRGS"]

    static func record(_ body: RecordBody, _ index: Int) -> Record {
        Record(source: RecordSource(partner: "acme", channel: "x12", format: "x12", file: "out.x12", sha256: "00", index: index), body: body)
    }
}
