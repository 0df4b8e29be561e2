import ArgumentParser
import Foundation
import Canonical
import Gateway
import Ledger

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run an archived file again with today's mappings and show how its records would change.",
        discussion: "Prints a diff of the canonical records (- stored, + now) and stores nothing; exit 0.")

    @OptionGroup var config: ConfigOptions

    @Argument(help: "The file's ledger id, or its SHA-256 (a prefix is enough).")
    var file: String

    func run() throws {
        let cfg = try config.load()
        let ledger = try Ledger(path: cfg.ledgerPath)
        guard let entry = try (Int64(file).flatMap { try ledger.file(id: $0) } ?? ledger.file(sha256: file.lowercased())) else {
            printErr("no file \(file) in the ledger")
            throw Exit.dataError
        }
        guard let path = entry.finalPath, FileManager.default.fileExists(atPath: path) else {
            printErr("file #\(entry.id!) has no archived copy (state \(entry.state.rawValue))")
            throw Exit.dataError
        }
        guard let channel = cfg.channel(partner: entry.partner, name: entry.channel) else {
            printErr("channel \(entry.partner)/\(entry.channel) is no longer in the configuration")
            throw Exit.configError
        }
        let translator = Translator(mappings: try loadMappings(config))
        var now = [String]()
        do {
            try translator.translate(Translator.Job(path: path, fileName: entry.name, sha256: entry.sha256 ?? "", partner: entry.partner,
                                                    channel: entry.channel, format: channel.format, mapping: channel.mapping, options: channel.options)) {
                now.append(try JSONLines.line($0))
            }
        } catch {
            print("replay of #\(entry.id!) \(entry.name) fails now: \(error)")
            return
        }
        let stored = try ledger.records(fileId: entry.id!)
        print("replay of #\(entry.id!) \(entry.name): \(stored.count) stored record(s), \(now.count) now")
        var changed = 0
        for i in 0..<max(stored.count, now.count) {
            let a = i < stored.count ? stored[i] : nil, b = i < now.count ? now[i] : nil
            if a == b { continue }
            changed += 1
            if let a { print("- \(a)") }
            if let b { print("+ \(b)") }
        }
        print(changed == 0 ? "no differences" : "\(changed) record(s) differ")
    }
}
