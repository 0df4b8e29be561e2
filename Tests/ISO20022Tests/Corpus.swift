import TestSupport
import Foundation
import FormatKit
import Testing

/// The shared public corpus (`ProjectPaths.corpus`); the conformance suites are skipped without it.
enum Corpus {
    static let packageRoot = ProjectPaths.packageRoot
    static let root = ProjectPaths.corpus()

    static var iso20022: String? { root.map { $0 + "/xsd/iso20022" } }

    /// Rows of the ISO 20022 MANIFEST.tsv: (file path relative to xsd/, note).
    static func manifest() throws -> [(file: String, note: String)] {
        guard let root else { return [] }
        let text = try String(contentsOfFile: root + "/xsd/MANIFEST.tsv", encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return (cols[0], cols.count > 4 ? cols[4] : "")
        }
    }

    static func reader(_ relative: String) throws -> ByteReader {
        try ByteReader(path: iso20022! + "/" + relative)
    }

    static var skipReason: Comment { Comment(rawValue: ProjectPaths.corpusSkipReason("xsd/iso20022")) }
}

/// This target's own inputs (Tests/ISO20022Tests/Fixtures), written by the project.
enum Fixtures {
    static func path(_ name: String) -> String { ProjectPaths.fixture("ISO20022Tests", name) }
    static func reader(_ name: String) throws -> ByteReader { try ByteReader(path: path(name)) }
    /// The pain.001 XSDs of `make schemas`; the suites that validate are skipped without them.
    static let pain001Schemas = ProjectPaths.pain001Schemas
    static var pain001SkipReason: Comment { Comment(rawValue: ProjectPaths.pain001SkipReason) }
}

/// Runs a reader over an input and collects its units.
func units(_ reader: DocumentReader, _ input: ByteReader) throws -> [Node] {
    var out = [Node]()
    try reader.read(input) { out.append($0) }
    return out
}

/// A node at a slash path (first match at each step), for assertions.
extension Node {
    func at(_ path: String) -> Node? {
        var node: Node? = self
        for step in path.split(separator: "/") { node = node?.child(String(step)) }
        return node
    }
    func value(_ path: String) -> String? { at(path)?.value }
}
