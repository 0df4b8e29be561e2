/// The code lists of the NACHA Operating Rules that the reader and writer check against.
enum ACHCodes {
    /// Standard Entry Class codes (batch header positions 51–53).
    static let secCodes: Set<String> = ["ACK", "ADV", "ARC", "ATX", "BOC", "CCD", "CIE", "COR", "CTX", "DNE", "ENR",
                                        "IAT", "MTE", "POP", "POS", "PPD", "RCK", "SHR", "TEL", "TRC", "TRX", "WEB", "XCK"]

    /// Service class codes: 200 mixed, 220 credits only, 225 debits only, 280 automated accounting advices.
    static let serviceClassCodes: Set<String> = ["200", "220", "225", "280"]

    /// What a transaction code says about money movement.
    enum Side: String { case credit, debit }

    /// Credit or debit for a transaction code (`22` checking credit, `27` checking debit…); nil if unknown.
    /// ADV codes 81–88 alternate credit (odd) and debit (even).
    static func side(_ code: Int) -> Side? {
        switch code {
        case 21...24, 31...34, 41...44, 51...54: .credit
        case 26...29, 36...39, 46...49, 55, 56: .debit
        case 81...88: code % 2 == 1 ? .credit : .debit
        default: nil
        }
    }

    /// Prenotifications (`23`, `28`, `33`…) carry no money.
    static func isPrenote(_ code: Int) -> Bool { (code < 80) && [3, 8].contains(code % 10) }

    /// Codes that may carry a zero amount: prenotes, zero-dollar remittance (x4, x9), and
    /// returns/NOCs (x1, x6) used by COR entries.
    static func allowsZeroAmount(_ code: Int) -> Bool { code < 80 && [1, 3, 4, 6, 8, 9].contains(code % 10) }

    /// Return reason codes (addenda 99 positions 4–6).
    static let returnCodes: Set<String> = {
        var codes = Set((1...53).map { "R" + String($0).leftPadded(to: 2) })
        codes.formUnion(["R61", "R62", "R67", "R68", "R69", "R70"])
        codes.formUnion((71...77).map { "R\($0)" })
        codes.formUnion((80...85).map { "R\($0)" })
        return codes
    }()

    /// Change codes of a notification of change (addenda 98 positions 4–6); C61–C69 refuse a NOC.
    static let changeCodes: Set<String> = Set((1...14).map { "C" + String($0).leftPadded(to: 2) } + (61...69).map { "C\($0)" })

    /// IAT addenda 10 transaction type codes.
    static let iatTransactionTypeCodes: Set<String> = ["ANN", "BUS", "DEP", "LOA", "MIS", "MOR", "PEN", "REM", "RLS",
                                                       "SAL", "TAX", "ARC", "BOC", "POP", "RCK", "TEL", "WEB"]

    /// Addenda type codes each SEC code may carry besides returns (99). IAT carries 10–18 and 98.
    static func allowedAddenda(sec: String) -> Set<String> {
        switch sec {
        case "POS", "SHR", "MTE": ["02"]
        case "COR": ["98"]
        case "IAT": ["10", "11", "12", "13", "14", "15", "16", "17", "18", "98"]
        case "ACK", "ATX", "CCD", "CIE", "CTX", "DNE", "ENR", "PPD", "TRX", "WEB", "ADV": ["05", "98"]
        default: ["98"]
        }
    }
}
