import Foundation
import Gateway
import GRDB
import Hummingbird
import Ledger
#if canImport(Glibc)
import Glibc
#endif

/// `/healthz` (the process answers) and `/readyz` (it can do its work), without authentication.
struct Health {
    let server: ConsoleServer

    struct Check: Encodable, Sendable { var name: String; var ok: Bool; var detail: String }
    struct Readiness: Encodable, Sendable { var ready: Bool; var checks: [Check] }

    func register(_ router: Router<ConsoleContext>) {
        router.get("healthz") { _, _ in JSON.response("{\"status\":\"alive\"}") }
        router.get("readyz") { _, _ in
            let r = readiness()
            return try JSON.response(r, status: r.ready ? .ok : .serviceUnavailable)
        }
    }

    /// The ledger takes a write, every channel folder is there, the mappings folder loads, no SFTP endpoint's breaker is open.
    func readiness() -> Readiness {
        var checks = [Check]()
        let ledger = server.ledger
        do {
            // An UPDATE that changes nothing still takes the write lock: the ledger can commit.
            try ledger.write { try $0.execute(sql: "UPDATE counters SET value = value WHERE name = ''") }
            checks.append(Check(name: "ledger", ok: access(ledger.path, W_OK) == 0, detail: ledger.path))
        } catch {
            checks.append(Check(name: "ledger", ok: false, detail: "\(ledger.path): \(error)"))
        }
        for c in server.config.channels {
            var isDir: ObjCBool = false
            let ok = FileManager.default.fileExists(atPath: c.path, isDirectory: &isDir) && isDir.boolValue
            checks.append(Check(name: "channel \(c.partner)/\(c.name)", ok: ok, detail: ok ? c.path : "\(c.path) is missing"))
        }
        if let problem = server.runner.control.mappingsProblem {
            checks.append(Check(name: "mappings", ok: false, detail: "the mappings folder as it is now does not load (the mappings loaded before are in use): \(problem)"))
        } else {
            checks.append(Check(name: "mappings", ok: true, detail: server.config.mappingsDir))
        }
        let breakers = (try? Queries(ledger: server.reader, config: server.config, control: server.runner.control).breakers()) ?? []
        for b in breakers {
            checks.append(Check(name: "endpoint \(b.endpoint)", ok: b.state != "open", detail: "breaker \(b.state): \(b.summary)"))
        }
        return Readiness(ready: checks.allSatisfy(\.ok), checks: checks)
    }
}
