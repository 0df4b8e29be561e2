/// Which segments open a loop and which belong to it, per transaction set: the part of each
/// set's grammar the document tree needs so that a mapping can say `N1[01=ST]/N3/01` or
/// `PO1/PID/05`. A loop's member segments become children of the segment that opens it.
/// `HL` loops of every set nest by HL02 (the parent's HL01) instead of by this table.
struct X12LoopRule: Sendable {
    /// Segments that belong to the loop (after its opening segment).
    let members: Set<String>
    /// Loops that may open inside this one.
    let childLoops: Set<String>
}

enum X12LoopRules {
    static let party = X12LoopRule(members: ["N2", "N3", "N4", "REF", "PER", "FOB", "TD1", "TD5", "TD3", "TD4", "PKG", "SI", "DTM", "FOB"], childLoops: [])
    static let totals = X12LoopRule(members: ["AMT"], childLoops: [])

    /// Loop rules by ST01, and the loops that may open at the top of that set.
    static func rules(for set: String) -> (loops: [String: X12LoopRule], top: Set<String>) {
        switch set {
        case "850":
            return (["N1": party, "CTT": totals,
                     "PO1": X12LoopRule(members: ["LIN", "SI", "CUR", "CN1", "PO3", "CTP", "PAM", "MEA", "PID", "PWK", "PO4", "REF",
                                                  "PER", "SAC", "IT8", "CSH", "ITD", "DIS", "INC", "TAX", "FOB", "SDQ", "IT3", "DTM",
                                                  "TC2", "TD1", "TD5", "TD3", "TD4", "PCT", "MAN", "MSG", "SPI", "TXI", "CTB", "QTY",
                                                  "SCH", "SLN", "AMT", "N9"], childLoops: ["N1"])],
                    ["N1", "PO1", "CTT"])
        case "810":
            return (["N1": party, "CTT": totals, "SAC": X12LoopRule(members: ["TXI"], childLoops: []),
                     "IT1": X12LoopRule(members: ["CRC", "QTY", "CUR", "IT3", "TXI", "CTP", "PAM", "MEA", "PID", "PWK", "PKG", "PO4",
                                                  "ITD", "REF", "YNQ", "PER", "IT8", "SDQ", "DTM", "CAD", "L7", "SR", "SAC", "SLN",
                                                  "FA1", "FA2"], childLoops: ["N1"])],
                    ["N1", "IT1", "SAC", "CTT"])
        case "856":
            return (["N1": party, "CTT": totals], ["CTT"])
        case "997":
            return (["AK2": X12LoopRule(members: ["AK5"], childLoops: ["AK3"]),
                     "AK3": X12LoopRule(members: ["AK4"], childLoops: [])], ["AK2"])
        case "999":
            return (["AK2": X12LoopRule(members: ["IK5"], childLoops: ["IK3"]),
                     "IK3": X12LoopRule(members: ["CTX", "IK4"], childLoops: [])], ["AK2"])
        default:
            return ([:], [])
        }
    }

    /// Every segment after an HL, up to the next HL, belongs to that HL level, except these.
    static let hlExcluded: Set<String> = ["HL", "CTT", "SE"]
    /// Loops that may open inside an HL level.
    static let hlChildLoops: Set<String> = ["N1"]
}
