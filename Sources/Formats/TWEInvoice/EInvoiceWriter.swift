import Foundation
import Canonical
import FormatKit
import XMLSupport

/// Writes canonical `invoice` records as platform messages, one XML file per invoice
/// (`F0401_AB12345678.xml`), as the upload client expects.
///
/// Settings (channel options, overridden by the partner's settings in the write context):
/// `mig` (`4.1` default, or `3.2`), `message` (force one message code, e.g. `C0401`),
/// `xsdDirectory` (folder of the version's XSDs; 4.1 defaults to the bundled ones),
/// `maxFileBytes` (default 15 MB), `businessIdRule` (`mod5` default, or `mod10`).
/// The encoding is the context's: MIG 4.1 is UTF-8 only; 3.2 may be UTF-8 or Big5 (CP950).
///
/// All or nothing: every record is checked (business rules, encoding, size, XSD) and if any
/// fails, nothing is returned and the error lists every finding.
public struct EInvoiceWriter: RecordWriter {
    public static let defaultMaxFileBytes = 15 * 1024 * 1024

    public var options: FormatOptions
    public var rules: BusinessRules
    private let catalog: SchemaCatalog?

    /// `catalog` may be shared between runs so schemas compile once; by default one is made from the settings.
    public init(options: FormatOptions = FormatOptions(), rules: BusinessRules? = nil, catalog: SchemaCatalog? = nil) {
        self.options = options
        self.rules = rules ?? BusinessRules(businessIDRule: BusinessID.ChecksumRule(rawValue: options["businessIdRule"] ?? "") ?? .mod5)
        self.catalog = catalog
    }

    public func write(_ records: [Record], context: WriteContext) throws -> [OutputFile] {
        let settings = options.values.merging(context.settings) { _, partner in partner }
        guard let version = MIGVersion(rawValue: settings["mig"] ?? "4.1") else {
            throw FormatError("tw-einvoice.mig", "unknown MIG version \"\(settings["mig"] ?? "")\" (4.1 or 3.2)")
        }
        let encoding = context.encoding
        if version == .v41 && !encoding.isUTF8 {
            throw FormatError("tw-einvoice.encoding", "MIG 4.1 messages are UTF-8; \(encoding.name) is only for MIG 3.2 channels")
        }
        let maxBytes = Int(settings["maxFileBytes"] ?? "") ?? EInvoiceWriter.defaultMaxFileBytes
        let catalog = self.catalog ?? SchemaCatalog(directories: settings["xsdDirectory"].map { [version: $0] } ?? [:])
        let forced = try settings["message"].map { code -> MessageType in
            guard let m = MessageType.named(code, version: version) else {
                throw FormatError("tw-einvoice.message", "no message \(code) in MIG \(version.rawValue)")
            }
            return m
        }
        let encoder = MessageEncoder(encoding: encoding, maxBytes: maxBytes)

        var errors = [FormatError]()
        var files = [OutputFile]()
        var earlier = Set<String>()
        for (index, record) in records.enumerated() {
            guard case .invoice(let invoice) = record.body else {
                errors.append(FormatError("tw-einvoice.record-type", "record \(index + 1) (\(record.id)) is a \(record.type.rawValue), not an invoice"))
                continue
            }
            do {
                let message = try messageType(for: invoice, forced: forced, version: version)
                let findings = rules.check(invoice, as: message, earlier: earlier)
                if findings.isEmpty {
                    let xml = MessageRenderer(message: message, encodingName: encoder.declaredName).render(invoice, extra: record.extra)
                    let bytes = try encoder.encode(xml, number: invoice.number, message: message)
                    try validate(bytes, against: catalog.schema(for: message), number: invoice.number, message: message)
                    files.append(OutputFile(name: "\(message.code)_\(invoice.number).xml", bytes: bytes))
                }
                errors += findings
            } catch let e as FormatError {
                errors.append(e)
            } catch let e as FormatErrors {
                errors += e.errors
            }
            if [.invoice, .allowance].contains(invoice.kind) { earlier.insert(invoice.number) }
        }
        if !errors.isEmpty { throw FormatErrors(errors) }
        return files
    }

    /// The message an invoice goes as: the forced one (which must fit the kind) or the kind's message.
    func messageType(for invoice: Invoice, forced: MessageType?, version: MIGVersion) throws -> MessageType {
        let businessBuyer = invoice.buyer.id != BusinessID.consumer
        guard let natural = MessageType.forKind(invoice.kind, version: version, businessBuyer: businessBuyer) else {
            throw FormatError("tw-einvoice.kind", "invoice \(invoice.number): kind \(invoice.kind.rawValue) has no MIG \(version.rawValue) message\(businessBuyer ? " for a business buyer" : "")")
        }
        guard let forced else { return natural }
        if forced.family != natural.family {
            throw FormatError("tw-einvoice.message", "invoice \(invoice.number): a \(invoice.kind.rawValue) cannot be sent as \(forced.code)", segment: forced.code)
        }
        return forced
    }

    private func validate(_ bytes: [UInt8], against schema: XMLSchema, number: String, message: MessageType) throws {
        let problems = schema.validate(bytes: bytes, name: "\(message.code)_\(number).xml")
        if !problems.isEmpty {
            throw FormatErrors(problems.map {
                FormatError("tw-einvoice.xsd", "invoice \(number): \($0.message)", line: $0.line, column: $0.column, segment: message.code)
            })
        }
    }
}
