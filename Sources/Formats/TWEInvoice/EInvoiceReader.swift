import Foundation
import Canonical
import FormatKit
import XMLSupport

/// Reads a platform message (one invoice, allowance, cancel or void per file) or a platform
/// result file (ProcessResult, SummaryResult) into units for the mappings under
/// `mappings/tw-einvoice/`. The encoding comes from the XML declaration (UTF-8 or Big5);
/// libxml2 decodes it and refuses bytes that are not valid in it.
///
/// A message file holds one small document, so it is parsed whole; result files are a few
/// hundred bytes per invoice.
///
/// A message is checked against its XSD when the catalog has one (MIG 4.1 always: bundled; 3.2
/// when the channel sets `xsdDirectory`): inbound XML that is not valid is refused (`xsd.invalid`).
public struct EInvoiceReader: DocumentReader {
    public var limits: ReaderLimits
    let catalog: SchemaCatalog

    public init(options: FormatOptions = FormatOptions()) {
        limits = options.limits
        catalog = Self.catalog(xsdDirectory: options["xsdDirectory"])
    }

    /// One catalog per XSD folder for the process, so schemas are compiled once, not per file.
    private static func catalog(xsdDirectory: String?) -> SchemaCatalog {
        catalogsLock.lock(); defer { catalogsLock.unlock() }
        let key = xsdDirectory ?? ""
        if let c = catalogs[key] { return c }
        let dirs = xsdDirectory.map { [MIGVersion.v32: $0] } ?? [:]
        let c = SchemaCatalog(directories: dirs)
        catalogs[key] = c
        return c
    }
    nonisolated(unsafe) private static var catalogs: [String: SchemaCatalog] = [:]  // guarded by catalogsLock
    private static let catalogsLock = NSLock()

    public func read(_ input: ByteReader, emit: (Node) throws -> Void) throws {
        let doc = try XMLDocument(bytes: try input.readAll(), name: input.name, limits: limits)
        let namespace = doc.rootNamespace ?? ""
        let tree = doc.tree()
        if let message = MessageType.from(namespace: namespace) {
            guard tree.name == message.rootElement else {
                throw FormatError("tw-einvoice.root", "a \(message.code) message has root \(message.rootElement), not \(tree.name)", line: tree.line, segment: message.code)
            }
            if let schema = try? catalog.schema(for: message), let first = schema.validate(doc).first {
                throw first
            }
            try emit(MessageUnit.make(tree, message: message))
        } else if let kind = ResultFileKind(namespace: namespace) {
            for unit in ResultUnits.make(tree, kind: kind) { try emit(unit) }
        } else {
            throw FormatError("tw-einvoice.unknown", "root \(tree.name) in namespace \"\(namespace)\" is no e-invoice message or result this reader knows", line: tree.line)
        }
    }
}

/// The Taiwan e-invoice platform's XML as a gateway format (`tw-einvoice`).
public enum TWEInvoiceFormat: Format {
    public static let id = "tw-einvoice"
    public static let summary = "Taiwan e-invoice MIG 4.1/3.2 XML (F0401…, C0401…) and platform results"

    /// An XML document naming a GEINV namespace near its start.
    public static func detect(_ prefix: [UInt8]) -> Bool {
        let head = significantPrefix(prefix)
        guard head.first == UInt8(ascii: "<") else { return false }
        return String(decoding: head.prefix(1024), as: UTF8.self).contains("urn:GEINV:")
    }

    public static func reader(options: FormatOptions) -> DocumentReader? { EInvoiceReader(options: options) }
    public static func writer(options: FormatOptions) -> RecordWriter? { EInvoiceWriter(options: options) }
}
