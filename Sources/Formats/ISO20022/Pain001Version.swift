import XMLSupport

/// The pain.001 (CustomerCreditTransferInitiation) versions the writer produces, and where they differ:
/// .03 (2009, SEPA "classic") writes `BIC` and a plain `ReqdExctnDt`; .09 (2019) writes `BICFI`
/// and `ReqdExctnDt/Dt`.
public enum Pain001Version: String, Sendable, CaseIterable {
    case v03 = "pain.001.001.03"
    case v09 = "pain.001.001.09"

    /// Accepts `pain.001.001.03`, `001.03`, `03`, `3` (and the same for 09).
    public init?(setting: String) {
        let digits = setting.split(separator: ".").last.map(String.init) ?? setting
        switch Int(digits) {
        case 3: self = .v03
        case 9: self = .v09
        default: return nil
        }
    }

    public var namespace: String { ISONamespace.prefix + rawValue }
    /// The schema's file name in the XSD directory.
    public var schemaFile: String { rawValue + ".xsd" }
    /// The element holding a BIC inside `FinInstnId`.
    var bicElement: String { self == .v03 ? "BIC" : "BICFI" }

    func writeExecutionDate(_ date: String, into xml: inout XMLWriter) {
        switch self {
        case .v03: xml.leaf("ReqdExctnDt", date)
        case .v09: xml.element("ReqdExctnDt") { $0.leaf("Dt", date) }
        }
    }
}
