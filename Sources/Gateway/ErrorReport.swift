import Canonical
import FormatKit
import Mapping

/// Why a file yielded no records: what a person needs to fix the sender's file
/// (spec/canonical.md "Errors"). Written as `<name>.error.json` beside a quarantined file.
public struct ErrorReport: Error, Codable, Sendable, CustomStringConvertible {
    public enum Stage: String, Codable, Sendable { case pickup, detect, read, map, validate, commit, emit }

    public var file: String
    public var sha256: String?
    public var partner: String?
    public var format: String?
    public var stage: Stage
    public var code: String
    public var message: String
    public var line: Int?
    public var column: Int?
    public var segment: String?
    public var field: String?

    public init(file: String, sha256: String? = nil, partner: String? = nil, format: String? = nil, stage: Stage,
                code: String, message: String, line: Int? = nil, column: Int? = nil, segment: String? = nil, field: String? = nil) {
        self.file = file; self.sha256 = sha256; self.partner = partner; self.format = format; self.stage = stage
        self.code = code; self.message = FormatError.capped(message); self.line = line; self.column = column; self.segment = segment; self.field = field
    }

    /// A report for any error thrown while handling a file.
    public init(_ error: Error, file: String, sha256: String?, partner: String?, format: String?, stage: Stage) {
        switch error {
        case let e as ErrorReport:
            self = e
            self.sha256 = self.sha256 ?? sha256
        case let e as FormatError:
            self.init(file: file, sha256: sha256, partner: partner, format: format, stage: stage, code: e.code, message: e.message,
                      line: e.line, column: e.column, segment: e.segment, field: e.field)
        case let e as FormatErrors where !e.errors.isEmpty:
            self.init(e.errors[0], file: file, sha256: sha256, partner: partner, format: format, stage: stage)
            if e.errors.count > 1 { message += " (and \(e.errors.count - 1) more findings)" }
        case let e as MappingError:
            self.init(file: file, sha256: sha256, partner: partner, format: format, stage: .map, code: "mapping.failed",
                      message: "\(e.message) (mapping \(e.mapping))", line: e.line, column: e.column, field: e.field)
        default:
            self.init(file: file, sha256: sha256, partner: partner, format: format, stage: stage, code: "\(stage.rawValue).failed", message: "\(error)")
        }
    }

    public var json: String { (try? OrderedJSONEncoder.line(self)) ?? "{}" }

    public var description: String {
        FileNames.escaped(file) + ": " + FileNames.printable(FormatError.located(message, code: code, line: line, column: column, segment: segment, field: field))
    }
}
