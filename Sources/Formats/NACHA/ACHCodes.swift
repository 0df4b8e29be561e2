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

/// What NACHA's return reason codes (addenda 99 positions 4–6) mean, as the Operating Rules name them.
public enum ACHReturnReason {
    public static func description(_ code: String) -> String? { descriptions[code] }

    static let descriptions: [String: String] = [
        "R01": "Insufficient funds", "R02": "Account closed", "R03": "No account / unable to locate account",
        "R04": "Invalid account number structure", "R05": "Unauthorized debit to consumer account using corporate SEC code",
        "R06": "Returned per ODFI's request", "R07": "Authorization revoked by customer", "R08": "Payment stopped",
        "R09": "Uncollected funds", "R10": "Customer advises originator is not known to receiver and/or not authorized to debit",
        "R11": "Customer advises entry not in accordance with the terms of the authorization", "R12": "Account sold to another DFI",
        "R13": "Invalid ACH routing number", "R14": "Representative payee deceased or unable to continue in that capacity",
        "R15": "Beneficiary or account holder (other than a representative payee) deceased", "R16": "Account frozen / entry returned per OFAC instruction",
        "R17": "File record edit criteria / entry with invalid account number initiated under questionable circumstances",
        "R18": "Improper effective entry date", "R19": "Amount field error", "R20": "Non-transaction account",
        "R21": "Invalid company identification", "R22": "Invalid individual ID number", "R23": "Credit entry refused by receiver",
        "R24": "Duplicate entry", "R25": "Addenda error", "R26": "Mandatory field error", "R27": "Trace number error",
        "R28": "Routing number check digit error", "R29": "Corporate customer advises not authorized",
        "R30": "RDFI not participant in check truncation program", "R31": "Permissible return entry (CCD and CTX only)",
        "R32": "RDFI non-settlement", "R33": "Return of XCK entry", "R34": "Limited participation DFI",
        "R35": "Return of improper debit entry", "R36": "Return of improper credit entry", "R37": "Source document presented for payment",
        "R38": "Stop payment on source document", "R39": "Improper source document / source document presented for payment",
        "R40": "Return of ENR entry by federal government agency", "R41": "Invalid transaction code (ENR)",
        "R42": "Routing number / check digit error (ENR)", "R43": "Invalid DFI account number (ENR)",
        "R44": "Invalid individual ID number / identification number (ENR)", "R45": "Invalid individual name / company name (ENR)",
        "R46": "Invalid representative payee indicator (ENR)", "R47": "Duplicate enrollment (ENR)",
        "R50": "State law affecting RCK acceptance", "R51": "Item related to RCK entry is ineligible or RCK entry is improper",
        "R52": "Stop payment on item related to RCK entry", "R53": "Item and RCK entry presented for payment",
        "R61": "Misrouted return", "R62": "Return of erroneous or reversing debit", "R67": "Duplicate return", "R68": "Untimely return",
        "R69": "Field error(s)", "R70": "Permissible return entry not accepted / return not requested by ODFI",
        "R71": "Misrouted dishonored return", "R72": "Untimely dishonored return", "R73": "Timely original return", "R74": "Corrected return",
        "R75": "Return not a duplicate", "R76": "No errors found", "R77": "Non-acceptance of R62 dishonored return",
        "R80": "IAT entry coding error", "R81": "Non-participant in IAT program", "R82": "Invalid foreign receiving DFI identification",
        "R83": "Foreign receiving DFI unable to settle", "R84": "Entry not processed by gateway", "R85": "Incorrectly coded outbound international payment",
    ]
}
