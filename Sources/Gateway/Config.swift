import Foundation
import FormatKit
import Mapping
import Yams
import Events

/// `gateway.yaml`: folders, partners and their channels, routes. Loading checks everything and
/// reports every mistake at once, each with its YAML path
/// (`partners.acme.channels[1].format: unknown format "x13"; known: …`).
public struct GatewayConfig: Sendable {
    public struct Pickup: Sendable {
        /// A file is taken once its size and mtime have not changed for this long (from first sight).
        public var minAge: TimeInterval = 0.2
        public var pollInterval: TimeInterval = 1
        /// Name patterns never taken (temp files): `*.part`, `*.tmp`, `*.filepart`; dot-files always.
        public var ignore: [String] = ["*.part", "*.tmp", "*.filepart", "*.partial", "*.crdownload"]
        /// A companion file that must exist before a file is taken: `{name}.done` (or `{base}.ok`).
        public var doneFile: String?
        /// A file that was in hand this many times when the gateway died is quarantined as `poison`.
        public var poisonAfter: Int = 2
    }

    /// What one file may cost (`limits:` at the top or per channel). A file over `fileSize` is
    /// quarantined unread (`input.too-large`); a translation past `time` or `memory` ends its worker
    /// (`reader.timeout`, `reader.memory`).
    public struct Limits: Sendable {
        public var fileSize: Int64 = 4 << 30
        public var time: TimeInterval = 600
        public var memory: Int64 = 2 << 30
    }

    public struct Channel: Sendable {
        public var name: String
        public var partner: String
        /// Absolute folder partners drop into.
        public var path: String
        public var format: String?
        public var mapping: String?
        public var options: FormatOptions
        public var pickup: Pickup
        /// `remote:`: an SFTP folder pulled into `path` (see `SFTPPlugin`).
        public var remote: SFTPPullConfig? = nil
        public var limits = Limits()
        /// `allowEmpty: true`: a file with no records (0 bytes, a header-only CSV) is archived
        /// instead of quarantined (`input.no-records`).
        public var allowEmpty = false
        /// `pgp:`: decrypted (and verified) before it is read (see `PGPPlugin`).
        public var pgp: InboundPGP? = nil
        /// `source: { rabbitmq: { queue: NAME } }`: messages of a RabbitMQ queue become the channel's files (`QueueIntake`).
        public var sourceQueue: String? = nil
    }

    public struct Partner: Sendable {
        public var name: String
        /// Writer settings (envelope ids, names, qualifiers) for files made for this partner.
        public var settings: [String: String]
        public var channels: [Channel]
        /// `outbound:`: channels whose outbox files are delivered (`deliver:`, see `SFTPPlugin`).
        public var outbound: [OutboundChannel] = []
        /// `dropbox:`: the partner pushes to us over SFTP (`dropgate sshd-config`, see `DropboxPlugin`).
        public var dropbox: DropboxAccount? = nil
    }

    /// Records that match `from` are also written by an emitter into a partner's outbox channel.
    public struct Route: Sendable {
        public var name: String
        public var fromPartner: String?
        public var fromChannel: String?
        public var fromType: String?
        public var format: String
        public var mapping: String?
        public var toPartner: String
        public var toChannel: String
        /// Post the records through the posting rules (`mappings/gl/`) first and write the journal
        /// entries (for `gl-csv`, `quickbooks-iif`).
        public var post: Bool = false
    }

    public var configFile: String
    public var root: String
    public var inbox: String
    public var outbox: String
    public var varDir: String
    public var mappingsDir: String
    public var pickup: Pickup
    public var limits = Limits()
    /// Worker processes translating files side by side (`workers:`; default: one per core).
    public var workers = ProcessInfo.processInfo.activeProcessorCount
    public var partners: [Partner]
    public var routes: [Route]
    /// `dropboxes:`: where partners' SFTP drop boxes live (see `DropboxPlugin`).
    public var dropboxes: DropboxSettings? = nil
    /// `events:`: RabbitMQ and webhooks (docs/EVENTS.md); nil writes no events.
    public var events: EventsConfig? = nil
    /// `http:`: the console, API, health checks and metrics inside `dropgate run` (nil: no HTTP side).
    public var http: HTTP? = nil

    public struct HTTP: Sendable {
        /// `listen: 127.0.0.1:8640` (host:port; port 0 picks a free one).
        public var host = "127.0.0.1"
        public var port = 8640
        /// `tls: { certificate: cert.pem, key: key.pem }`: HTTPS only on `listen` (PEM files; the
        /// certificate file may hold the chain). nil: plain HTTP.
        public var tls: TLS? = nil
        public struct TLS: Sendable { public var certificate: String; public var key: String }
        public var scheme: String { tls == nil ? "http" : "https" }
    }

    public var channels: [Channel] { partners.flatMap(\.channels) }
    public var workDir: String { varDir + "/work" }
    public var archiveDir: String { varDir + "/archive" }
    public var quarantineDir: String { varDir + "/quarantine" }
    public var ledgerPath: String { varDir + "/ledger.sqlite" }
    public var recordsDir: String { outbox + "/records" }

    public func partner(named name: String) -> Partner? { partners.first { $0.name == name } }
    public func channel(partner: String, name: String) -> Channel? { self.partner(named: partner)?.channels.first { $0.name == name } }
}

public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public var problems: [String]
    public var description: String { "gateway configuration has \(problems.count) problem(s):\n" + problems.map { "  - " + $0 }.joined(separator: "\n") }
}

extension GatewayConfig {
    /// Loads and checks a config file; `mappings` (when given) lets mapping names be checked too.
    public static func load(path: String, checkMappings: Bool = true) throws -> GatewayConfig {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard let text = try? String(contentsOfFile: absolute, encoding: .utf8) else { throw ConfigError(problems: ["cannot read \(absolute)"]) }
        let root = (absolute as NSString).deletingLastPathComponent
        var problems = [String]()
        let yaml: Yams.Node
        do {
            guard let y = try Yams.compose(yaml: text) else { throw ConfigError(problems: ["\(absolute) is empty"]) }
            yaml = y
        } catch let e as ConfigError { throw e } catch {
            throw ConfigError(problems: ["\(absolute): not valid YAML: \(error)"])
        }
        var reader = ConfigReader(problems: [])
        var config = reader.read(yaml, root: root, file: absolute)
        problems = reader.problems
        if checkMappings {
            do {
                if yaml["folders"]?["mappings"] != nil {
                    _ = try ResourceLocator().mappings(explicit: config.mappingsDir)
                } else {
                    config.mappingsDir = try ResourceLocator().mappings(besideConfig: config.mappingsDir)
                }
                let lib = try MappingLibrary(directory: config.mappingsDir)
                for (pi, p) in config.partners.enumerated() {
                    for (ci, c) in p.channels.enumerated() {
                        if let id = c.format, let format = FormatRegistry.format(id) {
                            var options = c.options
                            options.mappingsDirectory = config.mappingsDir
                            problems += format.problems(options: options).map { "partners.\(p.name).channels[\(ci)].options.\($0)" }
                        }
                        if let m = c.mapping {
                            if let mapping = lib.mappings[m] {
                                if let f = c.format, f != mapping.format { problems.append("partners.\(p.name).channels[\(ci)].mapping: \"\(m)\" is for format \(mapping.format), not \(f)") }
                                if c.format == nil { config.partners[pi].channels[ci].format = mapping.format }
                            } else {
                                problems.append("partners.\(p.name).channels[\(ci)].mapping: unknown mapping \"\(m)\"; known: \(lib.mappings.keys.sorted().joined(separator: ", "))")
                            }
                        }
                    }
                }
                for (i, r) in config.routes.enumerated() {
                    if let m = r.mapping, lib.mappings[m] == nil { problems.append("routes[\(i)].mapping: unknown mapping \"\(m)\"") }
                }
            } catch {
                problems.append("mappings (\(config.mappingsDir)): \(error)")
            }
        }
        if !problems.isEmpty { throw ConfigError(problems: problems) }
        return config
    }
}

/// Walks the YAML, collecting every problem with its path instead of stopping at the first.
struct ConfigReader {
    var problems: [String]

    static let topKeys: Set<String> = ["folders", "pickup", "limits", "workers", "partners", "routes", "dropboxes", "events", "http"]
    static let channelKeys: Set<String> = ["name", "path", "format", "mapping", "encoding", "options", "pickup", "remote", "limits", "allowEmpty", "pgp", "source"]
    static let pickupKeys: Set<String> = ["minAge", "pollInterval", "ignore", "doneFile", "poisonAfter"]
    static let routeKeys: Set<String> = ["name", "from", "emit"]

    mutating func unknownKeys(_ node: Yams.Node?, _ known: Set<String>, at path: String) {
        for (k, _) in node?.mapping ?? [:] where !known.contains(k.string ?? "") {
            problems.append("\(path)\(path.isEmpty ? "" : ".")\(k.string ?? "?"): unknown key; known: \(known.sorted().joined(separator: ", "))")
        }
    }

    mutating func read(_ yaml: Yams.Node, root: String, file: String) -> GatewayConfig {
        unknownKeys(yaml, Self.topKeys, at: "")
        func abs(_ p: String) -> String { p.hasPrefix("/") ? p : root + "/" + p }
        let folders = yaml["folders"]
        unknownKeys(folders, ["inbox", "outbox", "var", "mappings"], at: "folders")
        let inbox = abs(folders?["inbox"]?.string ?? "inbox")
        var config = GatewayConfig(configFile: file, root: root, inbox: inbox,
                                   outbox: abs(folders?["outbox"]?.string ?? "outbox"),
                                   varDir: abs(folders?["var"]?.string ?? "var"),
                                   mappingsDir: folders?["mappings"]?.string.map(abs)
                                       ?? ((try? ResourceLocator().mappings(besideConfig: abs("mappings"))) ?? abs("mappings")),
                                   pickup: pickup(yaml["pickup"], base: GatewayConfig.Pickup(), at: "pickup"), partners: [], routes: [])
        config.limits = limits(yaml["limits"], base: config.limits, at: "limits")
        if let e = yaml["events"] { config.events = events(e, root: root) }
        if let w = yaml["workers"] { if let n = w.int, n >= 0 { config.workers = n } else { problems.append("workers: not a count (0 translates in the gateway's own process)") } }
        for (k, v) in yaml["partners"]?.mapping ?? [:] {
            let name = k.string ?? ""
            let at = "partners.\(name)"
            unknownKeys(v, ["settings", "channels", "outbound", "dropbox"], at: at)
            var settings = [String: String]()
            for (sk, sv) in v["settings"]?.mapping ?? [:] { settings[sk.string ?? ""] = sv.string ?? "" }
            var channels = [GatewayConfig.Channel]()
            for (i, c) in (v["channels"]?.sequence ?? []).enumerated() {
                let cat = "\(at).channels[\(i)]"
                unknownKeys(c, Self.channelKeys, at: cat)
                guard let cname = c["name"]?.string, !cname.isEmpty else { problems.append("\(cat).name: missing"); continue }
                let format = c["format"]?.string
                if let format, FormatRegistry.format(format) == nil {
                    problems.append("\(cat).format: unknown format \"\(format)\"; known: \(FormatRegistry.ids.joined(separator: ", "))")
                }
                if format == nil && c["mapping"] == nil { problems.append("\(cat): needs a format or a mapping") }
                var encoding = TextEncoding.utf8
                if let e = c["encoding"]?.string {
                    if let enc = TextEncoding(e) { encoding = enc } else { problems.append("\(cat).encoding: unknown encoding \"\(e)\"") }
                }
                var values = [String: String]()
                for (ok, ov) in c["options"]?.mapping ?? [:] {
                    values[ok.string ?? ""] = ov.sequence.map { $0.compactMap(\.string).joined(separator: ",") } ?? ov.string ?? ""
                }
                let path = abs(c["path"]?.string ?? "\(inbox)/\(name)/\(cname)")
                channels.append(GatewayConfig.Channel(
                    name: cname, partner: name, path: path,
                    format: format, mapping: c["mapping"]?.string, options: FormatOptions(encoding: encoding, values: values),
                    pickup: pickup(c["pickup"], base: config.pickup, at: "\(cat).pickup"),
                    remote: c["remote"].flatMap { remotePull($0, inbox: path, root: root, at: "\(cat).remote") },
                    limits: limits(c["limits"], base: config.limits, at: "\(cat).limits"),
                    allowEmpty: c["allowEmpty"]?.bool ?? false,
                    pgp: c["pgp"].flatMap { inboundPGP($0, root: root, at: "\(cat).pgp") }))
                if let s = c["source"] { channels[channels.count - 1].sourceQueue = queueSource(s, broker: config.events?.rabbitmq != nil, at: "\(cat).source") }
            }
            let dup = Dictionary(grouping: channels, by: \.name).filter { $0.value.count > 1 }.keys
            for d in dup.sorted() { problems.append("\(at).channels: channel \"\(d)\" is defined more than once") }
            var outbound = [OutboundChannel]()
            for (i, o) in (v["outbound"]?.sequence ?? []).enumerated() {
                let oat = "\(at).outbound[\(i)]"
                unknownKeys(o, ["name", "deliver", "pgp"], at: oat)
                guard let oname = o["name"]?.string, !oname.isEmpty else { problems.append("\(oat).name: missing"); continue }
                outbound.append(OutboundChannel(name: oname, partner: name, path: "\(config.outbox)/\(name)/\(oname)",
                                                deliver: o["deliver"].flatMap { delivery($0, root: root, at: "\(oat).deliver") },
                                                pgp: o["pgp"].flatMap { outboundPGP($0, root: root, at: "\(oat).pgp") }))
            }
            config.partners.append(GatewayConfig.Partner(name: name, settings: settings, channels: channels, outbound: outbound,
                                                         dropbox: v["dropbox"].flatMap { dropboxAccount($0, partner: name, root: root, at: "\(at).dropbox") }))
        }
        dropboxes(yaml["dropboxes"], into: &config, root: root)
        if let h = yaml["http"] { config.http = http(h, root: root) }
        for (i, r) in (yaml["routes"]?.sequence ?? []).enumerated() {
            let at = "routes[\(i)]"
            unknownKeys(r, Self.routeKeys, at: at)
            let from = r["from"], emit = r["emit"]
            unknownKeys(from, ["partner", "channel", "type"], at: "\(at).from")
            unknownKeys(emit, ["format", "mapping", "partner", "channel", "post"], at: "\(at).emit")
            guard let format = emit?["format"]?.string, let toPartner = emit?["partner"]?.string, let toChannel = emit?["channel"]?.string else {
                problems.append("\(at).emit: needs format, partner and channel"); continue
            }
            if FormatRegistry.format(format) == nil { problems.append("\(at).emit.format: unknown format \"\(format)\"; known: \(FormatRegistry.ids.joined(separator: ", "))") }
            if config.partner(named: toPartner) == nil { problems.append("\(at).emit.partner: unknown partner \"\(toPartner)\"") }
            if let p = from?["partner"]?.string, config.partner(named: p) == nil { problems.append("\(at).from.partner: unknown partner \"\(p)\"") }
            config.routes.append(GatewayConfig.Route(name: r["name"]?.string ?? "route \(i)", fromPartner: from?["partner"]?.string,
                                                     fromChannel: from?["channel"]?.string, fromType: from?["type"]?.string,
                                                     format: format, mapping: emit?["mapping"]?.string, toPartner: toPartner, toChannel: toChannel,
                                                     post: emit?["post"]?.bool ?? false))
        }
        return config
    }

    mutating func http(_ node: Yams.Node, root: String) -> GatewayConfig.HTTP {
        var h = GatewayConfig.HTTP()
        guard node.mapping != nil else { if node.string?.isEmpty == false { problems.append("http: a mapping ({ listen: 127.0.0.1:8640 })") }; return h }
        unknownKeys(node, ["listen", "tls"], at: "http")
        if let t = node["tls"] {
            unknownKeys(t, ["certificate", "key"], at: "http.tls")
            func path(_ key: String) -> String? {
                guard let p = t[key]?.string, !p.isEmpty else { problems.append("http.tls.\(key): missing (a PEM file)"); return nil }
                return p.hasPrefix("/") ? p : root + "/" + p
            }
            if let certificate = path("certificate"), let key = path("key") { h.tls = .init(certificate: certificate, key: key) }
        }
        if let listen = node["listen"]?.string {
            let parts = listen.split(separator: ":", omittingEmptySubsequences: false)
            if parts.count == 2, !parts[0].isEmpty, let port = Int(parts[1]), (0...65535).contains(port) {
                h.host = String(parts[0]); h.port = port
            } else {
                problems.append("http.listen: \"\(listen)\" is not host:port (127.0.0.1:8640)")
            }
        }
        return h
    }

    mutating func pickup(_ node: Yams.Node?, base: GatewayConfig.Pickup, at: String) -> GatewayConfig.Pickup {
        var p = base
        guard let node else { return p }
        unknownKeys(node, Self.pickupKeys, at: at)
        if let v = node["minAge"] { if let d = duration(v.string) { p.minAge = d } else { problems.append("\(at).minAge: not a duration (\"250ms\", \"2s\", \"1m\")") } }
        if let v = node["pollInterval"] { if let d = duration(v.string), d > 0 { p.pollInterval = d } else { problems.append("\(at).pollInterval: not a positive duration") } }
        if let list = node["ignore"]?.sequence { p.ignore = list.compactMap(\.string) }
        if let d = node["doneFile"]?.string { p.doneFile = d }
        if let v = node["poisonAfter"] { if let n = v.int, n >= 1 { p.poisonAfter = n } else { problems.append("\(at).poisonAfter: not a count >= 1") } }
        return p
    }

    mutating func limits(_ node: Yams.Node?, base: GatewayConfig.Limits, at: String) -> GatewayConfig.Limits {
        var l = base
        guard let node else { return l }
        unknownKeys(node, ["fileSize", "time", "memory"], at: at)
        if let v = node["fileSize"] { if let n = bytes(v.string) { l.fileSize = n } else { problems.append("\(at).fileSize: not a size (\"100MB\", \"2GB\")") } }
        if let v = node["memory"] { if let n = bytes(v.string) { l.memory = n } else { problems.append("\(at).memory: not a size (\"512MB\", \"2GB\")") } }
        if let v = node["time"] { if let d = duration(v.string), d > 0 { l.time = d } else { problems.append("\(at).time: not a positive duration") } }
        return l
    }

    /// `512`, `64KB`, `1.5MB`, `2GB` (powers of 1024), exact: digits with an optional decimal part,
    /// nil for anything else, zero or past Int64.
    func bytes(_ text: String?) -> Int64? {
        guard let t = text?.trimmingCharacters(in: .whitespaces).uppercased(), !t.isEmpty else { return nil }
        let units: [(String, Int64)] = [("KB", 1 << 10), ("MB", 1 << 20), ("GB", 1 << 30), ("B", 1)]
        let (number, factor) = units.first { t.hasSuffix($0.0) }
            .map { (t.dropLast($0.0.count).trimmingCharacters(in: .whitespaces), $0.1) } ?? (t, 1)
        let parts = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, parts.allSatisfy({ $0.allSatisfy { ("0"..."9").contains($0) } }) else { return nil }
        var value: Int64 = 0, scale: Int64 = 1
        for c in whole + (parts.count > 1 ? parts[1] : "") {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(c.asciiValue! - 48))
            guard !o1, !o2 else { return nil }
            value = a
        }
        for _ in 0..<(parts.count > 1 ? parts[1].count : 0) {
            let (m, o) = scale.multipliedReportingOverflow(by: 10); guard !o else { return nil }; scale = m
        }
        let (product, overflow) = value.multipliedReportingOverflow(by: factor)
        guard !overflow, product / scale > 0 else { return nil }
        return product / scale
    }

    /// `250ms`, `2s`, `1.5m`, `1h`, or a plain number of seconds.
    func duration(_ text: String?) -> TimeInterval? {
        guard let t = text?.trimmingCharacters(in: .whitespaces), !t.isEmpty else { return nil }
        let units: [(String, TimeInterval)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            if let n = TimeInterval(t.dropLast(suffix.count)) { return n * factor }
        }
        return TimeInterval(t)
    }
}
