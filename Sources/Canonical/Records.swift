// The seven record types of spec/canonical.md. Dates are "YYYY-MM-DD" strings, times
// "HH:MM:SS", money and quantities `Amount` (exact decimal, encoded as a string).
// Optional fields are left out of the JSON when nil. Fields are only ever added.

public struct Party: Codable, Sendable, Hashable {
    public var id: String?
    public var name: String?
    /// The qualifier of `id` where the format has one (X12 N103, e.g. "92", "UL").
    public var idQualifier: String?
    public var address: Address?
    public init(id: String? = nil, name: String? = nil, idQualifier: String? = nil, address: Address? = nil) {
        self.id = id; self.name = name; self.idQualifier = idQualifier; self.address = address
    }
}

public struct Address: Codable, Sendable, Hashable {
    public var lines: [String]?
    public var city: String?
    public var region: String?
    public var postalCode: String?
    public var country: String?
    public init(lines: [String]? = nil, city: String? = nil, region: String? = nil, postalCode: String? = nil, country: String? = nil) {
        self.lines = lines; self.city = city; self.region = region; self.postalCode = postalCode; self.country = country
    }
}

// MARK: statement

public struct Statement: Codable, Sendable, Hashable {
    public struct Account: Codable, Sendable, Hashable {
        public var id: String
        public var bic: String?
        public var name: String?
        public init(id: String, bic: String? = nil, name: String? = nil) { self.id = id; self.bic = bic; self.name = name }
    }
    public struct Balance: Codable, Sendable, Hashable {
        public var date: String
        public var amount: Amount
        public init(date: String, amount: Amount) { self.date = date; self.amount = amount }
    }
    public struct Counterparty: Codable, Sendable, Hashable {
        public var name: String?
        public var account: String?
        public var bic: String?
        public init(name: String? = nil, account: String? = nil, bic: String? = nil) { self.name = name; self.account = account; self.bic = bic }
    }
    public struct Line: Codable, Sendable, Hashable {
        public var valueDate: String
        public var entryDate: String?
        /// Credit positive, debit negative.
        public var amount: Amount
        public var transactionCode: String?
        public var bankReference: String?
        public var customerReference: String?
        public var counterparty: Counterparty?
        public var remittance: String?
        /// The raw :86: text.
        public var details: String?
        /// Structured :86: subfields, in the sender's order.
        public var fields: JSONObject?
        public init(valueDate: String, entryDate: String? = nil, amount: Amount, transactionCode: String? = nil,
                    bankReference: String? = nil, customerReference: String? = nil, counterparty: Counterparty? = nil,
                    remittance: String? = nil, details: String? = nil, fields: JSONObject? = nil) {
            self.valueDate = valueDate; self.entryDate = entryDate; self.amount = amount
            self.transactionCode = transactionCode; self.bankReference = bankReference
            self.customerReference = customerReference; self.counterparty = counterparty
            self.remittance = remittance; self.details = details; self.fields = fields
        }
    }

    public var account: Account
    public var currency: String
    public var statementNumber: String
    public var reference: String
    /// Required for MT940/MT950/camt.053; an MT942 interim report has none.
    public var openingBalance: Balance?
    public var closingBalance: Balance?
    public var lines: [Line]

    public init(account: Account, currency: String, statementNumber: String, reference: String,
                openingBalance: Balance?, closingBalance: Balance?, lines: [Line]) {
        self.account = account; self.currency = currency; self.statementNumber = statementNumber
        self.reference = reference; self.openingBalance = openingBalance; self.closingBalance = closingBalance
        self.lines = lines
    }

    /// opening + sum(lines) = closing, when both balances are present.
    public func invariantViolations() -> [String] {
        guard let open = openingBalance, let close = closingBalance else { return [] }
        let sum = lines.map(\.amount).sum()
        let expected = open.amount + sum
        if expected != close.amount {
            return ["opening balance \(open.amount) + lines \(sum) = \(expected), but closing balance is \(close.amount) (difference \(close.amount - expected))"]
        }
        return []
    }
}

// MARK: payment

public struct Payment: Codable, Sendable, Hashable {
    public enum Direction: String, Codable, Sendable { case outbound, inbound, `return` }
    public struct Party: Codable, Sendable, Hashable {
        public var name: String
        public var account: String?
        /// Routing number or BIC.
        public var agent: String?
        public init(name: String, account: String? = nil, agent: String? = nil) { self.name = name; self.account = account; self.agent = agent }
    }
    public struct ACH: Codable, Sendable, Hashable {
        public var secCode: String
        public var transactionCode: String
        /// Optional: the NACHA writer assigns trace numbers from the ledger (an ERP cannot know
        /// them), and ADV entries carry none (see docs/CANONICAL-REQUIRED.md).
        public var traceNumber: String?
        public var companyId: String
        public var companyEntryDescription: String
        /// Each addenda record's fields, in file order (`typeCode` first).
        public var addenda: [JSONObject]
        public var returnCode: String?
        public var correctionCode: String?
        public init(secCode: String, transactionCode: String, traceNumber: String?, companyId: String,
                    companyEntryDescription: String, addenda: [JSONObject] = [], returnCode: String? = nil, correctionCode: String? = nil) {
            self.secCode = secCode; self.transactionCode = transactionCode; self.traceNumber = traceNumber
            self.companyId = companyId; self.companyEntryDescription = companyEntryDescription
            self.addenda = addenda; self.returnCode = returnCode; self.correctionCode = correctionCode
        }

        enum CodingKeys: String, CodingKey {
            case secCode, transactionCode, traceNumber, companyId, companyEntryDescription, addenda, returnCode, correctionCode
        }
        /// `addenda` (no addenda records) and `traceNumber` may be left out.
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(secCode: try c.decode(String.self, forKey: .secCode), transactionCode: try c.decode(String.self, forKey: .transactionCode),
                      traceNumber: try c.decodeIfPresent(String.self, forKey: .traceNumber), companyId: try c.decode(String.self, forKey: .companyId),
                      companyEntryDescription: try c.decode(String.self, forKey: .companyEntryDescription),
                      addenda: try c.decodeIfPresent([JSONObject].self, forKey: .addenda) ?? [],
                      returnCode: try c.decodeIfPresent(String.self, forKey: .returnCode),
                      correctionCode: try c.decodeIfPresent(String.self, forKey: .correctionCode))
        }
    }

    public var direction: Direction
    /// `ach`, `sepa-credit-transfer`, `wire`, `bank-csv`.
    public var method: String
    /// Always positive.
    public var amount: Amount
    public var currency: String
    public var executionDate: String
    public var debtor: Party
    public var creditor: Party
    public var endToEndId: String?
    public var remittance: String?
    public var batchId: String?
    public var ach: ACH?

    public init(direction: Direction, method: String, amount: Amount, currency: String, executionDate: String,
                debtor: Party, creditor: Party, endToEndId: String? = nil, remittance: String? = nil,
                batchId: String? = nil, ach: ACH? = nil) {
        self.direction = direction; self.method = method; self.amount = amount; self.currency = currency
        self.executionDate = executionDate; self.debtor = debtor; self.creditor = creditor
        self.endToEndId = endToEndId; self.remittance = remittance; self.batchId = batchId; self.ach = ach
    }
}

// MARK: invoice

public struct Invoice: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable {
        case invoice
        case creditNote = "credit_note"
        case debitNote = "debit_note"
        case void, cancel, allowance
        case allowanceCancel = "allowance_cancel"
    }
    public struct Line: Codable, Sendable, Hashable {
        public var sequence: Int
        public var description: String
        public var quantity: Amount
        public var unit: String?
        public var unitPrice: Amount
        public var amount: Amount
        public var taxType: String?
        public init(sequence: Int, description: String, quantity: Amount, unit: String? = nil, unitPrice: Amount, amount: Amount, taxType: String? = nil) {
            self.sequence = sequence; self.description = description; self.quantity = quantity; self.unit = unit
            self.unitPrice = unitPrice; self.amount = amount; self.taxType = taxType
        }
    }
    public struct Totals: Codable, Sendable, Hashable {
        public var net: Amount
        public var tax: Amount
        public var total: Amount
        public init(net: Amount, tax: Amount, total: Amount) { self.net = net; self.tax = tax; self.total = total }
    }
    /// The fields a government e-invoice platform (Taiwan MIG) needs beyond the invoice itself.
    public struct EInvoice: Codable, Sendable, Hashable {
        public var invoiceType: String
        public var randomNumber: String
        public var printMark: String
        public var donateMark: String
        public var carrierType: String?
        public var carrierId: String?
        public var npoban: String?
        public init(invoiceType: String, randomNumber: String, printMark: String, donateMark: String,
                    carrierType: String? = nil, carrierId: String? = nil, npoban: String? = nil) {
            self.invoiceType = invoiceType; self.randomNumber = randomNumber; self.printMark = printMark
            self.donateMark = donateMark; self.carrierType = carrierType; self.carrierId = carrierId; self.npoban = npoban
        }
    }

    public var kind: Kind
    public var number: String
    public var issueDate: String
    public var issueTime: String?
    public var currency: String
    public var seller: Party
    public var buyer: Party
    public var lines: [Line]
    public var totals: Totals
    public var taxRate: Amount?
    public var purchaseOrderNumber: String?
    /// What a void, cancel or allowance refers to.
    public var originalNumber: String?
    public var dueDate: String?
    public var taxType: String?
    public var einvoice: EInvoice?
    /// The issue date of the document `originalNumber` names (a cancel or void message repeats it).
    public var originalDate: String?
    /// Why a void, cancel or allowance cancel was issued.
    public var reason: String?

    public init(kind: Kind, number: String, issueDate: String, issueTime: String? = nil, currency: String,
                seller: Party, buyer: Party, lines: [Line], totals: Totals, taxRate: Amount? = nil,
                purchaseOrderNumber: String? = nil, originalNumber: String? = nil, dueDate: String? = nil,
                taxType: String? = nil, einvoice: EInvoice? = nil, originalDate: String? = nil, reason: String? = nil) {
        self.kind = kind; self.number = number; self.issueDate = issueDate; self.issueTime = issueTime
        self.currency = currency; self.seller = seller; self.buyer = buyer; self.lines = lines; self.totals = totals
        self.taxRate = taxRate; self.purchaseOrderNumber = purchaseOrderNumber; self.originalNumber = originalNumber
        self.dueDate = dueDate; self.taxType = taxType; self.einvoice = einvoice
        self.originalDate = originalDate; self.reason = reason
    }

    /// net + tax = total; sum(line amounts) = net where there are lines.
    public func invariantViolations() -> [String] {
        var out = [String]()
        if totals.net + totals.tax != totals.total {
            out.append("invoice \(number): net \(totals.net) + tax \(totals.tax) = \(totals.net + totals.tax), but total is \(totals.total)")
        }
        if !lines.isEmpty {
            let sum = lines.map(\.amount).sum()
            if sum != totals.net { out.append("invoice \(number): line amounts sum to \(sum), but net is \(totals.net)") }
        }
        return out
    }
}

// MARK: purchase_order

public struct PurchaseOrder: Codable, Sendable, Hashable {
    public enum Purpose: String, Codable, Sendable { case original, change, cancel }
    public struct ProductIDs: Codable, Sendable, Hashable {
        public var buyer: String?
        public var vendor: String?
        public var upc: String?
        public var gtin: String?
        public init(buyer: String? = nil, vendor: String? = nil, upc: String? = nil, gtin: String? = nil) {
            self.buyer = buyer; self.vendor = vendor; self.upc = upc; self.gtin = gtin
        }
    }
    public struct Line: Codable, Sendable, Hashable {
        public var sequence: Int
        public var productIds: ProductIDs
        public var description: String?
        public var quantity: Amount
        public var unit: String
        public var unitPrice: Amount?
        public init(sequence: Int, productIds: ProductIDs, description: String? = nil, quantity: Amount, unit: String, unitPrice: Amount? = nil) {
            self.sequence = sequence; self.productIds = productIds; self.description = description
            self.quantity = quantity; self.unit = unit; self.unitPrice = unitPrice
        }
    }

    public var number: String
    public var date: String
    public var purpose: Purpose
    public var buyer: Party
    public var seller: Party
    public var shipTo: Party
    public var currency: String
    public var lines: [Line]
    public var requestedDeliveryDate: String?

    public init(number: String, date: String, purpose: Purpose, buyer: Party, seller: Party, shipTo: Party,
                currency: String, lines: [Line], requestedDeliveryDate: String? = nil) {
        self.number = number; self.date = date; self.purpose = purpose; self.buyer = buyer; self.seller = seller
        self.shipTo = shipTo; self.currency = currency; self.lines = lines; self.requestedDeliveryDate = requestedDeliveryDate
    }
}

// MARK: ship_notice

public struct ShipNotice: Codable, Sendable, Hashable {
    public struct Carrier: Codable, Sendable, Hashable {
        public var scac: String?
        public var name: String?
        public init(scac: String? = nil, name: String? = nil) { self.scac = scac; self.name = name }
    }
    public struct Item: Codable, Sendable, Hashable {
        public var sequence: Int?
        public var productIds: PurchaseOrder.ProductIDs
        public var description: String?
        public var quantity: Amount
        public var unit: String
        public init(sequence: Int? = nil, productIds: PurchaseOrder.ProductIDs, description: String? = nil, quantity: Amount, unit: String) {
            self.sequence = sequence; self.productIds = productIds; self.description = description; self.quantity = quantity; self.unit = unit
        }
    }
    public struct Pack: Codable, Sendable, Hashable {
        public var sscc: String?
        public var items: [Item]
        public init(sscc: String? = nil, items: [Item]) { self.sscc = sscc; self.items = items }
    }
    public struct Order: Codable, Sendable, Hashable {
        public var purchaseOrderNumber: String
        public var packs: [Pack]
        public var items: [Item]
        public init(purchaseOrderNumber: String, packs: [Pack] = [], items: [Item] = []) {
            self.purchaseOrderNumber = purchaseOrderNumber; self.packs = packs; self.items = items
        }
    }
    public struct Totals: Codable, Sendable, Hashable {
        public var packages: Amount?
        public var weight: Amount?
        public var weightUnit: String?
        public init(packages: Amount? = nil, weight: Amount? = nil, weightUnit: String? = nil) {
            self.packages = packages; self.weight = weight; self.weightUnit = weightUnit
        }
    }

    public var shipmentId: String
    public var shipDate: String
    public var carrier: Carrier
    public var trackingNumber: String?
    public var shipFrom: Party
    public var shipTo: Party
    public var orders: [Order]
    public var totals: Totals

    public init(shipmentId: String, shipDate: String, carrier: Carrier, trackingNumber: String? = nil,
                shipFrom: Party, shipTo: Party, orders: [Order], totals: Totals) {
        self.shipmentId = shipmentId; self.shipDate = shipDate; self.carrier = carrier; self.trackingNumber = trackingNumber
        self.shipFrom = shipFrom; self.shipTo = shipTo; self.orders = orders; self.totals = totals
    }
}

// MARK: journal_entry

public struct JournalEntry: Codable, Sendable, Hashable {
    public struct Line: Codable, Sendable, Hashable {
        public var account: String
        public var debit: Amount
        public var credit: Amount
        public var description: String?
        public var costCentre: String?
        public init(account: String, debit: Amount, credit: Amount, description: String? = nil, costCentre: String? = nil) {
            self.account = account; self.debit = debit; self.credit = credit; self.description = description; self.costCentre = costCentre
        }
    }
    public var number: String
    public var date: String
    /// `YYYY-MM`
    public var period: String
    public var currency: String
    public var description: String
    /// The canonical id this entry was made from.
    public var sourceRecord: String
    public var lines: [Line]

    public init(number: String, date: String, period: String, currency: String, description: String, sourceRecord: String, lines: [Line]) {
        self.number = number; self.date = date; self.period = period; self.currency = currency
        self.description = description; self.sourceRecord = sourceRecord; self.lines = lines
    }

    public func invariantViolations() -> [String] {
        let d = lines.map(\.debit).sum(), c = lines.map(\.credit).sum()
        return d == c ? [] : ["journal entry \(number): debits \(d) ≠ credits \(c) (difference \(d - c))"]
    }
}

// MARK: acknowledgment

public struct Acknowledgment: Codable, Sendable, Hashable {
    public enum Status: String, Codable, Sendable {
        case accepted
        case acceptedWithErrors = "accepted_with_errors"
        case partiallyAccepted = "partially_accepted"
        case rejected
    }
    public struct Subject: Codable, Sendable, Hashable {
        public var format: String
        public var interchangeControlNumber: String?
        public var groupControlNumber: String?
        public var invoiceNumber: String?
        public init(format: String, interchangeControlNumber: String? = nil, groupControlNumber: String? = nil, invoiceNumber: String? = nil) {
            self.format = format; self.interchangeControlNumber = interchangeControlNumber
            self.groupControlNumber = groupControlNumber; self.invoiceNumber = invoiceNumber
        }
    }
    public struct ItemError: Codable, Sendable, Hashable {
        public var code: String
        public var message: String
        public var segment: String?
        public var element: String?
        public init(code: String, message: String, segment: String? = nil, element: String? = nil) {
            self.code = code; self.message = message; self.segment = segment; self.element = element
        }
    }
    public struct Item: Codable, Sendable, Hashable {
        public var controlNumber: String?
        public var status: Status
        public var errors: [ItemError]
        public init(controlNumber: String? = nil, status: Status, errors: [ItemError] = []) {
            self.controlNumber = controlNumber; self.status = status; self.errors = errors
        }
    }
    public var subject: Subject
    public var status: Status
    public var items: [Item]
    public init(subject: Subject, status: Status, items: [Item]) { self.subject = subject; self.status = status; self.items = items }
}
