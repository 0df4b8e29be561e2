import ArgumentParser
import Foundation
import Gateway
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Set by SIGTERM/SIGINT; the gateway finishes the file in hand and stops.
let stopRequested = Atomic<Bool>(false)

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the gateway: watch the inbox folders, translate what arrives, archive or quarantine it.",
        discussion: "Recovers whatever a previous run left in var/work first. SIGTERM or Ctrl-C finish the file in hand and stop.")

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Process what is waiting (once stable) and exit.")
    var once = false

    @Option(help: "Worker processes translating side by side (default: `workers:` in the configuration, else one per core).")
    var workers: Int?

    @Flag(help: "Translate in the gateway's own process, one file at a time (a reader's crash then ends the gateway).")
    var inProcess = false

    func run() throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "dropgate")
        logger.logLevel = .info
        var config = try options.load()
        if let m = options.mappings { config.mappingsDir = m }
        signal(SIGTERM) { _ in stopRequested.store(true, ordering: .relaxed) }
        signal(SIGINT) { _ in stopRequested.store(true, ordering: .relaxed) }
        let runner: GatewayRunner
        let isolation: GatewayRunner.Isolation = inProcess ? .inProcess : .workers(executable: try selfExecutable(), count: workers ?? config.workers)
        do { runner = try GatewayRunner(config: config, logger: logger, isolation: isolation) } catch {
            printErr("cannot start: \(error)")
            throw Exit.configError
        }
        runner.run(once: once) { stopRequested.load(ordering: .relaxed) }
    }
}

/// This executable's own path (for starting its workers).
func selfExecutable() throws -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    if n > 0 { return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
    return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
}
