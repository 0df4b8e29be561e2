import Foundation
import Canonical
import FormatKit
import XMLSupport

/// Writes canonical `payment` records (outbound; method `sepa-credit-transfer` or `wire`) as one
/// pain.001 CustomerCreditTransferInitiation file, and releases it only after it validates against
/// the version's XSD.
///
/// Settings (partner settings in `WriteContext.settings`, else the channel's options):
/// - `version`: `pain.001.001.03` (default) or `pain.001.001.09`;
/// - `xsdDirectory`: the folder holding `pain.001.001.0x.xsd` — required, since nothing leaves unvalidated;
/// - `initiatingPartyName` (default: the first debtor's name), `messageIdPrefix` (default `DG`);
/// - `characterSet`: `clean` (default: texts are brought into the SEPA set and each change is
///   reported in `Pain001Output.cleaning`) or `strict` (a text outside the set is an error).
/// MsgId is `<prefix>-<yyyyMMdd>-<n>` with n from the `pain001.message` counter.
public struct Pain001Writer: StreamingRecordWriter, Sendable {
    public var options: FormatOptions

    public init(options: FormatOptions = FormatOptions()) { self.options = options }

    public func write(context: WriteContext, records: RecordStream) throws -> [OutputFile] {
        [try render(context: context, records: records).file]
    }

    /// The file plus every character-set change made to get there.
    public func render(_ records: [Record], context: WriteContext) throws -> Pain001Output {
        try render(context: context) { each in for r in records { try each(r) } }
    }

    /// The same from a stream: each record becomes its (smaller) transfer as it comes.
    public func render(context: WriteContext, records: RecordStream) throws -> Pain001Output {
        let setting = { (key: String) in context.settings[key] ?? options[key] }
        let version = try setting("version").map { text in
            guard let v = Pain001Version(setting: text) else {
                throw FormatError("pain001.version", "unknown pain.001 version \"\(text)\"; use pain.001.001.03 or pain.001.001.09", field: "version")
            }
            return v
        } ?? .v03
        guard let xsdDirectory = setting("xsdDirectory") else {
            throw FormatError("pain001.no-schema", "setting xsdDirectory is not set: a pain.001 is only released after XSD validation", field: "xsdDirectory")
        }
        var builder = Pain001TransferBuilder(strictCharacters: setting("characterSet") == "strict")
        var transfers = [Pain001Transfer]()
        var count = 0
        try records { record in
            if let t = builder.transfer(from: record, index: count) { transfers.append(t) }
            count += 1
        }
        if count == 0 { throw FormatError("pain001.empty", "no payment records to write") }
        if !builder.errors.isEmpty { throw FormatErrors(builder.errors) }

        let day = Self.timestamp(context, "yyyyMMdd")
        let messageId = "\(setting("messageIdPrefix") ?? "DG")-\(day)-\(try context.counters.next("pain001.message"))"
        let initiator = SEPACharacters.clean(setting("initiatingPartyName") ?? transfers[0].debtor.name).text
        let document = Pain001Document(version: version, messageId: messageId, createdAt: Self.timestamp(context, "yyyy-MM-dd'T'HH:mm:ss"),
                                       initiatingPartyName: String(initiator.prefix(70)), transfers: transfers)
        let bytes = document.render()
        try Self.validate(bytes, schema: (xsdDirectory as NSString).appendingPathComponent(version.schemaFile), name: messageId)
        return Pain001Output(file: OutputFile(name: messageId + ".xml", bytes: bytes), version: version, cleaning: builder.notes)
    }

    /// Refuses the file with every XSD finding.
    static func validate(_ bytes: [UInt8], schema path: String, name: String) throws {
        let schema = try XMLSchema.shared(path: path)
        let findings = schema.validate(bytes: bytes, name: name + ".xml")
        if !findings.isEmpty {
            throw FormatErrors(findings.map { var e = $0; e.code = "pain001.xsd-invalid"; e.message = "\(path): " + e.message; return e })
        }
    }

    private static func timestamp(_ context: WriteContext, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.timeZone = context.timeZone
        formatter.dateFormat = pattern
        return formatter.string(from: context.now)
    }
}

/// What `Pain001Writer.render` produced.
public struct Pain001Output: Sendable {
    public var file: OutputFile
    public var version: Pain001Version
    /// Texts changed to fit the SEPA character set, per record and field.
    public var cleaning: [Pain001CleaningNote]
}
