import FormatKit

/// camt.053 BankToCustomerStatement (ISO 20022), read into `statement` units.
/// Detected by the root namespace `urn:iso:std:iso:20022:tech:xsd:camt.053.*`.
public enum Camt053Format: Format {
    public static let id = "camt053"
    public static let summary = "ISO 20022 camt.053 bank-to-customer statement (.001.02/.04/.08 and others), read"

    public static func detect(_ prefix: [UInt8]) -> Bool { ISONamespace.declares("camt.053.", in: prefix) }
    public static func reader(options: FormatOptions) -> DocumentReader? { CamtStatementReader(options: options) }
}

/// camt.052 BankToCustomerAccountReport (intraday reports; banks replacing MT942 send them), read
/// like camt.053: one `Rpt` unit at a time, the same statement lines.
public enum Camt052Format: Format {
    public static let id = "camt052"
    public static let summary = "ISO 20022 camt.052 bank-to-customer account report (intraday), read"

    public static func detect(_ prefix: [UInt8]) -> Bool { ISONamespace.declares("camt.052.", in: prefix) }
    public static func reader(options: FormatOptions) -> DocumentReader? { CamtStatementReader(options: options, message: .report) }
}

/// camt.054 BankToCustomerDebitCreditNotification (debit and credit notifications), read like
/// camt.053: one `Ntfctn` unit at a time, the same statement lines (usually without balances).
public enum Camt054Format: Format {
    public static let id = "camt054"
    public static let summary = "ISO 20022 camt.054 bank-to-customer debit/credit notification, read"

    public static func detect(_ prefix: [UInt8]) -> Bool { ISONamespace.declares("camt.054.", in: prefix) }
    public static func reader(options: FormatOptions) -> DocumentReader? { CamtStatementReader(options: options, message: .notification) }
}
