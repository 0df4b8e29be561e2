import FormatKit
import CSVFormat
import MT940

/// Every format the gateway knows, by id. Adding a format is one folder and one line here.
public enum FormatRegistry {
    public static let all: [any Format.Type] = [
        CSVFormat.self,
        MT940Format.self,
    ]

    public static func format(_ id: String) -> (any Format.Type)? { all.first { $0.id == id } }
    public static var ids: [String] { all.map { $0.id } }

    /// The first format whose detection accepts these leading bytes.
    public static func detect(_ prefix: [UInt8]) -> (any Format.Type)? { all.first { $0.detect(prefix) } }
}
