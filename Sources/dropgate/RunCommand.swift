import ArgumentParser
import Foundation
import Canonical
import Console
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
        discussion: "Recovers whatever a previous run left in var/work first. SIGTERM or Ctrl-C stop within seconds: workers are ended and their files are taken again on the next run.")

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Process what is waiting (once stable) and exit.")
    var once = false

    @Option(help: "Worker processes translating side by side (default: `workers:` in the configuration, else one per core).")
    var workers: Int?

    @Flag(help: "Translate in the gateway's own process, one file at a time (a reader's crash then ends the gateway).")
    var inProcess = false

    @Option(help: "The lowest level logged: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(help: "text (one readable line per event) or json (one JSON object per line: time, level, message).")
    var logFormat: String = "text"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))") }
        guard ["text", "json"].contains(logFormat) else { throw ValidationError("--log-format: text or json") }
    }

    func run() throws {
        if logFormat == "json" {
            LoggingSystem.bootstrap { JSONLogHandler(label: $0) }
        } else {
            LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        }
        var logger = Logger(label: "dropgate")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
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
        // The HTTP side (console, API, health, metrics) lives as long as the gateway loop (not for --once).
        var console: ConsoleServer?
        if let http = config.http, !once {
            do {
                console = try ConsoleServer(runner: runner, settings: http, logger: logger)
                try console?.start()
            } catch {
                printErr("cannot start the console: \(error)")
                throw Exit.configError
            }
        }
        runner.run(once: once) { stopRequested.load(ordering: .relaxed) }
        console?.stop()
    }
}

/// This executable's own path (for starting its workers).
func selfExecutable() throws -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    if n > 0 { return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
    return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
}

/// `--log-format json`: one JSON object per line on stderr (`at`, `level`, `message`, metadata).
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [(String, String)] = [("at", ISO8601DateFormatter().string(from: Date())), ("level", event.level.rawValue), ("message", event.message.description)]
        for (k, v) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { fields.append((k, "\(v)")) }
        let text = "{" + fields.map { JSONValue.string($0.0).jsonText + ":" + JSONValue.string($0.1).jsonText }.joined(separator: ",") + "}\n"
        FileHandle.standardError.write(Data(text.utf8))
    }
}
