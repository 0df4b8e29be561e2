import Foundation
import Transport
import Yams

/// When a channel's SFTP work runs: a cron expression in a time zone or an interval; for
/// deliveries also a release window and a bank's payment cutoff with its holidays.
public struct RunSchedule: Sendable {
    public var schedule: any Schedule
    /// `0 14 * * 1-5 Europe/Amsterdam` or `every 300s`, for messages and status.
    public var summary: String
    /// Interval schedules run at once when the gateway starts; cron schedules wait for their time.
    public var runsAtStart: Bool
    /// Deliveries only inside this daily window (start–end, may cross midnight).
    public var window: TimeWindow?
    /// Deliveries only on the bank's business days before the cutoff; later files wait for the next business day.
    public var cutoff: PaymentCutoff?

    /// True when files may be released at `now` (inside the window, before the cutoff on a business day).
    public func releases(at now: Date) -> Bool {
        if let window, !window.contains(now) { return false }
        if let cutoff, cutoff.processingDay(forFileAt: now) != LocalDate(now, in: cutoff.timeZone) { return false }
        return true
    }

    /// Why nothing is released at `now`, for status; nil when releases are open.
    public func heldReason(at now: Date) -> String? {
        if let window, !window.contains(now) {
            return "outside the window, opens \(window.nextOpening(atOrAfter: now).map(isoTime) ?? "never")"
        }
        if let cutoff, cutoff.processingDay(forFileAt: now) != LocalDate(now, in: cutoff.timeZone) {
            return "after the cutoff or not a business day: next business day \(cutoff.processingDay(forFileAt: now))"
        }
        return nil
    }
}

/// `remote:` of an inbound channel: the remote folder the plugin pulls into the channel's inbox.
public struct SFTPPullConfig: Sendable {
    public var connection: SFTPSettings
    /// `inbox` is the channel's own folder.
    public var pull: PullSettings
    public var schedule: RunSchedule
    public var endpoint: String { "\(connection.host):\(connection.port)" }
}

/// `deliver:` of a partner's outbound channel: where its outbox files are uploaded.
public struct SFTPDeliveryConfig: Sendable {
    public var connection: SFTPSettings
    public var push: PushSettings
    public var schedule: RunSchedule
    public var endpoint: String { "\(connection.host):\(connection.port)" }
}

/// A partner's outbound channel (`outbound:` under the partner): files routes write into
/// `outbox/<partner>/<name>/`, delivered over SFTP when it has `deliver:`.
public struct OutboundChannel: Sendable {
    public var name: String
    public var partner: String
    public var path: String
    public var deliver: SFTPDeliveryConfig?
    /// `pgp:`: the writer's bytes are encrypted (and signed) before they reach the outbox.
    public var pgp: OutboundPGP? = nil
}

extension GatewayConfig {
    /// Whether any channel pulls from or delivers to an SFTP server.
    public var usesSFTP: Bool {
        channels.contains { $0.remote != nil } || partners.contains { $0.outbound.contains { $0.deliver != nil } }
    }

    public var outboundChannels: [OutboundChannel] { partners.flatMap(\.outbound) }

    /// Files delivered over SFTP leave the outbox for `var/delivered/<yyyy-mm-dd>/<partner>/<channel>/`.
    public var deliveredDir: String { varDir + "/delivered" }
}

func isoTime(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

extension ConfigReader {
    static let connectionKeys: Set<String> = secretKeys("passphrase").union(secretKeys("password")).union(["host", "port", "user", "privateKey", "knownHosts", "fingerprint", "directory", "connectTimeout", "operationTimeout",
                                              "schedule", "timeZone", "interval"])
    static let remoteKeys = connectionKeys.union(["archiveDirectory", "afterPickup", "doneFile", "minAge"])
    static let deliverKeys = connectionKeys.union(["rename", "window", "cutoff", "holidays"])

    /// `remote:` of an inbound channel whose local folder is `inbox`.
    mutating func remotePull(_ node: Yams.Node, inbox: String, root: String, at: String) -> SFTPPullConfig? {
        unknownKeys(node, Self.remoteKeys, at: at)
        let connection = self.connection(node, root: root, at: at)
        let schedule = self.schedule(node, at: at)
        var disposal = RemoteDisposal.delete
        let archive = node["archiveDirectory"]?.string
        switch node["afterPickup"]?.string {
        case nil: if let archive { disposal = .moveTo(archive) }
        case "delete": if archive != nil { problems.append("\(at).archiveDirectory: not used with afterPickup: delete") }
        case "move":
            if let archive { disposal = .moveTo(archive) } else { problems.append("\(at).afterPickup: move needs archiveDirectory") }
        case let other?: problems.append("\(at).afterPickup: \"\(other)\" is not delete or move")
        }
        var doneSuffix: String?
        if let done = node["doneFile"]?.string {
            let suffix = done.hasPrefix("{name}") ? String(done.dropFirst("{name}".count)) : done
            if suffix.isEmpty || suffix.contains("{") { problems.append("\(at).doneFile: expected a suffix such as \".done\" or \"{name}.done\"") }
            doneSuffix = suffix
        }
        var minAge: TimeInterval = 60
        if let v = node["minAge"] { if let d = duration(v.string) { minAge = d } else { problems.append("\(at).minAge: not a duration") } }
        guard let connection, let schedule, let directory = directory(node, at: at) else { return nil }
        return SFTPPullConfig(connection: connection,
                              pull: PullSettings(remoteDirectory: directory, inbox: inbox, minimumAge: minAge, doneFileSuffix: doneSuffix, afterCommit: disposal),
                              schedule: schedule)
    }

    /// `deliver:` of an outbound channel.
    mutating func delivery(_ node: Yams.Node, root: String, at: String) -> SFTPDeliveryConfig? {
        unknownKeys(node, Self.deliverKeys, at: at)
        let connection = self.connection(node, root: root, at: at)
        var schedule = self.schedule(node, at: at)
        let zone = timeZone(node, at: at)
        if let w = node["window"] {
            unknownKeys(w, ["start", "end"], at: "\(at).window")
            do { schedule?.window = try TimeWindow(start: w["start"]?.string ?? "", end: w["end"]?.string ?? "", timeZone: zone) } catch {
                problems.append("\(at).window: \(error)")
            }
        }
        if let c = node["cutoff"]?.string {
            do {
                schedule?.cutoff = try PaymentCutoff(cutoff: c, timeZone: zone, holidays: node["holidays"]?.sequence?.compactMap(\.string) ?? [])
            } catch { problems.append("\(at).cutoff: \(error)") }
        } else if node["holidays"] != nil {
            problems.append("\(at).holidays: only used with a cutoff")
        }
        var rename = true
        if let r = node["rename"] { if let b = r.bool { rename = b } else { problems.append("\(at).rename: expected true or false") } }
        guard let connection, let schedule, let directory = directory(node, at: at) else { return nil }
        return SFTPDeliveryConfig(connection: connection, push: PushSettings(remoteDirectory: directory, uploadUnderTemporaryName: rename), schedule: schedule)
    }

    private mutating func directory(_ node: Yams.Node, at: String) -> String? {
        guard let d = node["directory"]?.string, !d.isEmpty else { problems.append("\(at).directory: missing (the remote folder)"); return nil }
        return d
    }

    /// Host, credentials and host key check. Secrets are never inline: only where to read them.
    private mutating func connection(_ node: Yams.Node, root: String, at: String) -> SFTPSettings? {
        func abs(_ p: String) -> String { p.hasPrefix("/") ? p : root + "/" + p }
        let host = node["host"]?.string
        if host == nil { problems.append("\(at).host: missing") }
        let user = node["user"]?.string
        if user == nil { problems.append("\(at).user: missing") }
        var port = 22
        if let p = node["port"] { if let n = p.int, (1...65535).contains(n) { port = n } else { problems.append("\(at).port: not a port number") } }
        let passphrase = secret(node, "passphrase", root: root, at: at)
        let password = secret(node, "password", root: root, at: at)
        var authentication: SFTPAuthentication?
        switch (node["privateKey"]?.string, password) {
        case (let key?, nil): authentication = .privateKey(path: abs(key), passphrase: passphrase)
        case (nil, let password?):
            authentication = .password(password)
            if passphrase != nil { problems.append("\(at).passphrase: only used with privateKey") }
        case (.some, .some): problems.append("\(at): give privateKey or a password, not both")
        case (nil, nil): problems.append("\(at): needs privateKey or password (${ENV}) / passwordFile")
        }
        var hostKey: HostKeyPolicy?
        switch (node["knownHosts"]?.string, node["fingerprint"]?.string) {
        case (let file?, nil): hostKey = .knownHosts(path: abs(file))
        case (nil, let pinned?):
            if pinned.hasPrefix("SHA256:") { hostKey = .fingerprint(pinned) } else { problems.append("\(at).fingerprint: expected SHA256:… as ssh-keygen -lf prints it") }
        case (.some, .some): problems.append("\(at): give knownHosts or fingerprint, not both")
        case (nil, nil): problems.append("\(at): needs knownHosts or fingerprint (the server's host key is always checked)")
        }
        var connect: TimeInterval = 15, operation: TimeInterval = 60
        if let v = node["connectTimeout"] { if let d = duration(v.string), d > 0 { connect = d } else { problems.append("\(at).connectTimeout: not a positive duration") } }
        if let v = node["operationTimeout"] { if let d = duration(v.string), d > 0 { operation = d } else { problems.append("\(at).operationTimeout: not a positive duration") } }
        guard let host, let user, let authentication, let hostKey else { return nil }
        return SFTPSettings(host: host, port: port, username: user, authentication: authentication, hostKey: hostKey,
                            connectTimeout: connect, operationTimeout: operation)
    }

    private mutating func timeZone(_ node: Yams.Node, at: String) -> TimeZone {
        guard let name = node["timeZone"]?.string else { return TimeZone.current }
        guard let zone = TimeZone(identifier: name) else { problems.append("\(at).timeZone: unknown time zone \"\(name)\""); return TimeZone.current }
        return zone
    }

    /// `schedule` (cron, in `timeZone`, default the machine's) or `interval` (default 1m).
    private mutating func schedule(_ node: Yams.Node, at: String) -> RunSchedule? {
        let zone = timeZone(node, at: at)
        switch (node["schedule"]?.string, node["interval"]) {
        case (let cron?, nil):
            do { return RunSchedule(schedule: try CronSchedule(cron, timeZone: zone), summary: "\(cron) \(zone.identifier)", runsAtStart: false) } catch {
                problems.append("\(at).schedule: \(error)"); return nil
            }
        case (nil, let interval):
            let seconds = interval.map { duration($0.string) ?? -1 } ?? 60
            guard seconds > 0 else { problems.append("\(at).interval: not a positive duration"); return nil }
            return RunSchedule(schedule: IntervalSchedule(every: seconds), summary: "every \(Int(seconds))s", runsAtStart: true)
        case (.some, .some):
            problems.append("\(at): give schedule or interval, not both"); return nil
        }
    }
}
