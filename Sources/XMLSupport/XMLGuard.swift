import FormatKit

/// A cheap pass over inbound XML bytes before libxml2 sees them, refusing what banks and the
/// platform never send and what makes libxml2 slow (it is quadratic in the attributes of one
/// element): a DOCTYPE (`xml.doctype`), an entity reference other than the five predefined ones
/// and character references (`xml.entity`), more attributes on one element than
/// `maxXMLAttributes` (`xml.attributes`), nesting deeper than `maxXMLDepth` (`xml.depth`), and an
/// element text or attribute value longer than `maxFieldBytes` (`xml.text-too-long`). Each error
/// names the line and column. Streaming: feed the bytes chunk by chunk as they are read.
///
/// It does not check well-formedness (libxml2 does); it only has to be right on well-formed input
/// and never slower than linear on anything.
public struct XMLGuard {
    private enum State {
        case text, lt, bang, comment, cdata, pi, endTag, tag, entity
    }

    public let limits: ReaderLimits
    private var state = State.text
    private var line = 1
    private var column = 0
    private var depth = 0
    private var attributes = 0
    private var quote: UInt8 = 0
    private var lastWasSlash = false
    private var run = 0          // bytes of the current text run or attribute value
    private var marks = 0        // `-`/`]`/`?` seen at the end of a comment, CDATA or PI
    private var buffer: [UInt8] = []
    private var entityReturn = State.text
    private var entityAt = (line: 0, column: 0)

    public init(limits: ReaderLimits = .default) { self.limits = limits }

    /// Checks the next bytes of the document.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws {
        for b in bytes { try step(b) }
    }

    private static let predefined: Set<[UInt8]> = Set(["lt", "gt", "amp", "quot", "apos"].map { Array($0.utf8) })
    private static let doctype = Array("DOCTYPE".utf8), comment = Array("--".utf8), cdata = Array("[CDATA[".utf8)

    private mutating func step(_ b: UInt8) throws {
        if b == 10 { line += 1; column = 0 } else { column += 1 }
        switch state {
        case .text:
            if b == 60 { state = .lt; run = 0 } else if b == 38 { startEntity(returnTo: .text) } else { try grow() }
        case .lt:
            switch b {
            case 47: state = .endTag
            case 33: state = .bang; buffer.removeAll(keepingCapacity: true)
            case 63: state = .pi; marks = 0
            default:
                depth += 1
                guard depth <= limits.maxXMLDepth else {
                    throw error("xml.depth", "elements nest deeper than \(limits.maxXMLDepth) levels (limit maxXMLDepth)")
                }
                state = .tag; attributes = 0; quote = 0; lastWasSlash = false
            }
        case .bang:
            buffer.append(b)
            if buffer == Self.comment { state = .comment; marks = 0 }
            else if buffer == Self.cdata { state = .cdata; marks = 0; run = 0 }
            else if buffer == Self.doctype {
                throw error("xml.doctype", "the document has a DOCTYPE (inbound XML must not declare a DTD or entities)")
            } else if !(Self.comment.starts(with: buffer) || Self.cdata.starts(with: buffer) || Self.doctype.starts(with: buffer)) {
                throw error("xml.doctype", "markup declaration <!\(String(decoding: buffer, as: UTF8.self)) is not allowed in inbound XML")
            }
        case .comment:
            if b == 45 { marks += 1 } else if b == 62 && marks >= 2 { state = .text } else { marks = 0 }
        case .cdata:
            if b == 93 { marks += 1 } else if b == 62 && marks >= 2 { state = .text; run = 0 } else { marks = 0 }
            try grow()
        case .pi:
            if b == 63 { marks = 1 } else if b == 62 && marks == 1 { state = .text } else { marks = 0 }
        case .endTag:
            if b == 62 { depth -= 1; state = .text; run = 0 }
        case .tag:
            if quote != 0 {
                if b == quote { quote = 0 } else if b == 38 { startEntity(returnTo: .tag) } else { try grow() }
            } else if b == 34 || b == 39 {
                quote = b; run = 0
            } else if b == 61 {
                attributes += 1
                guard attributes <= limits.maxXMLAttributes else {
                    throw error("xml.attributes", "an element has more than \(limits.maxXMLAttributes) attributes (limit maxXMLAttributes)")
                }
            } else if b == 62 {
                if lastWasSlash { depth -= 1 }
                state = .text; run = 0
            }
            if quote == 0 { lastWasSlash = b == 47 }
        case .entity:
            if b == 59 {
                if !(buffer.first == 35 || Self.predefined.contains(buffer)) {
                    throw FormatError("xml.entity", "entity reference &\(String(decoding: buffer, as: UTF8.self)); (inbound XML must not use entities)",
                                      line: entityAt.line, column: entityAt.column)
                }
                state = entityReturn
            } else {
                buffer.append(b)
                guard buffer.count <= 32 else {
                    throw FormatError("xml.entity", "a bare & that starts no character or predefined entity reference",
                                      line: entityAt.line, column: entityAt.column)
                }
            }
        }
    }

    private mutating func startEntity(returnTo: State) {
        entityReturn = returnTo; state = .entity; entityAt = (line, column)
        buffer.removeAll(keepingCapacity: true)
    }

    private mutating func grow() throws {
        run += 1
        guard run <= limits.maxFieldBytes else {
            throw error("xml.text-too-long", "an element's text or attribute value is longer than \(limits.maxFieldBytes) bytes (limit maxFieldBytes)")
        }
    }

    private func error(_ code: String, _ message: String) -> FormatError {
        FormatError(code, message, line: line, column: column)
    }
}
