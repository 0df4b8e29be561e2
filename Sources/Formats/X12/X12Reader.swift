import FormatKit

/// Reads X12 files: each transaction set (ST…SE) becomes one unit tree (see `X12TreeBuilder`),
/// handed on as soon as its SE has been read, so memory stays flat however many sets a file holds.
/// A file is rejected on any envelope error (see `X12EnvelopeChecker`); `validate` lists them all.
///
/// Channel options: `allowMissingTrailers: true` accepts a file that ends without its GE/IEA;
/// `strictEnvelope: true` refuses an ISA whose padded elements are not at their fixed widths;
/// `grammars: true` (or a folder) checks every set against its implementation grammar: a set
/// that breaks it refuses the file, and the 997/999 names each fault (AK3/AK4, IK3/IK4).
public struct X12Reader: DocumentReader {
    public var options: FormatOptions
    /// When set, every set with a grammar is checked against it too (see `X12GrammarValidator`).
    public var grammars: X12Grammars?
    /// The partner whose companion guide narrows the grammars (`<set>.<version>.<partner>`).
    public var partner = ""

    public init(options: FormatOptions = FormatOptions()) {
        self.options = options
        self.partner = options.partner
    }

    /// The folder the channel option `grammars` names: `true` for the bundled
    /// `<mappings>/x12/grammar`, or a folder (relative to the mappings folder, or absolute).
    static func grammarFolder(_ options: FormatOptions) -> String? {
        guard let value = options["grammars"], !value.isEmpty, !["false", "no", "0", "off"].contains(value.lowercased()) else { return nil }
        let base = options.mappingsDirectory ?? "mappings"
        if options.flag("grammars") { return base + "/x12/grammar" }
        return value.hasPrefix("/") ? value : base + "/" + value
    }

    func checkerOptions() throws -> X12EnvelopeChecker.Options {
        let grammars = try self.grammars ?? Self.grammarFolder(options).map { try X12Grammars.cached(directory: $0) }
        return X12EnvelopeChecker.Options(encoding: options.encoding, allowMissingTrailers: options.flag("allowMissingTrailers"),
                                          strictEnvelope: options.flag("strictEnvelope"), grammars: grammars, partner: partner)
    }

    public func read(_ input: ByteReader, emit: (Node) throws -> Void) throws {
        _ = try X12EnvelopeChecker(options: try checkerOptions()).scan(input, onFinding: { finding in
            if finding.isError { throw finding.error }
        }, onSet: { set in
            try emit(X12TreeBuilder(delimiters: set.delimiters).build(set))
        })
    }

    public func validate(_ input: ByteReader) -> [FormatError] {
        (try? reports(input).flatMap(Self.findings).map(\.error)) ?? []
    }

    /// The full envelope report of every interchange, group and set (what acknowledgments are made from).
    public func reports(_ input: ByteReader) throws -> [X12InterchangeReport] {
        var options = try checkerOptions()
        options.envelopeOnly = true
        return try X12EnvelopeChecker(options: options).scan(input, onFinding: { _ in }, onSet: { _ in })
    }

    /// The (sender, receiver, ISA13) key of every interchange in the input, in file order, for the
    /// gateway's duplicate-interchange check. Reads the whole input but builds no trees.
    public func interchangeKeys(_ input: ByteReader) throws -> [X12InterchangeKey] {
        try reports(input).map(\.key)
    }

    static func findings(_ r: X12InterchangeReport) -> [X12Finding] {
        var all = r.findings
        for g in r.groups {
            all += g.findings
            for s in g.sets { all += s.findings }
        }
        return all.sorted { ($0.error.line ?? 0, $0.error.column ?? 0) < ($1.error.line ?? 0, $1.error.column ?? 0) }
    }
}
