import ArgumentParser
import Foundation
import Gateway

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the configuration for what bites later: key permissions, pinned host keys, schemas, folders, disk space, time zones.",
        discussion: """
            Prints one line per check (OK, WARN, FAIL) and, for each finding, how to fix it. Exit 0 when nothing \
            failed (warnings allowed), 1 when a check failed, 78 when the configuration does not load.
            """)

    @OptionGroup var config: ConfigOptions

    func run() throws {
        let cfg: GatewayConfig
        do { cfg = try GatewayConfig.load(path: config.config) } catch let e as ConfigError {
            for p in e.problems {
                print(Doctor.Finding(status: .fail, check: "configuration", message: p, fix: "correct \(config.config) at that path"))
            }
            throw Exit.configError
        }
        let findings = Doctor(defaultPain001Schemas: ResourceLocator().pain001Schemas(mappingsDir: cfg.mappingsDir)).check(cfg)
        for f in findings { print(f) }
        let failed = findings.filter { $0.status == Doctor.Status.fail }.count
        let warned = findings.filter { $0.status == Doctor.Status.warn }.count
        print("\(findings.count) checks: \(failed) failed, \(warned) warnings")
        if failed > 0 { throw ExitCode(1) }
    }
}
