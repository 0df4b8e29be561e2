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

    func run() throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "dropgate")
        logger.logLevel = .info
        var config = try options.load()
        if let m = options.mappings { config.mappingsDir = m }
        signal(SIGTERM) { _ in stopRequested.store(true, ordering: .relaxed) }
        signal(SIGINT) { _ in stopRequested.store(true, ordering: .relaxed) }
        let runner: GatewayRunner
        do { runner = try GatewayRunner(config: config, logger: logger) } catch {
            printErr("cannot start: \(error)")
            throw Exit.configError
        }
        runner.run(once: once) { stopRequested.load(ordering: .relaxed) }
    }
}
