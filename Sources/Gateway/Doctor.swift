import Foundation
import Crypto
import Transport
import TWEInvoice
#if canImport(Glibc)
import Glibc
#endif

/// `dropgate doctor`: what an operator gets wrong before it bites, each finding with its fix.
/// Checks keys and secrets (owned by the gateway user, mode 0600), host keys pinned for every SFTP
/// endpoint, schemas for every route's emitter, folders (writable, on the file system of `var/work`
/// so that every move is an atomic rename), free disk space, and the time zone of every window.
public struct Doctor {
    public enum Status: String, Sendable { case ok, warn, fail }

    public struct Finding: Sendable, CustomStringConvertible {
        public var status: Status
        public var check: String
        public var message: String
        /// What to do about it (nil when ok).
        public var fix: String?
        public init(status: Status, check: String, message: String, fix: String? = nil) {
            self.status = status; self.check = check; self.message = message; self.fix = fix
        }
        public var description: String {
            "\(status.rawValue.uppercased().padding(toLength: 4, withPad: " ", startingAt: 0)) \(check): \(message)" + (fix.map { "\n     fix: " + $0 } ?? "")
        }
    }

    /// Free space below this fails, below `warnBytes` warns.
    public var failBytes: Int64 = 100 << 20
    public var warnBytes: Int64 = 1 << 30
    /// Where pain.001 schemas are found when a partner sets no `xsdDirectory`.
    public var defaultPain001Schemas: String?

    public init(defaultPain001Schemas: String? = nil) { self.defaultPain001Schemas = defaultPain001Schemas }

    public func check(_ config: GatewayConfig) -> [Finding] {
        var out = [Finding]()
        out += keys(config)
        out += hostKeys(config)
        out += schemas(config)
        out += folders(config)
        out += diskSpace(config)
        out += timeZones(config)
        out += pgpKeys(config)
        out += dropboxes(config)
        return out
    }

    // MARK: keys and secrets

    private func sftpConnections(_ config: GatewayConfig) -> [(String, SFTPSettings, RunSchedule)] {
        var out = [(String, SFTPSettings, RunSchedule)]()
        for c in config.channels { if let r = c.remote { out.append(("\(c.partner)/\(c.name) remote", r.connection, r.schedule)) } }
        for o in config.outboundChannels { if let d = o.deliver { out.append(("\(o.partner)/\(o.name) deliver", d.connection, d.schedule)) } }
        return out
    }

    func keys(_ config: GatewayConfig) -> [Finding] {
        var out = [Finding]()
        for (label, settings, _) in sftpConnections(config) {
            var files = [(String, String)]()
            switch settings.authentication {
            case .privateKey(let path, let passphrase):
                files.append(("private key", path))
                if case .file(let p)? = passphrase { files.append(("passphrase file", p)) }
            case .password(let source):
                if case .file(let p) = source { files.append(("password file", p)) }
            }
            for (what, path) in files { out.append(Self.secretFile(what: what, path: path, label: label)) }
        }
        return out
    }

    /// A secret must be a regular file, readable, owned by the user the gateway runs as, 0600 or stricter.
    static func secretFile(what: String, path: String, label: String) -> Finding {
        let check = "\(label) \(what)"
        var st = stat()
        guard stat(path, &st) == 0 else {
            return Finding(status: .fail, check: check, message: "\(path) does not exist", fix: "create it, or correct the path in gateway.yaml")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            return Finding(status: .fail, check: check, message: "\(path) is not a regular file", fix: "point the setting at the key file itself")
        }
        let user = Self.userName(geteuid())
        if st.st_uid != geteuid() {
            return Finding(status: .fail, check: check, message: "\(path) is owned by \(Self.userName(st.st_uid)), not by the gateway user \(user)",
                           fix: "chown \(user) \(path)")
        }
        let mode = st.st_mode & 0o777
        if mode & 0o077 != 0 {
            return Finding(status: .fail, check: check, message: "\(path) has mode \(String(mode, radix: 8)): others can read it",
                           fix: "chmod 600 \(path)")
        }
        if access(path, R_OK) != 0 {
            return Finding(status: .fail, check: check, message: "\(path) is not readable by \(user)", fix: "chmod 600 \(path)")
        }
        return Finding(status: .ok, check: check, message: "\(path): owner \(user), mode \(String(mode, radix: 8))")
    }

    static func userName(_ uid: uid_t) -> String {
        guard let pw = getpwuid(uid), let name = pw.pointee.pw_name else { return "uid \(uid)" }
        return String(cString: name)
    }

    // MARK: host keys

    func hostKeys(_ config: GatewayConfig) -> [Finding] {
        sftpConnections(config).map { label, settings, _ in
            let check = "\(label) host key"
            switch settings.hostKey {
            case .fingerprint(let f):
                return Finding(status: .ok, check: check, message: "\(settings.host):\(settings.port) pinned by fingerprint \(f)")
            case .knownHosts(let path):
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    return Finding(status: .fail, check: check, message: "known_hosts file \(path) cannot be read",
                                   fix: "ssh-keyscan -p \(settings.port) \(settings.host) > \(path), then compare its fingerprint (ssh-keygen -lf \(path)) with the one the partner gives you")
                }
                if Self.knownHostsHasEntry(text, host: settings.host, port: settings.port) {
                    return Finding(status: .ok, check: check, message: "\(settings.host):\(settings.port) pinned in \(path)")
                }
                return Finding(status: .fail, check: check, message: "\(path) has no key for \(Self.hostPattern(settings.host, settings.port)): every connection would be refused",
                               fix: "ssh-keyscan -p \(settings.port) \(settings.host) >> \(path), then compare its fingerprint (ssh-keygen -lf \(path)) with the one the partner gives you")
            }
        }
    }

    /// `host` for port 22, else `[host]:port`, as OpenSSH writes known_hosts.
    static func hostPattern(_ host: String, _ port: Int) -> String { port == 22 ? host : "[\(host)]:\(port)" }

    /// Whether a known_hosts text has a (not revoked) key line for the host: plain names, comma
    /// lists and hashed `|1|salt|hmac` entries.
    static func knownHostsHasEntry(_ text: String, host: String, port: Int) -> Bool {
        let wanted = hostPattern(host, port)
        for line in text.split(whereSeparator: \.isNewline) {
            var fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = fields.first, !first.hasPrefix("#") else { continue }
            if first.hasPrefix("@") {
                if first == "@revoked" { continue }
                fields.removeFirst()
            }
            guard fields.count >= 3 else { continue }
            for name in fields[0].split(separator: ",") {
                if name.hasPrefix("|1|") {
                    let parts = name.split(separator: "|")
                    guard parts.count == 3, let salt = Data(base64Encoded: String(parts[1])), let mac = Data(base64Encoded: String(parts[2])) else { continue }
                    let computed = HMAC<Insecure.SHA1>.authenticationCode(for: Data(wanted.utf8), using: SymmetricKey(data: salt))
                    if Data(computed) == mac { return true }
                } else if name == wanted {
                    return true
                }
            }
        }
        return false
    }

    // MARK: schemas

    func schemas(_ config: GatewayConfig) -> [Finding] {
        var out = [Finding]()
        for route in config.routes {
            let check = "route \"\(route.name)\" emitter \(route.format)"
            let settings = config.partner(named: route.toPartner)?.settings ?? [:]
            switch route.format {
            case "pain001":
                let version = settings["version"] ?? "pain.001.001.03"
                let file = version + ".xsd"
                guard let dir = settings["xsdDirectory"].map({ $0.hasPrefix("/") ? $0 : config.root + "/" + $0 }) ?? defaultPain001Schemas else {
                    out.append(Finding(status: .fail, check: check, message: "no folder with \(file): partner \(route.toPartner) sets no xsdDirectory and no installed schemas were found",
                                       fix: "make schemas (or make install), or set xsdDirectory in partners.\(route.toPartner).settings"))
                    continue
                }
                let path = dir + "/" + file
                if FileManager.default.isReadableFile(atPath: path) {
                    out.append(Finding(status: .ok, check: check, message: "schema \(path)"))
                } else {
                    out.append(Finding(status: .fail, check: check, message: "\(path) does not exist: every pain.001 would be refused",
                                       fix: "make schemas, or point xsdDirectory in partners.\(route.toPartner).settings at the folder holding \(file)"))
                }
            case "tw-einvoice":
                let mig = MIGVersion(rawValue: settings["mig"] ?? "4.1") ?? .v41
                let dir = settings["xsdDirectory"] ?? (mig == .v41 ? SchemaCatalog.bundled41Directory : nil)
                if let dir, FileManager.default.fileExists(atPath: dir) {
                    out.append(Finding(status: .ok, check: check, message: "MIG \(mig.rawValue) schemas in \(dir)"))
                } else {
                    out.append(Finding(status: .fail, check: check, message: "no schema folder for MIG \(mig.rawValue)\(dir.map { " (\($0) is missing)" } ?? "")",
                                       fix: "set xsdDirectory in partners.\(route.toPartner).settings to the platform's MIG \(mig.rawValue) XSD folder"))
                }
            default:
                out.append(Finding(status: .ok, check: check, message: "needs no schema"))
            }
        }
        return out
    }

    // MARK: folders

    func folders(_ config: GatewayConfig) -> [Finding] {
        var out = [Finding]()
        let work = config.workDir
        guard let workDev = Self.device(ofFolderOrParent: work) else {
            return [Finding(status: .fail, check: "folder var/work", message: "\(work) and the folders above it cannot be examined",
                            fix: "create \(config.varDir) writable by \(Self.userName(geteuid()))")]
        }
        var folders: [(String, String)] = [("var/work", work), ("var/archive", config.archiveDir), ("var/quarantine", config.quarantineDir),
                                           ("var/delivered", config.deliveredDir), ("outbox", config.outbox), ("outbox/records", config.recordsDir)]
        for c in config.channels { folders.append(("inbox \(c.partner)/\(c.name)", c.path)) }
        for o in config.outboundChannels { folders.append(("outbox \(o.partner)/\(o.name)", o.path)) }
        for route in config.routes { folders.append(("outbox for route \"\(route.name)\"", config.outbox + "/" + route.toPartner + "/" + route.toChannel)) }
        var seen = Set<String>()
        for (label, path) in folders where seen.insert(path).inserted {
            out.append(Self.folder(label: label, path: path, workDev: workDev, work: work))
        }
        return out
    }

    /// A folder (or, before the first run, the nearest existing folder above it, where it will be
    /// created) must be writable and on the device of var/work.
    static func folder(label: String, path: String, workDev: dev_t, work: String) -> Finding {
        let check = "folder \(label)"
        var existing = path
        while !FileManager.default.fileExists(atPath: existing) && existing != "/" && !existing.isEmpty {
            existing = (existing as NSString).deletingLastPathComponent
        }
        var st = stat()
        guard stat(existing, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            return Finding(status: .fail, check: check, message: "\(existing) is not a folder", fix: "remove it or choose another path in gateway.yaml")
        }
        let user = userName(geteuid())
        if access(existing, W_OK | X_OK) != 0 {
            return Finding(status: .fail, check: check, message: "\(existing) is not writable by \(user)" + (existing == path ? "" : " (\(path) would be created there)"),
                           fix: "chown \(user) \(existing) (or chmod u+w)")
        }
        if st.st_dev != workDev {
            return Finding(status: .fail, check: check, message: "\(path) is on another file system than \(work): moves between them are copies, not atomic renames",
                           fix: "put \(label) and var/ on one file system (same mount)")
        }
        return Finding(status: .ok, check: check, message: existing == path ? "\(path) writable" : "\(path) will be created in \(existing)")
    }

    static func device(ofFolderOrParent path: String) -> dev_t? {
        var p = path
        var st = stat()
        while stat(p, &st) != 0 {
            guard p != "/" && !p.isEmpty else { return nil }
            p = (p as NSString).deletingLastPathComponent
        }
        return st.st_dev
    }

    // MARK: disk space

    func diskSpace(_ config: GatewayConfig) -> [Finding] {
        var out = [Finding]()
        var devices = Set<UInt>()
        for (label, path) in [("var", config.varDir), ("outbox", config.outbox), ("inbox", config.inbox)] {
            var existing = path
            while !FileManager.default.fileExists(atPath: existing) && existing != "/" { existing = (existing as NSString).deletingLastPathComponent }
            var vfs = statvfs()
            guard statvfs(existing, &vfs) == 0 else { continue }
            guard devices.insert(UInt(vfs.f_fsid)).inserted else { continue }
            let free = Int64(vfs.f_bavail) * Int64(vfs.f_frsize)
            let check = "disk space \(label)"
            let text = "\(Self.size(free)) free at \(existing)"
            if free < failBytes {
                out.append(Finding(status: .fail, check: check, message: text + " (below \(Self.size(failBytes)))",
                                   fix: "free space there, or move \(label) (gateway.yaml folders) to a larger file system"))
            } else if free < warnBytes {
                out.append(Finding(status: .warn, check: check, message: text + " (below \(Self.size(warnBytes)))",
                                   fix: "free space or plan for it: archive/ and the ledger grow with every file"))
            } else {
                out.append(Finding(status: .ok, check: check, message: text))
            }
        }
        return out
    }

    static func size(_ bytes: Int64) -> String {
        bytes >= 1 << 30 ? "\(bytes >> 30).\((bytes % (1 << 30)) * 10 >> 30) GiB" : "\(bytes >> 20) MiB"
    }

    // MARK: time zones

    func timeZones(_ config: GatewayConfig) -> [Finding] {
        var out = [Finding]()
        for (label, _, schedule) in sftpConnections(config) {
            var zones = [TimeZone]()
            if let cron = schedule.schedule as? CronSchedule { zones.append(cron.timeZone) }
            if let w = schedule.window { zones.append(w.timeZone) }
            if let c = schedule.cutoff { zones.append(c.timeZone) }
            for zone in zones { out.append(Self.zone(zone, check: "\(label) time zone")) }
        }
        for partner in config.partners where EInvoiceSettings.isPlatform(partner) {
            let check = "partner \(partner.name) upload window"
            do {
                let settings = try EInvoiceSettings(partner, config: config)
                out.append(Self.zone(settings.timeZone, check: check))
            } catch {
                out.append(Finding(status: .fail, check: check, message: "\(error)", fix: "correct partners.\(partner.name).settings in gateway.yaml"))
            }
        }
        return out
    }

    /// A zone must exist in the system's time zone database (cron and the bank's cutoff are local
    /// times there); the machine's own zone is a warning, since moving the gateway would move it.
    static func zone(_ zone: TimeZone, check: String) -> Finding {
        let id = zone.identifier
        if !FileManager.default.fileExists(atPath: "/usr/share/zoneinfo/" + id) && id != "UTC" && id != "GMT" {
            return Finding(status: .fail, check: check, message: "\(id) is not in the system's time zone database (/usr/share/zoneinfo)",
                           fix: "install tzdata, or use an IANA name such as Europe/Amsterdam")
        }
        if id == TimeZone.current.identifier {
            return Finding(status: .warn, check: check, message: "\(id), the machine's own zone (timeZone not set?)",
                           fix: "set timeZone explicitly so the window does not move with the machine")
        }
        return Finding(status: .ok, check: check, message: id)
    }
}
