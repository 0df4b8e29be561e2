import FormatKit
import CSVFormat
import X12
import ISO20022
import GLFormats
import TWEInvoice
import NACHA
import MT940

/// Every format the gateway knows, by id. Adding a format is one folder and one line here.
public enum FormatRegistry {
    public static let all: [any Format.Type] = [
        CSVFormat.self,
        X12Format.self,
        Camt053Format.self,
        Camt052Format.self,
        Camt054Format.self,
        Pain001Format.self,
        GLCSVFormat.self,
        QuickBooksIIFFormat.self,
        TWEInvoiceFormat.self,
        NACHAFormat.self,
        MT940Format.self,
    ]

    public static func format(_ id: String) -> (any Format.Type)? { all.first { $0.id == id } }
    public static var ids: [String] { all.map { $0.id } }

    /// The first format whose detection accepts these leading bytes.
    public static func detect(_ prefix: [UInt8]) -> (any Format.Type)? { all.first { $0.detect(prefix) } }
}
