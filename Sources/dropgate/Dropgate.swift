import ArgumentParser
import Foundation
import Gateway

@main
struct Dropgate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dropgate",
        abstract: "A file-drop gateway for bank files, EDI and e-invoices: folders and SFTP in, canonical records and partner files out.",
        discussion: "Exit codes: 0 success, 65 a file could not be read or written (report on stderr), 78 configuration error.",
        // The full text (commit, folders, formats) only when asked: it may run git in a checkout.
        version: CommandLine.arguments.dropFirst().contains("--version") ? VersionInfo.text() : VersionInfo.number,
        subcommands: [RunCommand.self, TranslateCommand.self, ValidateCommand.self, EmitCommand.self, AckCommand.self,
                      StatusCommand.self, ReplayCommand.self, PostCommand.self, ReconcileCommand.self,
                      SFTPCommand.self, RetryCommand.self, EventsCommand.self, AuditCommand.self, DoctorCommand.self, WorkerCommand.self,
                      SSHDConfigCommand.self, TokenCommand.self]
    )
}

/// Exit codes from sysexits.h.
enum Exit {
    static let dataError = ExitCode(65)
    static let configError = ExitCode(78)
}

/// Options shared by commands that read the configuration.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "The gateway configuration file.")
    var config: String = "gateway.yaml"

    @Option(name: .long, help: "The mappings folder (default: the configuration's, else `mappings` beside it, else the installed one: see `dropgate --version`).")
    var mappings: String?

    /// The mappings folder; when none is found, the error names every place looked at (exit 78).
    func mappingsDirectory() throws -> String {
        do {
            if mappings == nil, FileManager.default.fileExists(atPath: config), let cfg = try? GatewayConfig.load(path: config, checkMappings: false) {
                return try ResourceLocator().mappings(explicit: cfg.mappingsDir)
            }
            let beside = URL(fileURLWithPath: config).standardizedFileURL.deletingLastPathComponent().path + "/mappings"
            return try ResourceLocator().mappings(explicit: mappings, besideConfig: FileManager.default.fileExists(atPath: config) ? beside : nil)
        } catch let e as ResourceError {
            printErr(e.description)
            throw Exit.configError
        }
    }

    /// The configuration if the file exists (commands that can work without one call this).
    func loadIfPresent() throws -> GatewayConfig? {
        guard FileManager.default.fileExists(atPath: config) else { return nil }
        return try load()
    }

    func load() throws -> GatewayConfig {
        do { return try GatewayConfig.load(path: config) } catch let e as ConfigError {
            FileHandle.standardError.write(Data((e.description + "\n").utf8))
            throw Exit.configError
        }
    }
}

func printErr(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

/// `key=value` pairs from repeated options.
func keyValues(_ pairs: [String]) throws -> [String: String] {
    var out = [String: String]()
    for p in pairs {
        guard let eq = p.firstIndex(of: "=") else { throw ValidationError("expected key=value, got \"\(p)\"") }
        out[String(p[..<eq])] = String(p[p.index(after: eq)...])
    }
    return out
}
