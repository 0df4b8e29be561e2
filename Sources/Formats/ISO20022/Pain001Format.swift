import FormatKit

/// pain.001 CustomerCreditTransferInitiation (ISO 20022): written from `payment` records as
/// .001.03 or .001.09 (XSD-validated), and read back one unit per transfer.
public enum Pain001Format: Format {
    public static let id = "pain001"
    public static let summary = "ISO 20022 pain.001 credit transfer initiation (.001.03/.001.09), write (XSD-validated) and read"

    public static func detect(_ prefix: [UInt8]) -> Bool { ISONamespace.declares("pain.001.", in: prefix) }
    public static func reader(options: FormatOptions) -> DocumentReader? { Pain001Reader(options: options) }
    public static func writer(options: FormatOptions) -> RecordWriter? { Pain001Writer(options: options) }
}
