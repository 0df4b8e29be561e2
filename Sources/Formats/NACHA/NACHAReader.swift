import FormatKit

/// Reads NACHA ACH files into `entry` units (see `EntryUnit`), checking everything `validate` checks.
public struct NACHAReader: DocumentReader {
    public let options: NACHAOptions
    public let encoding: TextEncoding

    public init(options: NACHAOptions = NACHAOptions(), encoding: TextEncoding = .utf8) {
        self.options = options; self.encoding = encoding
    }

    /// Emits each entry as it is read; throws at the first error (warnings such as short lines do not stop it).
    public func read(_ input: ByteReader, emit: (Node) throws -> Void) throws {
        try withoutActuallyEscaping(emit) { emit in
            var parser = NACHAParser(findings: Findings(options: options, stopAtFirstError: true), emit: emit)
            try parser.parse(input, encoding: encoding)
        }
    }

    /// Every finding in the file, errors and warnings, each naming line, record type and field.
    public func validate(_ input: ByteReader) -> [FormatError] {
        let findings = Findings(options: options, stopAtFirstError: false)
        var parser = NACHAParser(findings: findings, emit: nil)
        do { try parser.parse(input, encoding: encoding) } catch let e as FormatErrors {
            return findings.report() + e.errors
        } catch let e as FormatError {
            return findings.report() + [e]
        } catch {
            return findings.report() + [FormatError("nacha.read", "\(error)")]
        }
        return findings.report()
    }
}
