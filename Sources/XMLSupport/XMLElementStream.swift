import Foundation
import CLibXML2
import FormatKit

/// Streams an XML file through libxml2's `xmlTextReader` and hands over, one at a time, the
/// elements with chosen names at a chosen depth, each as a `Node` tree (same shape as
/// `XMLDocument.tree()`). Only one such element is in memory at a time, so memory stays flat
/// however many statements or payment blocks a file holds. Network and entity expansion stay off.
public struct XMLElementStream {
    public let input: ByteReader
    public let limits: ReaderLimits

    /// Every chunk passes `XMLGuard` (no DOCTYPE, no entities, `limits`) before libxml2 reads it.
    public init(_ input: ByteReader, limits: ReaderLimits = .default) { self.input = input; self.limits = limits }

    /// Calls `body` with each element named in `names` whose depth is `depth` (the root is 0),
    /// in document order, and the root element's namespace URI. Throws `xml.malformed` with the
    /// line of the first well-formedness error. Returns the root element's namespace URI.
    @discardableResult
    public func forEach(named names: Set<String>, atDepth depth: Int,
                        _ body: (_ element: Node, _ rootNamespace: String?) throws -> Void) throws -> String? {
        xmlInitParser()
        let source = StreamSource(input, limits: limits)
        let context = Unmanaged.passRetained(source)
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_BIG_LINES.rawValue |
                            XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        // On failure libxml2 has already called closeStream, which released the context.
        guard let reader = xmlReaderForIO(readFromStream, closeStream, context.toOpaque(), input.name, nil, options) else {
            throw FormatError("xml.malformed", "cannot start reading \(input.name) as XML")
        }
        defer { xmlFreeTextReader(reader) }
        xmlTextReaderSetStructuredErrorHandler(reader, collectReaderError, context.toOpaque())

        var rootNamespace: String?
        var status = xmlTextReaderRead(reader)
        while status == 1 {
            if let error = source.firstError { throw error }
            guard xmlTextReaderNodeType(reader) == Int32(XML_READER_TYPE_ELEMENT.rawValue) else {
                status = xmlTextReaderRead(reader)
                continue
            }
            let level = Int(xmlTextReaderDepth(reader))
            if level == 0, let uri = xmlTextReaderConstNamespaceUri(reader) {
                rootNamespace = String(cString: uri)
            }
            let name = xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? ""
            if level == depth && names.contains(name) {
                guard let expanded = xmlTextReaderExpand(reader) else {
                    throw source.firstError ?? FormatError("xml.malformed", "cannot read element \(name)",
                                                            line: Int(xmlTextReaderGetParserLineNumber(reader)))
                }
                if let error = source.firstError { throw error }
                try body(XMLDocument.convert(expanded), rootNamespace)
                status = xmlTextReaderNext(reader)  // skips the subtree; libxml2 frees it as it moves on
            } else {
                status = xmlTextReaderRead(reader)
            }
        }
        if let error = source.firstError { throw error }
        if status < 0 {
            throw FormatError("xml.malformed", "not well-formed XML", line: Int(xmlTextReaderGetParserLineNumber(reader)))
        }
        return rootNamespace
    }
}

/// The ByteReader behind libxml2's read callback, and the first error libxml2 reported.
private final class StreamSource {
    let input: ByteReader
    var pending: [UInt8] = []
    var pendingOffset = 0
    var firstError: FormatError?
    var readError: Error?
    var checker: XMLGuard

    init(_ input: ByteReader, limits: ReaderLimits) { self.input = input; checker = XMLGuard(limits: limits) }

    /// Copies up to `capacity` bytes into `buffer`; 0 at the end, -1 on an I/O error.
    func fill(_ buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int32 {
        if pendingOffset >= pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingOffset = 0
            do {
                if try input.read(appendingTo: &pending) == 0 { return 0 }
                try checker.feed(pending)
            } catch let error as FormatError where error.code.hasPrefix("xml.") {
                firstError = firstError ?? error  // libxml2 has not seen these bytes: it must not parse past the finding
                return -1
            } catch {
                firstError = firstError ?? (error as? FormatError) ?? FormatError("io.read", "\(error)")
                return -1
            }
        }
        let n = min(capacity, pending.count - pendingOffset)
        pending.withUnsafeBufferPointer { bytes in
            UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + pendingOffset, byteCount: n)
        }
        pendingOffset += n
        return Int32(n)
    }
}

private let readFromStream: xmlInputReadCallback = { context, buffer, length in
    guard let context, let buffer else { return -1 }
    return Unmanaged<StreamSource>.fromOpaque(context).takeUnretainedValue().fill(buffer, capacity: Int(length))
}

private let closeStream: xmlInputCloseCallback = { context in
    if let context { Unmanaged<StreamSource>.fromOpaque(context).release() }
    return 0
}

private let collectReaderError: xmlStructuredErrorFunc = { context, error in
    guard let context, let error, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
    let source = Unmanaged<StreamSource>.fromOpaque(context).takeUnretainedValue()
    if source.firstError == nil { source.firstError = XMLDocument.formatError(error.pointee, code: "xml.malformed") }
}
