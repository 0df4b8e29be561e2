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

    @Argument(help: "Files to check.")
    var files: [String]

    func run() throws {
        let cfg = try config.loadIfPresent()
        let translator = Translator(mappings: try loadMappings(config))
        var failed = false
        for path in files {
            let job = try read.job(for: path, config: cfg)
            var findings = [String]()
            // The format's own checks (all findings), then the mapping (first problem).
            if let formatID = job.format ?? detectFormat(path), let format = FormatRegistry.format(formatID),
               let reader = format.reader(options: job.options), let input = try? ByteReader(path: path) {
                findings = reader.validate(input).map(\.description)
            }
            var count = 0
            if findings.isEmpty {
                do { count = try translator.translate(job) { _ in } } catch { findings.append(error.descriptionWithoutFile) }
            }
            if findings.isEmpty {
                print("\(path): OK, \(count) record(s)")
            } else {
                failed = true
                print("\(path): \(findings.count) finding(s)")
                for f in findings { print("  " + f) }
            }
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
