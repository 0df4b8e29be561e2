import Canonical

/// The MIG (Message Implementation Guideline) version a channel speaks. 4.1 is current (UTF-8);
/// 3.2 is the legacy version some senders still use (UTF-8 or Big5).
public enum MIGVersion: String, Sendable, CaseIterable {
    case v41 = "4.1"
    case v32 = "3.2"
}

/// What a message says, independent of its version.
public enum MessageFamily: String, Sendable {
    case invoice, allowance, cancelInvoice, voidInvoice, cancelAllowance

    /// The canonical invoice `kind` this family carries.
    public var kind: Invoice.Kind {
        switch self {
        case .invoice: .invoice
        case .allowance: .allowance
        case .cancelInvoice: .cancel
        case .voidInvoice: .void
        case .cancelAllowance: .allowanceCancel
        }
    }
}

/// One platform message: its code (`F0401`), MIG version, root element and upload folder.
///
/// MIG 4.1 merged B2B and B2C platform storage into the F/G messages (folder `B2SSTORAGE`);
/// MIG 3.2 kept B2C (`C`/`D`, folder `B2CSTORAGE`) and B2B storage (`A`/`B`, folder `B2BSTORAGE`) apart.
public struct MessageType: Sendable, Hashable, CustomStringConvertible {
    public let code: String
    public let version: MIGVersion
    public let family: MessageFamily
    /// The upload client's folder under `UpCast/` (`B2SSTORAGE`, `B2CSTORAGE`, `B2BSTORAGE`).
    public let uploadArea: String

    public var description: String { "\(code) (MIG \(version.rawValue))" }
    /// `urn:GEINV:eInvoiceMessage:F0401:4.1`
    public var namespace: String { "urn:GEINV:eInvoiceMessage:\(code):\(version.rawValue)" }
    /// The schema file for this message in a folder of MIG XSDs.
    public var schemaFileName: String { code + ".xsd" }

    public var rootElement: String {
        switch family {
        case .invoice: "Invoice"
        case .allowance: "Allowance"
        case .cancelInvoice: "CancelInvoice"
        case .voidInvoice: "VoidInvoice"
        case .cancelAllowance: "CancelAllowance"
        }
    }

    /// B2C messages (and 4.1's merged ones) carry random number, print/donate marks and carrier.
    public var carriesConsumerFields: Bool { code == "F0401" || code == "C0401" }
    /// The invoice total is split into taxable / tax-free / zero-rated sales.
    public var splitsSalesByTaxType: Bool { code == "F0401" || code == "C0401" }
    /// Each product line states its own tax type (MIG 4.x).
    public var linesCarryTaxType: Bool { code == "F0401" }

    public static let all: [MessageType] = [
        MessageType(code: "F0401", version: .v41, family: .invoice, uploadArea: "B2SSTORAGE"),
        MessageType(code: "F0501", version: .v41, family: .cancelInvoice, uploadArea: "B2SSTORAGE"),
        MessageType(code: "F0701", version: .v41, family: .voidInvoice, uploadArea: "B2SSTORAGE"),
        MessageType(code: "G0401", version: .v41, family: .allowance, uploadArea: "B2SSTORAGE"),
        MessageType(code: "G0501", version: .v41, family: .cancelAllowance, uploadArea: "B2SSTORAGE"),
        MessageType(code: "C0401", version: .v32, family: .invoice, uploadArea: "B2CSTORAGE"),
        MessageType(code: "C0501", version: .v32, family: .cancelInvoice, uploadArea: "B2CSTORAGE"),
        MessageType(code: "C0701", version: .v32, family: .voidInvoice, uploadArea: "B2CSTORAGE"),
        MessageType(code: "D0401", version: .v32, family: .allowance, uploadArea: "B2CSTORAGE"),
        MessageType(code: "D0501", version: .v32, family: .cancelAllowance, uploadArea: "B2CSTORAGE"),
        MessageType(code: "A0401", version: .v32, family: .invoice, uploadArea: "B2BSTORAGE"),
        MessageType(code: "A0501", version: .v32, family: .cancelInvoice, uploadArea: "B2BSTORAGE"),
        MessageType(code: "B0401", version: .v32, family: .allowance, uploadArea: "B2BSTORAGE"),
        MessageType(code: "B0501", version: .v32, family: .cancelAllowance, uploadArea: "B2BSTORAGE"),
    ]

    /// The message with this code, optionally in a given version.
    public static func named(_ code: String, version: MIGVersion? = nil) -> MessageType? {
        all.first { $0.code == code.uppercased() && (version == nil || $0.version == version) }
    }

    /// The message from a document's root namespace (`urn:GEINV:eInvoiceMessage:C0401:3.2`);
    /// a 3.1 namespace reads as its 3.2 message (the fields this reader uses are the same).
    public static func from(namespace: String) -> MessageType? {
        let parts = namespace.split(separator: ":")
        guard parts.count == 5, parts[0] == "urn", parts[1] == "GEINV", parts[2] == "eInvoiceMessage" else { return nil }
        let version: MIGVersion = parts[4].hasPrefix("4") ? .v41 : .v32
        return named(String(parts[3]), version: version)
    }

    /// The message for a canonical invoice kind: 4.1 uses F/G for every buyer; 3.2 uses the
    /// B2C messages for a consumer buyer and the B2B storage messages (A/B) for a business buyer.
    /// 3.2 has no B2B void message.
    public static func forKind(_ kind: Invoice.Kind, version: MIGVersion, businessBuyer: Bool) -> MessageType? {
        let family: MessageFamily
        switch kind {
        case .invoice: family = .invoice
        case .allowance, .creditNote: family = .allowance
        case .cancel: family = .cancelInvoice
        case .void: family = .voidInvoice
        case .allowanceCancel: family = .cancelAllowance
        case .debitNote: return nil
        }
        let candidates = all.filter { $0.version == version && $0.family == family }
        if version == .v41 { return candidates.first }
        return candidates.first { ($0.uploadArea == "B2BSTORAGE") == businessBuyer }
    }
}
