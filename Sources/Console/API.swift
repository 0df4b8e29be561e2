import Foundation
import Gateway
import Hummingbird
import Ledger
import GRDB
import Canonical
import Mapping
#if canImport(Glibc)
import Glibc
#endif

/// JSON helpers shared by the API routes.
enum JSON {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static func text<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }

    static func response(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response { response(try text(value), status: status) }
}

/// A stored error report or record line as it is (JSON), or a plain message wrapped as `{"message": …}`.
func rawJSON(_ text: String?) -> String {
    guard let text else { return "null" }
    if text.hasPrefix("{"), (try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil { return text }
    return (try? JSON.text(["message": text])) ?? "null"
}

/// Lines of a file's original around its error (or its first lines), for the console's preview.
struct Preview: Encodable, Sendable {
    struct Line: Encodable, Sendable { var number: Int; var text: String; var error: Bool }
    var lines: [Line]
    var errorLine: Int?
    var errorColumn: Int?
    /// False when the original is no longer where the ledger says.
    var available: Bool
    static let readLimit = 1 << 20

    init(path: String?, errorLine: Int?, errorColumn: Int?, context: Int = 8) {
        self.errorLine = errorLine
        self.errorColumn = errorColumn
        // Only a regular file is read: opened without following a link and without blocking (a
        // rejected entry moved aside may be a FIFO or a device), its type checked on the descriptor.
        let fd = path.map { open($0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) } ?? -1
        var st = stat()
        guard fd >= 0, fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            if fd >= 0 { close(fd) }
            lines = []; available = false; return
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        available = true
        let data = (try? handle.read(upToCount: Preview.readLimit)) ?? Data()
        var all = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        if all.last?.isEmpty == true { all.removeLast() }   // the newline that ends the last line
        let first = errorLine.map { max(1, $0 - context) } ?? 1
        let last = errorLine.map { $0 + context } ?? 40
        lines = all.enumerated().compactMap { i, text in
            let n = i + 1
            guard n >= first, n <= last else { return nil }
            return Line(number: n, text: String(text.hasSuffix("\r") ? text.dropLast() : text), error: n == errorLine)
        }
    }
}

struct API {
    let server: ConsoleServer
    var queries: Queries { Queries(ledger: server.reader, config: server.config, control: server.runner.control) }

    /// Every API route (method, path as in docs/openapi.yaml); the OpenAPI test walks this list.
    static let routes: [(method: String, path: String)] = [
        ("GET", "/api/v1/summary"), ("GET", "/api/v1/files"), ("GET", "/api/v1/files/{id}"), ("GET", "/api/v1/files/{id}/preview"),
        ("POST", "/api/v1/files/{id}/retry"), ("GET", "/api/v1/files/{id}/replay"), ("GET", "/api/v1/quarantine"), ("GET", "/api/v1/channels"),
        ("POST", "/api/v1/channels/{partner}/{channel}/disable"), ("POST", "/api/v1/channels/{partner}/{channel}/enable"),
        ("GET", "/api/v1/outbound"), ("GET", "/api/v1/dead-letters"), ("POST", "/api/v1/dead-letters/{id}/retry"),
        ("GET", "/api/v1/einvoices"), ("GET", "/api/v1/x12/groups"), ("GET", "/api/v1/breakers"), ("GET", "/api/v1/audit"),
        ("GET", "/api/v1/reconciliation"),
    ]

    func register(_ router: Router<ConsoleContext>) {
        let api = router.group("api/v1")
        api.get("summary") { _, _ in try JSON.response(try summary()) }
        api.get("files") { request, _ in try guarded { try JSON.response(try files(request, state: nil)) } }
        api.get("quarantine") { request, _ in try guarded { try JSON.response(try files(request, state: FileState.quarantined.rawValue)) } }
        api.get("files/:id") { _, context in JSON.response(try fileDetail(try id(context))) }
        api.get("files/:id/preview") { _, context in try JSON.response(try preview(try id(context))) }
        api.post("files/:id/retry") { request, context in
            try await server.checkCSRF(request, context)
            let row = try await retry(try id(context), context: context)
            return try JSON.response(row.file, status: row.done ? .ok : .accepted)
        }
        api.get("files/:id/replay") { _, context in try JSON.response(try replay(try id(context))) }
        api.get("channels") { _, _ in try JSON.response(try queries.channels()) }
        for enabled in [true, false] {
            api.post("channels/:partner/:channel/\(enabled ? "enable" : "disable")") { request, context in
                try await server.checkCSRF(request, context)
                return try JSON.response(try setChannel(context, enabled: enabled))
            }
        }
        api.get("outbound") { request, _ in try guarded { try JSON.response(try queries.outbound(state: q(request, "state"), paging(request))) } }
        api.get("dead-letters") { request, _ in try guarded { try JSON.response(try queries.deadLetters(paging(request))) } }
        api.post("dead-letters/:id/retry") { request, context in
            try await server.checkCSRF(request, context)
            return try JSON.response(try retryDeadLetter(try id(context), context: context))
        }
        api.get("einvoices") { request, _ in try guarded { try JSON.response(try queries.einvoices(state: q(request, "state"), paging(request))) } }
        api.get("x12/groups") { request, _ in try guarded { try JSON.response(try queries.x12Groups(state: q(request, "state"), paging(request))) } }
        api.get("breakers") { _, _ in try JSON.response(try queries.breakers()) }
        api.get("reconciliation") { request, _ in try guarded { JSON.response(try ReconciliationAPI(api: self).report(request)) } }
        api.get("audit") { request, _ in
            try guarded {
                let limit = try q(request, "limit").map { guard let n = Int($0), (1...1000).contains(n) else { throw BadRequest("limit: 1 to 1000") }; return n } ?? 100
                return try JSON.response(try queries.gatewayAudit(limit: limit))
            }
        }
    }

    // MARK: handlers (also used by the pages)

    func q(_ request: Request, _ key: String) -> String? {
        request.uri.queryParameters.get(key).flatMap { $0.isEmpty ? nil : $0 }
    }

    func paging(_ request: Request) throws -> Paging { try Paging(page: q(request, "page"), perPage: q(request, "perPage")) }

    func guarded(_ body: () throws -> Response) throws -> Response {
        do { return try body() } catch let e as BadRequest { throw HTTPError(.badRequest, message: e.message) }
    }

    func id(_ context: ConsoleContext) throws -> Int64 {
        guard let id = context.parameters.get("id", as: Int64.self) else { throw HTTPError(.badRequest, message: "id: a number") }
        return id
    }

    func files(_ request: Request, state: String?) throws -> Page<FileRow> {
        var filter = try FileFilter { q(request, $0) }
        if let state { filter.state = state }
        return try queries.files(filter, paging(request))
    }

    /// `{file, audit, error, records, recordsTotal}`: the error report and the records as stored (JSON).
    func fileDetail(_ id: Int64, recordLimit: Int = 100) throws -> String {
        guard let found = try queries.file(id) else { throw HTTPError(.notFound, message: "no file \(id)") }
        let records = try queries.records(fileId: id, limit: recordLimit)
        return "{\"audit\":\(try JSON.text(try queries.audit(fileId: id))),\"error\":\(rawJSON(found.error)),\"file\":\(try JSON.text(found.row)),"
            + "\"records\":[\(records.lines.joined(separator: ","))],\"recordsTotal\":\(records.total)}"
    }

    func preview(_ id: Int64) throws -> Preview {
        guard let found = try queries.file(id) else { throw HTTPError(.notFound, message: "no file \(id)") }
        let report = found.error.flatMap(FileRow.report)
        return Preview(path: found.path, errorLine: report?.line, errorColumn: report?.column)
    }

    struct Replay: Encodable, Sendable {
        struct Change: Encodable, Sendable { var index: Int; var stored: String?; var now: String? }
        var stored: Int
        var now: Int
        /// The first 200 records that differ (`stored` and `now` as JSON lines).
        var changes: [Change]
        var changed: Int
        /// Why the file cannot be translated now, if it cannot.
        var error: String?
    }

    /// `dropgate replay` over HTTP: the archived file translated again with the mappings on disk now,
    /// compared record by record with what the ledger stored; nothing is stored.
    func replay(_ id: Int64) throws -> Replay {
        guard let found = try queries.file(id) else { throw HTTPError(.notFound, message: "no file \(id)") }
        guard ["archived", "duplicate"].contains(found.row.state), let path = found.path, FileManager.default.fileExists(atPath: path) else {
            throw HTTPError(.conflict, message: "file \(id) is \(found.row.state), with no archived copy to replay")
        }
        guard let channel = server.config.channel(partner: found.row.partner, name: found.row.channel) else {
            throw HTTPError(.conflict, message: "channel \(found.row.partner)/\(found.row.channel) is no longer configured")
        }
        let stored = try server.ledger.records(fileId: id)
        var now = [String]()
        do {
            let translator = Translator(mappings: try MappingLibrary(directory: server.config.mappingsDir))
            try translator.translate(Translator.Job(path: path, fileName: found.row.name, sha256: found.row.sha256 ?? "", partner: found.row.partner,
                                                    channel: found.row.channel, format: channel.format, mapping: channel.mapping, options: channel.options)) {
                now.append(try JSONLines.line($0))
            }
        } catch {
            return Replay(stored: stored.count, now: 0, changes: [], changed: 0, error: "\(error)")
        }
        var changes = [Replay.Change](), changed = 0
        for i in 0..<max(stored.count, now.count) {
            let a = i < stored.count ? stored[i] : nil, b = i < now.count ? now[i] : nil
            guard a != b else { continue }
            changed += 1
            if changes.count < 200 { changes.append(Replay.Change(index: i, stored: a, now: b)) }
        }
        return Replay(stored: stored.count, now: now.count, changes: changes, changed: changed, error: nil)
    }

    struct RetryResult { var file: FileRow; var done: Bool }

    /// Asks the gateway to translate a quarantined file again and waits (up to 30 s) for the outcome.
    func retry(_ id: Int64, context: ConsoleContext) async throws -> RetryResult {
        try context.requireOperator()
        guard let found = try queries.file(id) else { throw HTTPError(.notFound, message: "no file \(id)") }
        guard found.row.state == FileState.quarantined.rawValue else {
            throw HTTPError(.conflict, message: "file \(id) is \(found.row.state), not quarantined")
        }
        let before = try queries.audit(fileId: id).last?.seq ?? 0
        try server.ledger.audit(fileId: id, "retry-requested", "by \(context.actor)")
        server.runner.control.requestRetry(fileId: id, actor: context.actor)
        let finals: Set<String> = ["archived", "quarantined", "duplicate", "rejected"]
        for _ in 0..<600 {
            try await Task.sleep(for: .milliseconds(50))
            let retried = try queries.audit(fileId: id).contains { $0.seq > before && $0.event == "retry" }
            if retried, let now = try queries.file(id), finals.contains(now.row.state) { return RetryResult(file: now.row, done: true) }
        }
        return RetryResult(file: try queries.file(id)?.row ?? found.row, done: false)
    }

    func setChannel(_ context: ConsoleContext, enabled: Bool) throws -> ChannelRow {
        try context.requireOperator()
        let partner = context.parameters.get("partner") ?? "", channel = context.parameters.get("channel") ?? ""
        guard server.config.channel(partner: partner, name: channel) != nil else { throw HTTPError(.notFound, message: "no channel \(partner)/\(channel)") }
        try server.ledger.setChannel(partner: partner, channel: channel, enabled: enabled, by: context.actor)
        server.runner.control.setEnabled(enabled, partner: partner, channel: channel)
        return try queries.channels().first { $0.partner == partner && $0.channel == channel }!
    }

    func retryDeadLetter(_ id: Int64, context: ConsoleContext) throws -> DeadLetterRow {
        try context.requireOperator()
        do {
            let item = try SFTPPlugin.retry(id: id, ledger: server.ledger)
            try server.ledger.audit(fileId: nil, "dead-letter-retry", "SFTP item \(id) (\(item.partner)/\(item.channel)/\(item.name)) by \(context.actor)")
            return DeadLetterRow(id: id, kind: item.kind.rawValue, partner: item.partner, channel: item.channel, name: item.name, endpoint: item.endpoint,
                                 phase: item.phase, failures: item.failures, attempts: item.attempts, lastError: item.lastError,
                                 nextAttempt: item.nextAttempt, updatedAt: item.updatedAt)
        } catch let e as SFTPRetryError {
            throw HTTPError(e.description.hasPrefix("no SFTP item") ? .notFound : .conflict, message: e.description)
        }
    }

    struct Summary: Encodable, Sendable {
        struct Count: Encodable, Sendable { var partner: String; var state: String; var count: Int }
        struct Deadline: Encodable, Sendable { var what: String; var partner: String; var at: Date }
        var day: String
        var today: [Count]
        var states: [String: Int]
        var openErrors: Int
        var lastHourArchived: Int
        var deadlines: [Deadline]
        var awaitingAck: Int
        var deadLetters: Int
        var openBreakers: Int
        var disabledChannels: [String]
        /// RunnerControl.mappingsProblem: the mappings folder does not load as it is now.
        var mappingsProblem: String?
    }

    func summary(now: Date = Date()) throws -> Summary {
        let hourAgo = now.addingTimeInterval(-3600)
        let today = try queries.today(now: now).map { Summary.Count(partner: $0.partner, state: $0.state, count: $0.count) }
        return try server.reader.read { db in
            let states = try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM files GROUP BY state").reduce(into: [String: Int]()) { $0[$1["state"]] = $1["n"] as Int }
            let deadlines = try Row.fetchAll(db, sql: """
                SELECT partner, number, message, deadline FROM einvoice_queue WHERE state IN ('queued', 'releasing', 'failed') AND deadline IS NOT NULL ORDER BY deadline LIMIT 10
                """).map { Summary.Deadline(what: "e-invoice \($0["message"] as String) \($0["number"] as String) upload", partner: $0["partner"], at: $0["deadline"]) }
            let phases = SFTPItem.deadPhases.map { "'\($0)'" }.joined(separator: ", ")
            return Summary(
                day: FileFilter.dayString(now),
                today: today,
                states: states, openErrors: states["quarantined", default: 0],
                lastHourArchived: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM files WHERE state = 'archived' AND updatedAt >= ?", arguments: [hourAgo]) ?? 0,
                deadlines: deadlines,
                awaitingAck: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM x12_groups WHERE state = 'sent'") ?? 0,
                deadLetters: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sftp_items WHERE phase IN (\(phases))") ?? 0,
                openBreakers: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sftp_endpoints WHERE state = 'open'") ?? 0,
                disabledChannels: server.config.channels.filter { !server.runner.control.isEnabled(partner: $0.partner, channel: $0.name) }.map { "\($0.partner)/\($0.name)" },
                mappingsProblem: server.runner.control.mappingsProblem)
        }
    }
}

extension ConsoleServer {
    /// A post made with a session cookie must carry the session's CSRF token (form field `csrf` or
    /// header X-CSRF-Token); a bearer token needs none (a browser never sends it by itself).
    func checkCSRF(_ request: Request, _ context: ConsoleContext, form: [String: String]? = nil) async throws {
        guard let session = context.session, context.identity?.via == "console session" else { return }
        let sent = request.headers.first { $0.name.canonicalName == "x-csrf-token" }?.value ?? form?["csrf"]
        guard let sent, ConsoleAuth.constantTimeEqual(sent, session.csrf) else {
            throw HTTPError(.forbidden, message: "missing or wrong CSRF token: reload the page and try again")
        }
    }
}
