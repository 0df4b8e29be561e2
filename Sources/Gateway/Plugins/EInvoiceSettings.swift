import Foundation
import FormatKit
import TWEInvoice

/// A platform partner's upload settings, read from its `settings` in `gateway.yaml`. A partner is
/// an e-invoice platform (invoices routed to it are queued for the upload window) when it sets
/// `uploadWindow`. Every other setting has the platform's default:
///
/// | setting | default | meaning |
/// |---|---|---|
/// | `uploadWindow` | — | `22:00-06:00`: local release hours; may cross midnight |
/// | `timeZone` | `Asia/Taipei` | the zone of the window and of the deadlines |
/// | `batchSize` | `5000` | at most this many messages per release |
/// | `mig` | `4.1` | MIG version (`3.2` for legacy senders) |
/// | `encoding` | `utf-8` | `big5` only with MIG 3.2 |
/// | `upCastDirectory` | `<outbox>/<partner>/UpCast` | the upload client's `UpCast` folder |
/// | `b2cDeadlineDays` / `b2bDeadlineDays` | `2` / `7` | legal upload deadline after the invoice date |
/// | `deadlineWarningHours` | `24` | status warns this long before a deadline |
/// | `resultOverdueHours` | `48` | released without a platform result this long → overdue |
///
/// The writer's own settings (`maxFileBytes`, `xsdDirectory`, `message`, `businessIdRule`) pass through.
struct EInvoiceSettings {
    var partner: String
    var window: UploadWindow
    var batchSize: Int
    var version: MIGVersion
    var encoding: TextEncoding
    /// The folder that holds `UpCast/` (the `HandOff` root).
    var handOffRoot: String
    var deadline: UploadDeadline
    var resultOverdue: TimeInterval
    /// All of the partner's settings, for the writer.
    var writerSettings: [String: String]

    /// Whether routes to this partner are queued for an upload window.
    static func isPlatform(_ partner: GatewayConfig.Partner) -> Bool { partner.settings["uploadWindow"] != nil }

    /// The settings of a platform partner; every malformed value is named in one error.
    init(_ partner: GatewayConfig.Partner, config: GatewayConfig) throws {
        let s = partner.settings
        var problems = [String]()
        func number(_ key: String, _ fallback: Int) -> Int {
            guard let text = s[key] else { return fallback }
            guard let n = Int(text), n > 0 else { problems.append("\(key): \"\(text)\" is not a positive whole number"); return fallback }
            return n
        }
        let zone = TimeZone(identifier: s["timeZone"] ?? "Asia/Taipei")
        if zone == nil { problems.append("timeZone: unknown time zone \"\(s["timeZone"] ?? "")\"") }
        let window = UploadWindow(s["uploadWindow"] ?? "", timeZone: zone ?? UploadWindow.taipei)
        if window == nil { problems.append("uploadWindow: \"\(s["uploadWindow"] ?? "")\" is not HH:MM-HH:MM") }
        let version = MIGVersion(rawValue: s["mig"] ?? "4.1")
        if version == nil { problems.append("mig: \"\(s["mig"] ?? "")\" is not 4.1 or 3.2") }
        let encoding = TextEncoding(s["encoding"] ?? "utf-8")
        if encoding == nil { problems.append("encoding: unknown encoding \"\(s["encoding"] ?? "")\"") }
        let upCast = s["upCastDirectory"].map { $0.hasPrefix("/") ? $0 : config.root + "/" + $0 } ?? "\(config.outbox)/\(partner.name)/UpCast"
        if (upCast as NSString).lastPathComponent != "UpCast" {
            problems.append("upCastDirectory: \"\(upCast)\" must be the upload client's folder named UpCast")
        }
        self.partner = partner.name
        self.batchSize = number("batchSize", 5000)
        self.deadline = UploadDeadline(consumerDays: number("b2cDeadlineDays", 2), businessDays: number("b2bDeadlineDays", 7),
                                       warningPeriod: TimeInterval(number("deadlineWarningHours", 24)) * 3600,
                                       timeZone: zone ?? UploadWindow.taipei)
        self.resultOverdue = TimeInterval(number("resultOverdueHours", 48)) * 3600
        if !problems.isEmpty {
            throw EmitError("partner \(partner.name) settings: " + problems.joined(separator: "; "))
        }
        self.window = window!
        self.version = version!
        self.encoding = encoding!
        self.handOffRoot = (upCast as NSString).deletingLastPathComponent
        self.writerSettings = s
    }

    var timeZone: TimeZone { window.timeZone }

    /// `2024-03-15 22:00 GMT+8` in the partner's zone, for status lines.
    func show(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = timeZone
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return f.string(from: date) + " " + (timeZone.identifier)
    }

    /// The local calendar date of `date` (`2024-03-15`): the day a release counts for in a SummaryResult.
    func day(of date: Date) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        let c = cal.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }
}

extension EInvoiceSettings {
    /// The platform writer with this partner's settings. A cancel, void or allowance must refer to
    /// a document in the queue or in `alsoIssued` (the same route's records), in any order.
    func writer(queue: EInvoiceQueue, alsoIssued: Set<String> = []) -> EInvoiceWriter {
        let options = FormatOptions(encoding: encoding, values: writerSettings)
        let rule = BusinessID.ChecksumRule(rawValue: writerSettings["businessIdRule"] ?? "") ?? .mod5
        let rules = BusinessRules(businessIDRule: rule, exists: { alsoIssued.contains($0) || queue.hasIssued($0) })
        let catalog = SchemaCatalog(directories: writerSettings["xsdDirectory"].map { [version: $0] } ?? [:])
        return EInvoiceWriter(options: options, rules: rules, catalog: catalog)
    }

    func context(now: Date) -> WriteContext {
        WriteContext(settings: writerSettings, partner: partner, now: now, timeZone: timeZone, encoding: encoding)
    }
}
