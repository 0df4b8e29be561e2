import Foundation
import CLibXML2
import FormatKit

/// XML through libxml2, always with network access off and external entities unexpanded.
/// A parsed document is owned by one `XMLDocument` instance and freed with it.
public final class XMLDocument: @unchecked Sendable {
    // @unchecked: the xmlDoc pointer is owned exclusively by this instance, never shared or mutated after init.
    let doc: xmlDocPtr

    /// Options for untrusted input: no network, no DTD loading, no entity substitution, no huge nodes.
    static let safeOptions = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)

    /// Parses `bytes` after `XMLGuard` checked them against `limits` (no DOCTYPE, no entities,
    /// attribute count, depth and text length), so libxml2 never sees a hostile document.
    public init(bytes: [UInt8], name: String = "document.xml", limits: ReaderLimits = .default) throws {
        var guardPass = XMLGuard(limits: limits)
        try guardPass.feed(bytes)
        xmlInitParser()
        var errors = [FormatError]()
        let ctxt = xmlNewParserCtxt()
        defer { xmlFreeParserCtxt(ctxt) }
        let parsed = bytes.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                xmlCtxtReadMemory(ctxt, $0, Int32(buf.count), name, nil, XMLDocument.safeOptions)
            }
        }
        if let err = xmlCtxtGetLastError(ctxt), err.pointee.code != 0 {
            errors.append(XMLDocument.formatError(err.pointee, code: "xml.malformed"))
        }
        guard let parsed, errors.isEmpty else {
            if let parsed { xmlFreeDoc(parsed) }
            throw errors.first ?? FormatError("xml.malformed", "not well-formed XML")
        }
        doc = parsed
    }

    deinit { xmlFreeDoc(doc) }

    /// The root element as a document tree: element names without prefixes, attributes as `@name`
    /// children, text as the value of leaf elements; the namespace URI of the root as `@xmlns`.
    public func tree() -> Node {
        guard let root = xmlDocGetRootElement(doc) else { return Node("") }
        var node = XMLDocument.convert(root)
        if let ns = root.pointee.ns, let href = ns.pointee.href {
            node.children.insert(Node("@xmlns", value: String(cString: href)), at: 0)
        }
        return node
    }

    public var rootName: String? {
        guard let root = xmlDocGetRootElement(doc) else { return nil }
        return String(cString: root.pointee.name)
    }

    public var rootNamespace: String? {
        guard let root = xmlDocGetRootElement(doc), let ns = root.pointee.ns, let href = ns.pointee.href else { return nil }
        return String(cString: href)
    }

    static func convert(_ element: xmlNodePtr) -> Node {
        var node = Node(String(cString: element.pointee.name), line: Int(xmlGetLineNo(element)))
        var attr = element.pointee.properties
        while let a = attr {
            let value = xmlNodeGetContent(UnsafeMutableRawPointer(a).assumingMemoryBound(to: xmlNode.self))
            node.children.append(Node("@" + String(cString: a.pointee.name), value: value.map { String(cString: $0) } ?? ""))
            if let value { dropgate_xmlFree(value) }
            attr = a.pointee.next
        }
        var child = element.pointee.children
        var text = ""
        var hasElements = false
        while let c = child {
            if c.pointee.type == XML_ELEMENT_NODE {
                hasElements = true
                node.children.append(convert(c))
            } else if c.pointee.type == XML_TEXT_NODE || c.pointee.type == XML_CDATA_SECTION_NODE, let content = c.pointee.content {
                text += String(cString: content)
            }
            child = c.pointee.next
        }
        if !hasElements { node.value = text }
        return node
    }

    static func formatError(_ e: xmlError, code: String) -> FormatError {
        let message = e.message.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? "XML error \(e.code)"
        return FormatError(code, message, line: e.line > 0 ? Int(e.line) : nil, column: e.int2 > 0 ? Int(e.int2) : nil)
    }
}

/// A compiled XSD, reusable for many documents. Schemas are read from local files only.
public final class XMLSchema: @unchecked Sendable {
    // @unchecked: the schema is immutable after parsing; each validation makes its own context.
    let schema: xmlSchemaPtr

    /// Loads an XSD file (with the includes/imports it names, relative to its folder).
    public init(path: String) throws {
        xmlInitParser()
        guard let ctxt = xmlSchemaNewParserCtxt(path) else { throw FormatError("xsd.load", "cannot read schema \(path)") }
        defer { xmlSchemaFreeParserCtxt(ctxt) }
        guard let s = xmlSchemaParse(ctxt) else { throw FormatError("xsd.load", "cannot compile schema \(path)") }
        schema = s
    }

    deinit { xmlSchemaFree(schema) }

    /// The compiled schema of the file at `path`, compiled once per process (and again only when
    /// the file changes): a release of thousands of messages reads and compiles each XSD once.
    public static func shared(path: String) throws -> XMLSchema {
        var st = stat()
        let stamp = stat(path, &st) == 0 ? "\(st.st_size)-\(st.st_mtim.tv_sec)-\(st.st_mtim.tv_nsec)" : ""
        cacheLock.lock(); defer { cacheLock.unlock() }
        if let (cachedStamp, schema) = cache[path], cachedStamp == stamp { return schema }
        let schema = try XMLSchema(path: path)
        cache[path] = (stamp, schema)
        return schema
    }

    private nonisolated(unsafe) static var cache: [String: (String, XMLSchema)] = [:]
    private static let cacheLock = NSLock()

    /// Every schema violation in the document, each with its line.
    public func validate(_ document: XMLDocument) -> [FormatError] {
        guard let ctxt = xmlSchemaNewValidCtxt(schema) else { return [FormatError("xsd.internal", "cannot create validation context")] }
        defer { xmlSchemaFreeValidCtxt(ctxt) }
        let collector = ErrorCollector()
        let opaque = Unmanaged.passUnretained(collector).toOpaque()
        xmlSchemaSetValidStructuredErrors(ctxt, collectStructuredError, opaque)
        let rc = xmlSchemaValidateDoc(ctxt, document.doc)
        if rc != 0 && collector.errors.isEmpty {
            collector.errors.append(FormatError("xsd.invalid", "document is not valid against the schema (code \(rc))"))
        }
        return collector.errors
    }

    /// Every schema violation in the document `bytes`, found while reading it (libxml2's reader
    /// with the schema attached): no tree is built, so memory stays flat however large the file.
    /// A document that is not well-formed gives one `xml.malformed` finding.
    public func validate(bytes: [UInt8], name: String = "document.xml") -> [FormatError] {
        xmlInitParser()
        guard let ctxt = xmlSchemaNewValidCtxt(schema) else { return [FormatError("xsd.internal", "cannot create validation context")] }
        defer { xmlSchemaFreeValidCtxt(ctxt) }
        let collector = ErrorCollector()
        xmlSchemaSetValidStructuredErrors(ctxt, collectStructuredError, Unmanaged.passUnretained(collector).toOpaque())
        return bytes.withUnsafeBufferPointer { buf in
            let reader = buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                xmlReaderForMemory($0, Int32(buf.count), name, nil, XMLDocument.safeOptions)
            }
            guard let reader else { return [FormatError("xml.malformed", "not well-formed XML")] }
            defer { xmlFreeTextReader(reader) }
            guard xmlTextReaderSchemaValidateCtxt(reader, ctxt, 0) == 0 else { return [FormatError("xsd.internal", "cannot attach the schema")] }
            var rc: Int32
            repeat { rc = xmlTextReaderRead(reader) } while rc == 1
            if rc < 0 {
                if let err = xmlGetLastError(), err.pointee.domain != Int32(XML_FROM_SCHEMASV.rawValue), err.pointee.code != 0 {
                    return collector.errors + [XMLDocument.formatError(err.pointee, code: "xml.malformed")]
                }
                if collector.errors.isEmpty { return [FormatError("xml.malformed", "not well-formed XML")] }
            }
            if collector.errors.isEmpty && xmlTextReaderIsValid(reader) != 1 {
                return [FormatError("xsd.invalid", "document is not valid against the schema")]
            }
            return collector.errors
        }
    }
}

private final class ErrorCollector { var errors: [FormatError] = [] }

private let collectStructuredError: xmlStructuredErrorFunc = { userData, error in
    guard let userData, let error else { return }
    let collector = Unmanaged<ErrorCollector>.fromOpaque(userData).takeUnretainedValue()
    collector.errors.append(XMLDocument.formatError(error.pointee, code: "xsd.invalid"))
}
