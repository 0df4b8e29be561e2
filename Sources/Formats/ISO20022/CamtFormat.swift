import FormatKit

/// camt.053 BankToCustomerStatement (ISO 20022), read into `statement` units.
/// Detected by the root namespace `urn:iso:std:iso:20022:tech:xsd:camt.053.*`.
public enum Camt053Format: Format {
    public static let id = "camt053"
    public static let summary = "ISO 20022 camt.053 bank-to-customer statement (.001.02/.04/.08 and others), read"

    public static func detect(_ prefix: [UInt8]) -> Bool { ISONamespace.declares("camt.053.", in: prefix) }
    public static func reader(options: FormatOptions) -> DocumentReader? { CamtStatementReader(options: options) }
}
