import FormatKit

/// Walks the segments of a file through its envelopes (ISA/IEA, GS/GE, ST/SE) and checks what
/// the X12 control standards require: trailers present, control numbers in header and trailer
/// equal (compared as numbers, so `000003438` equals `3438`), counts right (IEA01 groups, GE01
/// sets, SE01 segments ST through SE), ISA fields at their fixed widths, dates and times real.
/// Each finding carries the TA1 / AK9 / AK5 code an acknowledgment reports it with.
struct X12EnvelopeChecker {
    struct Options {
        var encoding: TextEncoding = .utf8
        /// A file that simply ends after a set's SE, without GE/IEA, reads with warnings
        /// (some partners' systems truncate trailers). Off by default: TA1 023 / AK9 3 errors.
        var allowMissingTrailers = false
        /// `strictEnvelope: true`: every ISA element at exactly its fixed width (TA1 errors);
        /// by default padded text elements of another width read with warnings.
        var strictEnvelope = false
        /// Implementation grammars each set is checked against, when it has one.
        var grammars: X12Grammars?
        var partner = ""
        /// Only the envelope is wanted (reports and acknowledgments, no grammars): body segments
        /// are counted, not kept, and `onSet` is not called.
        var envelopeOnly = false
        /// Off only in tests (see `X12Tokenizer.scanPath`).
        var scanPath = true
    }

    let options: Options

    /// Reads everything; hands each error-free transaction set to `onSet` as soon as its SE is
    /// read, and each finding to `onFinding` (which may throw to stop early). Returns the reports.
    func scan(_ input: ByteReader, onFinding: (X12Finding) throws -> Void,
              onSet: (X12TransactionSet) throws -> Void) throws -> [X12InterchangeReport] {
        try withoutActuallyEscaping(onFinding) { onFinding in
            try withoutActuallyEscaping(onSet) { onSet in
                var state = State(options: options, onFinding: onFinding, onSet: onSet)
                var tokenizer = X12Tokenizer(input, encoding: options.encoding)
                tokenizer.envelopeOnly = options.envelopeOnly && options.grammars == nil
                tokenizer.scanPath = options.scanPath
                while true {
                    let segment: X12Segment?
                    tokenizer.collapseBodies = state.setOpen && !state.keepsBodies
                    do throws(X12Finding) { segment = try tokenizer.next() } catch {
                        try state.fail(error)
                        return state.reports
                    }
                    guard let segment else { break }
                    try state.take(segment, delimiters: tokenizer.delimiters!, standsFor: tokenizer.bodyRun)
                }
                try state.finish()
                return state.reports
            }
        }
    }
}

/// The checker's position in the envelope structure.
private struct State {
    let options: X12EnvelopeChecker.Options
    let onFinding: (X12Finding) throws -> Void
    let onSet: (X12TransactionSet) throws -> Void
    var reports: [X12InterchangeReport] = []

    var interchange: X12InterchangeReport?
    var acknowledgmentSegments = 0
    var group: X12GroupReport?
    var setSegments: [X12Segment] = []
    /// ST through the segment just read (`setSegments.count` unless only the envelope is kept).
    var setSegmentCount = 0
    var setReport: X12SetReport? { didSet { setOpen = setReport != nil } }
    /// `setReport != nil`, kept apart: the test runs once per segment and must not copy the report.
    var setOpen = false
    var setControlNumbers: Set<String> = []
    var lastSegment: X12Segment?

    init(options: X12EnvelopeChecker.Options, onFinding: @escaping (X12Finding) throws -> Void,
         onSet: @escaping (X12TransactionSet) throws -> Void) {
        self.options = options; self.onFinding = onFinding; self.onSet = onSet
    }

    /// ISA, GS, ST, SE, GE, IEA: the segments that end a transaction set's body (compared as
    /// bytes: this runs for every segment of the file).
    static func closesOrOpensSet(_ id: String) -> Bool {
        var id = id
        return id.withUTF8 { b in
            switch b.count {
            case 2: return (b[0] == 0x47 && (b[1] == 0x53 || b[1] == 0x45)) || (b[0] == 0x53 && (b[1] == 0x54 || b[1] == 0x45))
            case 3: return (b[0] == 0x49 && b[1] == 0x53 && b[2] == 0x41) || (b[0] == 0x49 && b[1] == 0x45 && b[2] == 0x41)
            default: return false
            }
        }
    }

    /// Whether body segments are kept for `onSet` and the grammars.
    var keepsBodies: Bool { !options.envelopeOnly || options.grammars != nil }

    /// `standsFor`: how many body segments `s` stands for (see `X12Tokenizer.collapseBodies`).
    mutating func take(_ s: X12Segment, delimiters: X12Delimiters, standsFor run: Int = 1) throws {
        lastSegment = s
        if setOpen && !Self.closesOrOpensSet(s.id) {
            setSegmentCount += run
            if keepsBodies { setSegments.append(s) }
            return
        }
        switch s.id {
        case "ISA":
            if interchange != nil {
                if setReport != nil { try closeSetWithoutTrailer(at: s) }
                if group != nil { try missingTrailer(.group("3", "missing-ge", "group \(group!.controlNumber) has no GE before the next ISA", at: s), at: s) }
                try missingTrailer(X12Finding.interchange("023", "missing-iea", "interchange \(interchange!.header.trimmed(13)) has no IEA before the next ISA", at: s), at: s)
            }
            interchange = X12InterchangeReport(header: s, delimiters: delimiters)
            acknowledgmentSegments = 0
            for f in X12HeaderRules.checkISA(s, strict: options.strictEnvelope) { try record(f) }
        case "GS":
            guard interchange != nil else { return try record(.interchange("024", "gs-outside", "GS outside an interchange", at: s)) }
            if group != nil {
                if setReport != nil { try closeSetWithoutTrailer(at: s) }
                try missingTrailer(.group("3", "missing-ge", "group \(group!.controlNumber) has no GE before the next GS", at: s), at: s)
            }
            group = X12GroupReport(header: s)
            setControlNumbers.removeAll(keepingCapacity: true)
            for f in X12HeaderRules.checkGS(s) { try record(f) }
        case "ST":
            guard group != nil else { return try record(.interchange("024", "st-outside", "ST outside a functional group (no GS)", at: s)) }
            if setReport != nil { try closeSetWithoutTrailer(at: s) }
            setReport = X12SetReport(identifier: s[1], controlNumber: s[2])
            setSegments = [s]
            setSegmentCount = 1
            if s[1].utf8.count != 3 || !s[1].utf8.allSatisfy({ (48...57).contains($0) }) {
                try record(.set("6", "st01", "ST01 \"\(s[1])\" is not a transaction set identifier", at: s, field: "ST01", position: 1))
            }
            if !(4...9).contains(s[2].count) {
                try record(.set("7", "st02", "ST02 \"\(s[2])\" must be 4 to 9 characters", at: s, field: "ST02", position: 1))
            } else if !setControlNumbers.insert(s[2]).inserted {
                try record(.set("23", "st02-duplicate", "ST02 \(s[2]) is used twice in group \(group!.controlNumber)", at: s, field: "ST02", position: 1))
            }
        case "SE":
            guard setReport != nil else { return try record(.group("5", "se-outside", "SE without ST", at: s)) }
            setSegments.append(s)
            setSegmentCount += 1
            let st = setSegments[0]
            if Int(s[1]) != setSegmentCount {
                try record(.set("4", "se01", "SE01 says \(s[1]) segments but transaction set \(st[2]) has \(setSegmentCount) (ST through SE)", at: s, field: "SE01", position: setSegmentCount))
            }
            if !X12HeaderRules.sameControlNumber(st[2], s[2]) {
                try record(.set("3", "se02", "SE02 \(s[2]) differs from ST02 \(st[2])", at: s, field: "SE02", position: setSegmentCount))
            }
            try closeSet()
        case "GE":
            guard let g = group else { return try record(.interchange("024", "ge-outside", "GE without GS", at: s)) }
            if setReport != nil { try closeSetWithoutTrailer(at: s) }
            if Int(s[1]) != g.sets.count {
                try record(.group("5", "ge01", "GE01 says \(s[1]) transaction sets but group \(g.controlNumber) has \(g.sets.count)", at: s, field: "GE01"))
            }
            if !X12HeaderRules.sameControlNumber(g.controlNumber, s[2]) {
                try record(.group("4", "ge02", "GE02 \(s[2]) differs from GS06 \(g.controlNumber)", at: s, field: "GE02"))
            }
            closeGroup()
        case "IEA":
            guard let i = interchange else { return try record(.interchange("024", "iea-outside", "IEA without ISA", at: s)) }
            if group != nil {
                if setReport != nil { try closeSetWithoutTrailer(at: s) }
                try missingTrailer(.group("3", "missing-ge", "group \(group!.controlNumber) has no GE before IEA", at: s), at: s)
            }
            let groups = interchange!.groups.count
            if Int(s[1]) != groups && Int(s[1]) != groups + acknowledgmentSegments {
                try record(.interchange("021", "iea01", "IEA01 says \(s[1]) functional groups but interchange \(i.header.trimmed(13)) has \(groups)", at: s, field: "IEA01"))
            }
            if !X12HeaderRules.sameControlNumber(i.header[13], s[2]) {
                try record(.interchange("001", "iea02", "IEA02 \(s[2]) differs from ISA13 \(i.header[13])", at: s, field: "IEA02"))
            }
            closeInterchange()
        case "TA1" where interchange != nil && group == nil:
            acknowledgmentSegments += 1
        case "ISB" where interchange != nil && group == nil, "ISE" where interchange != nil && group == nil,
             "TA3" where interchange != nil && group == nil:
            // Optional interchange services (grade of service, deferred delivery) and TA3, only between
            // ISA and the first GS. (A `where` after the last pattern alone let ISB and ISE in anywhere.)
            break
        default:
            try record(.interchange("024", "segment-outside", "segment \(s.id) outside a transaction set", at: s))
        }
    }

    /// At the end of the input: whatever is still open lacks its trailer.
    mutating func finish() throws {
        guard let last = lastSegment else {
            return try record(.interchange("023", "empty", "the input holds no X12 segments", at: nil))
        }
        if setReport != nil { try closeSetWithoutTrailer(at: last) }
        if group != nil {
            try missingTrailer(.group("3", "missing-ge", "the input ends without GE for group \(group!.controlNumber)", at: last), at: last)
        }
        if interchange != nil {
            try missingTrailer(.interchange("023", "missing-iea", "the input ends without IEA for interchange \(interchange!.header.trimmed(13))", at: last), at: last)
        }
    }

    /// A tokenizer error: nothing after it can be read. Record it and close what is open as broken.
    mutating func fail(_ fatal: X12Finding) throws {
        if interchange == nil { interchange = X12InterchangeReport(header: X12Segment(id: "ISA", elements: []), delimiters: X12Delimiters()) }
        try record(fatal)
        if setReport != nil {
            try record(.set("2", "set-broken", "transaction set \(setReport!.controlNumber) is cut off by the error above", at: lastSegment))
            group?.sets.append(setReport!)
            setReport = nil
        }
        if group != nil { try record(.group("3", "group-broken", "group \(group!.controlNumber) is cut off by the error above", at: lastSegment)); closeGroup() }
        closeInterchange()
    }

    // MARK: closing

    private mutating func closeSet() throws {
        if let grammars = options.grammars, let st = setSegments.first, let g = group,
           let grammar = grammars.grammar(set: st[1], version: g.version, partner: options.partner) {
            let component = interchange?.delimiters.component ?? UInt8(ascii: ">")
            for f in X12GrammarValidator(grammar: grammar, component: component).validate(setSegments) { try record(f) }
        }
        guard let report = setReport, group != nil, let i = interchange else { return }
        if report.accepted && keepsBodies {
            let warnings = (i.findings + group!.findings + report.findings).filter { !$0.isError }.map(\.error)
            try onSet(X12TransactionSet(interchangeHeader: i.header, groupHeader: group!.header, segments: setSegments, delimiters: i.delimiters,
                                        warnings: warnings))
        }
        // In place: a copy of the group here made closing each set copy all the sets before it.
        group!.sets.append(report)
        setReport = nil
        setSegments = []
    }

    private mutating func closeSetWithoutTrailer(at s: X12Segment) throws {
        try record(.set("2", "missing-se", "transaction set \(setReport!.controlNumber) has no SE before \(s.id)", at: s))
        group?.sets.append(setReport!)
        setReport = nil
        setSegments = []
    }

    private mutating func closeGroup() {
        if let g = group { interchange?.groups.append(g) }
        group = nil
    }

    private mutating func closeInterchange() {
        if let i = interchange { reports.append(i) }
        interchange = nil
    }

    /// A missing GE or IEA: an error, or a warning when the channel allows truncated trailers
    /// at the very end of the input. Closes the structure either way.
    private mutating func missingTrailer(_ finding: X12Finding, at s: X12Segment) throws {
        var f = finding
        if options.allowMissingTrailers && s == lastSegment && s.id != "ISA" && s.id != "GS" && s.id != "IEA" {
            f.error.severity = .warning
        }
        try record(f)
        if f.level == .group { closeGroup() } else { closeGroup(); closeInterchange() }
    }

    private mutating func record(_ f: X12Finding) throws {
        switch f.level {
        case .interchange:
            if interchange == nil { interchange = X12InterchangeReport(header: X12Segment(id: "ISA", elements: []), delimiters: X12Delimiters()) }
            interchange!.findings.append(f)
        case .group: group?.findings.append(f)
        case .transactionSet, .segment: setReport?.findings.append(f)
        }
        try onFinding(f)
    }
}
