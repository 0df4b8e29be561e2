import ArgumentParser
import Foundation
import FormatKit
import Gateway

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check files and list every finding (not just the first), each with line, position, segment and field.",
        discussion: "Exit 0 when every file is clean, 65 otherwise.")

    @OptionGroup var config: ConfigOptions
    @OptionGroup var read: ReadOptions

    @Flag(help: "Only the format's own checks (structure, fields, counts, totals); skip mapping every unit to its record.")
    var formatOnly = false

    @Argument(help: "Files to check.")
    var files: [String]

    func run() throws {
        let cfg = try config.loadIfPresent()
        let translator = Translator(mappings: try loadMappings(config))
        var failed = false
        for path in files {
            // A missing or unreadable file is a finding (exit 65), and the other files are still checked.
            let job: Translator.Job
            do {
                _ = try ByteReader(path: path)
                job = try read.job(for: path, config: cfg)
            } catch let e as ValidationError {
                throw e
            } catch {
                failed = true
                print("\(path): cannot be read: \((error as? FormatError)?.message ?? "\(error)")")
                continue
            }
            // The format's own checks (every finding), then the mapping (the first problem).
            var findings = [FormatError]()
            if let formatID = job.format ?? detectFormat(path), let format = FormatRegistry.format(formatID),
               let reader = format.reader(options: job.options), let input = try? ByteReader(path: path) {
                findings = reader.validate(input)
            }
            let errors = findings.filter { $0.severity == .error }
            var mappingProblem: String?
            var count = 0
            if errors.isEmpty && !formatOnly {
                do { count = try translator.translate(job) { _, _, _ in } } catch { mappingProblem = error.descriptionWithoutFile }
            }
            let problems = errors.count + (mappingProblem == nil ? 0 : 1)
            let warnings = findings.count - errors.count
            if problems == 0 {
                print("\(path): OK" + (formatOnly ? "" : ", \(count) record(s)") + (warnings > 0 ? ", \(warnings) warning(s)" : ""))
            } else {
                failed = true
                print("\(path): \(problems) error(s)" + (warnings > 0 ? ", \(warnings) warning(s)" : ""))
            }
            for f in findings { print("  \(f.severity == .warning ? "warning: " : "")\(f.description)") }
            if let mappingProblem { print("  " + mappingProblem) }
        }
        if failed { throw Exit.dataError }
    }

    func detectFormat(_ path: String) -> String? {
        guard let input = try? ByteReader(path: path), let prefix = try? input.peek(4096) else { return nil }
        return FormatRegistry.detect(prefix)?.id
    }
}

extension ErrorReport {
    var descriptionWithoutFile: String { String(description.dropFirst(file.count + 2)) }
}
