import FormatKit

/// Per-channel switches that relax NACHA validation, named like moov-io/ach's `ValidateOpts`
/// so an operator who knows that library recognises them. Read from the channel's `FormatOptions`
/// values (`allowMissingFileControl: true`).
public struct NACHAOptions: Sendable {
    /// Read a file that has no file header (1) record.
    public var allowMissingFileHeader = false
    /// Read a file that has no file control (9) record.
    public var allowMissingFileControl = false
    /// Do not require the immediate origin to be filled.
    public var bypassOriginValidation = false
    /// Do not check the immediate destination's routing number check digit.
    public var bypassDestinationValidation = false
    /// Accept entries whose check digit does not match the RDFI routing number.
    public var allowInvalidCheckDigit = false
    /// Trace numbers need not ascend within a batch nor start with the ODFI routing number,
    /// and the addenda record indicator need not match the addenda present.
    public var customTraceNumbers = false
    /// A file may hold no batch at all.
    public var allowZeroBatches = false
    /// Accept return reason codes NACHA does not define (R97…).
    public var customReturnCodes = false
    /// Batch header and control may carry different company identifications.
    public var bypassCompanyIdentificationMatch = false
    /// Batch header and control may carry different service class codes.
    public var unequalServiceClassCode = false
    /// Batch numbers need not ascend.
    public var allowUnorderedBatchNumbers = false
    /// Entry/addenda counts in the controls are not compared with the records.
    public var unequalAddendaCounts = false
    /// The file control's batch count, entry/addenda count, entry hash and totals are not compared
    /// with the batches (each batch control still is). Some generators write them wrong.
    public var bypassFileControlTotals = false
    /// The file control's counts, hash and totals must agree with the batches (errors); without it a
    /// disagreement reads with warnings (see `FileControl.validate`).
    public var strictFileControl = false
    /// Non-prenote entries may carry a zero amount.
    public var allowZeroEntryAmount = false
    /// Alphanumeric fields may hold any printable Unicode character.
    public var allowSpecialCharacters = false
    /// Names and descriptions that NACHA requires may be blank.
    public var allowEmptyIndividualName = false
    /// File creation date and time are not checked.
    public var skipFileCreationValidation = false

    public init() {}

    /// The switches set in a channel's options (`true`, `yes`, `1`, `on`).
    public init(_ options: FormatOptions) {
        allowMissingFileHeader = options.flag("allowMissingFileHeader")
        allowMissingFileControl = options.flag("allowMissingFileControl")
        bypassOriginValidation = options.flag("bypassOriginValidation")
        bypassDestinationValidation = options.flag("bypassDestinationValidation")
        allowInvalidCheckDigit = options.flag("allowInvalidCheckDigit")
        customTraceNumbers = options.flag("customTraceNumbers")
        allowZeroBatches = options.flag("allowZeroBatches")
        customReturnCodes = options.flag("customReturnCodes")
        bypassCompanyIdentificationMatch = options.flag("bypassCompanyIdentificationMatch")
        unequalServiceClassCode = options.flag("unequalServiceClassCode")
        allowUnorderedBatchNumbers = options.flag("allowUnorderedBatchNumbers")
        unequalAddendaCounts = options.flag("unequalAddendaCounts")
        bypassFileControlTotals = options.flag("bypassFileControlTotals")
        strictFileControl = options.flag("strictFileControl")
        allowZeroEntryAmount = options.flag("allowZeroEntryAmount")
        allowSpecialCharacters = options.flag("allowSpecialCharacters")
        allowEmptyIndividualName = options.flag("allowEmptyIndividualName")
        skipFileCreationValidation = options.flag("skipFileCreationValidation")
    }
}

/// Where validation findings go. `read` stops at the first error; `validate` collects every
/// finding (up to `limit`, then one note that more were left out, so memory stays bounded).
final class Findings {
    let options: NACHAOptions
    let stopAtFirstError: Bool
    let limit: Int
    private(set) var all: [FormatError] = []
    private var omitted = 0

    init(options: NACHAOptions, stopAtFirstError: Bool, limit: Int = 10_000) {
        self.options = options; self.stopAtFirstError = stopAtFirstError; self.limit = limit
    }

    func add(_ finding: FormatError) throws(FormatErrors) {
        if stopAtFirstError && finding.severity == .error { throw FormatErrors([finding]) }
        if all.count < limit { all.append(finding) } else { omitted += 1 }
    }

    /// Every finding, with a closing note when some were left out.
    func report() -> [FormatError] {
        omitted == 0 ? all : all + [FormatError("nacha.findings-omitted", "\(omitted) more findings were left out", severity: .warning)]
    }
}
