import Foundation
import Gateway
import Hummingbird
import Ledger

/// The operator console: server-rendered pages (Templates/*.mustache), plain CSS, no script.
struct Pages {
    let server: ConsoleServer
    var api: API { API(server: server) }
    var queries: Queries { api.queries }

    func register(_ router: Router<ConsoleContext>) {
        router.get("static/console.css") { _, _ in
            let css = (try? String(contentsOfFile: server.staticDir + "/console.css", encoding: .utf8)) ?? ""
            return Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"], body: .init(byteBuffer: ByteBuffer(string: css)))
        }
        router.get("metrics") { _, _ in
            let text = try server.metrics.scrape(ledger: server.reader, config: server.config, control: server.runner.control)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: text)))
        }
        router.get("favicon.ico") { _, _ in Response(status: .noContent) }
        router.get("login") { request, context in login(request, context, error: nil) }
        router.post("login") { request, context in try await postLogin(request, context) }
        router.post("logout") { request, context in
            let form = try await Pages.form(request)
            try await server.checkCSRF(request, context, form: form)
            if let s = context.session { server.auth.endSession(s.id) }
            var r = Response.redirect(to: "/login", type: .found)
            r.setCookie(Cookie(name: ConsoleAuth.sessionCookie, value: "", maxAge: 0, path: "/", secure: server.settings.tls != nil, httpOnly: true, sameSite: .strict))
            return r
        }
        router.get("/") { _, context in try dashboard(context) }
        router.get("files") { request, context in try pageErrors(context) { try fileList(request, context, state: nil, template: "files", title: "Files") } }
        router.get("quarantine") { request, context in try pageErrors(context) { try fileList(request, context, state: "quarantined", template: "quarantine", title: "Quarantine") } }
        router.get("files/:id") { request, context in try fileDetail(try api.id(context), request, context) }
        router.post("files/:id/retry") { request, context in
            let form = try await Pages.form(request)
            try await server.checkCSRF(request, context, form: form)
            let id = try api.id(context)
            let result = try await api.retry(id, context: context)
            return Response.redirect(to: "/files/\(id)?retried=\(result.done ? result.file.state : "pending")", type: .found)
        }
        router.get("channels") { _, context in try channels(context) }
        router.get("reconciliation") { request, context in try pageErrors(context) { try reconciliation(request, context) } }
        for enabled in [true, false] {
            router.post("channels/:partner/:channel/\(enabled ? "enable" : "disable")") { request, context in
                let form = try await Pages.form(request)
                try await server.checkCSRF(request, context, form: form)
                _ = try api.setChannel(context, enabled: enabled)
                return Response.redirect(to: "/channels", type: .found)
            }
        }
        router.get("dead-letters") { request, context in try pageErrors(context) { try deadLetters(request, context) } }
        router.post("dead-letters/:id/retry") { request, context in
            let form = try await Pages.form(request)
            try await server.checkCSRF(request, context, form: form)
            _ = try api.retryDeadLetter(try api.id(context), context: context)
            return Response.redirect(to: "/dead-letters", type: .found)
        }
        router.get("deadlines") { request, context in try pageErrors(context) { try deadlines(request, context) } }
    }

    // MARK: login

    func login(_ request: Request, _ context: ConsoleContext, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        // One value per browser until it logs in: a second load of the form (another tab, a favicon
        // request sent to /login) must not invalidate the first.
        let kept = request.cookies[ConsoleAuth.loginCSRFCookie]?.value ?? ""
        let csrf = kept.count == 64 && kept.allSatisfy(\.isHexDigit) ? kept : ConsoleAuth.random()
        var page: [String: Any] = ["next": request.uri.queryParameters.get("next") ?? "/", "loginCSRF": csrf]
        if let error { page["error"] = error }
        var r = server.render("login", page, context: context, title: "Log in")
        r.status = status
        r.setCookie(Cookie(name: ConsoleAuth.loginCSRFCookie, value: csrf, path: "/login", secure: server.settings.tls != nil, httpOnly: true, sameSite: .strict))
        return r
    }

    /// Token in, session cookie out. The form's CSRF value must match its cookie (double submit);
    /// a wrong token counts against the address's failed logins.
    func postLogin(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let form = try await Pages.form(request)
        guard let cookie = request.cookies[ConsoleAuth.loginCSRFCookie]?.value, let sent = form["csrf"], ConsoleAuth.constantTimeEqual(cookie, sent) else {
            return login(request, context, error: "The form expired (CSRF check failed); please try again.", status: .forbidden)
        }
        guard server.auth.mayTry(context.remoteAddress) else {
            return login(request, context, error: "Too many failed logins from this address; wait a few minutes.", status: .tooManyRequests)
        }
        guard let who = server.auth.identity(token: (form["token"] ?? "").trimmingCharacters(in: .whitespaces)) else {
            server.auth.failed(context.remoteAddress)
            return login(request, context, error: "Unknown or revoked token.", status: .unauthorized)
        }
        let session = server.auth.newSession(for: who)
        try? server.ledger.audit(fileId: nil, "console-login", "\(who.role.rawValue) \"\(who.name)\" from \(context.remoteAddress)")
        let next = form["next"].flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") ? $0 : nil } ?? "/"
        var r = Response.redirect(to: next, type: .found)
        r.setCookie(Cookie(name: ConsoleAuth.sessionCookie, value: session.id, maxAge: Int(ConsoleAuth.sessionLifetime), path: "/", secure: server.settings.tls != nil, httpOnly: true, sameSite: .strict))
        return r
    }

    static func form(_ request: Request) async throws -> [String: String] {
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024)
        var out = [String: String]()
        for pair in String(buffer: body).split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
            out[decode(kv[0])] = kv.count > 1 ? decode(kv[1]) : ""
        }
        return out
    }

    func pageErrors(_ context: ConsoleContext, _ body: () throws -> Response) throws -> Response {
        do { return try body() } catch let e as BadRequest {
            var r = server.render("message", ["message": e.message], context: context, title: "Bad request")
            r.status = .badRequest
            return r
        }
    }

    // MARK: pages

    static func time(_ d: Date?) -> String {
        guard let d else { return "" }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate, .withSpaceBetweenDateAndTime]
        return f.string(from: d) + " UTC"
    }

    func fileItem(_ f: FileRow) -> [String: Any] {
        ["id": f.id, "partner": f.partner, "channel": f.channel, "name": f.name, "size": f.size.map { "\($0)" } ?? "", "format": f.format ?? "",
         "state": f.state, "records": f.recordCount, "received": Pages.time(f.receivedAt), "error": f.errorMessage ?? "",
         "quarantined": f.state == "quarantined"]
    }

    func dashboard(_ context: ConsoleContext) throws -> Response {
        let s = try api.summary()
        var partners = [String: [String: Int]]()
        for c in s.today { partners[c.partner, default: [:]][c.state] = c.count }
        let states = FileState.allCases.map(\.rawValue)
        let rows: [[String: Any]] = partners.keys.sorted().map { p in
            ["partner": p, "counts": states.map { ["n": partners[p]?[$0] ?? 0] }]
        }
        let errors = try queries.files(try FileFilter { $0 == "state" ? "quarantined" : nil }, Paging(page: nil, perPage: "10"))
        return server.render("dashboard", [
            "day": s.day, "states": states.map { ["state": $0] }, "rows": rows, "noRows": rows.isEmpty,
            "openErrors": s.openErrors, "lastHour": s.lastHourArchived, "awaitingAck": s.awaitingAck, "deadLetters": s.deadLetters,
            "openBreakers": s.openBreakers, "badErrors": s.openErrors > 0, "badDead": s.deadLetters > 0, "badBreakers": s.openBreakers > 0, "disabled": s.disabledChannels.map { ["name": $0] }, "hasDisabled": !s.disabledChannels.isEmpty,
            "mappingsProblem": s.mappingsProblem ?? "", "hasMappingsProblem": s.mappingsProblem != nil,
            "hasDeadlines": !s.deadlines.isEmpty,
            "deadlines": s.deadlines.map { ["what": $0.what, "partner": $0.partner, "at": Pages.time($0.at)] },
            "errors": errors.items.map(fileItem),
        ], context: context, title: "Dashboard")
    }

    func fileList(_ request: Request, _ context: ConsoleContext, state: String?, template: String, title: String) throws -> Response {
        let page = try api.files(request, state: state)
        var query = [String: String]()
        for k in ["partner", "channel", "format", "state", "from", "to", "q", "perPage"] { if let v = api.q(request, k) { query[k] = v } }
        func link(_ p: Int) -> String {
            var q = query; q["page"] = "\(p)"
            return "/\(template)?" + q.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        }
        let partners = server.config.partners.map(\.name)
        return server.render(template, [
            "files": page.items.map(fileItem), "none": page.items.isEmpty, "total": page.totalText, "page": page.page, "pages": page.totalCapped == true ? "\(page.pages)+" : "\(page.pages)",
            "prev": page.page > 1 ? link(page.page - 1) : "", "next": page.hasNext ? link(page.page + 1) : "",
            "q": query["q"] ?? "", "from": query["from"] ?? "", "to": query["to"] ?? "", "format": query["format"] ?? "", "channel": query["channel"] ?? "",
            "partners": partners.map { ["name": $0, "selected": $0 == query["partner"]] },
            "stateOptions": FileState.allCases.map { ["name": $0.rawValue, "selected": $0.rawValue == query["state"]] },
        ], context: context, title: title)
    }

    func fileDetail(_ id: Int64, _ request: Request, _ context: ConsoleContext) throws -> Response {
        guard let found = try queries.file(id) else { throw HTTPError(.notFound, message: "no file \(id)") }
        let report = found.error.flatMap(FileRow.report)
        let preview = Preview(path: found.path, errorLine: report?.line, errorColumn: report?.column)
        let lines: [[String: Any]] = preview.lines.map { l in
            var item: [String: Any] = ["number": l.number, "text": l.text, "error": l.error]
            if l.error, let col = report?.column, col >= 1 {
                let chars = Array(l.text)
                let span = Pages.span(column: col, in: chars, csv: found.row.format == "csv" || found.row.name.lowercased().hasSuffix(".csv"))
                item["before"] = String(chars[..<span.lowerBound])
                item["mark"] = span.isEmpty ? " " : String(chars[span])
                item["after"] = String(chars[span.upperBound...])
                item["marked"] = true
            }
            return item
        }
        let records = try queries.records(fileId: id, limit: 50)
        let audit = try queries.audit(fileId: id)
        var page: [String: Any] = [
            "file": fileItem(found.row), "sha256": found.row.sha256 ?? "", "path": found.path ?? "", "attempts": found.row.attempts,
            "preview": lines, "previewMissing": !preview.available,
            "records": records.lines.map { ["json": $0] }, "hasRecords": !records.lines.isEmpty, "recordsTotal": records.total, "recordsShown": records.lines.count,
            "audit": audit.map { ["seq": $0.seq, "at": Pages.time($0.at), "event": $0.event, "detail": $0.detail ?? ""] },
        ]
        if let retried = request.uri.queryParameters.get("retried"), !retried.isEmpty { page["retried"] = retried }
        if report == nil, let raw = found.error { page["rawError"] = raw }
        if let r = report {
            page["report"] = ["code": r.code, "message": r.message, "line": r.line.map { "\($0)" } ?? "", "column": r.column.map { "\($0)" } ?? "",
                              "located": r.located] as [String: Any]
        }
        return server.render("file", page, context: context, title: "File \(id) — \(found.row.name)")
    }

    /// Where an error's column is in its line: for CSV the column is the field's number (the whole
    /// field is marked, quotes respected, the delimiter the line's most frequent of , ; tab |),
    /// elsewhere the character's position.
    static func span(column: Int, in chars: [Character], csv: Bool) -> Range<Int> {
        guard csv else { let at = min(column - 1, chars.count); return at..<min(at + 1, chars.count) }
        let delimiter = [",", ";", "\t", "|"].map(Character.init).max { a, b in chars.filter { $0 == a }.count < chars.filter { $0 == b }.count } ?? ","
        var field = 1, start = 0, quoted = false
        for (i, c) in chars.enumerated() {
            if c == "\"" { quoted.toggle() } else if c == delimiter && !quoted {
                if field == column { return start..<i }
                field += 1; start = i + 1
            }
        }
        return field == column ? start..<chars.count : chars.count..<chars.count
    }

    func channels(_ context: ConsoleContext) throws -> Response {
        let rows = try queries.channels()
        return server.render("channels", [
            "channels": rows.map { c in
                ["partner": c.partner, "channel": c.channel, "format": c.format ?? c.mapping ?? "", "path": c.path, "enabled": c.enabled, "remote": c.remote,
                 "archived": c.files["archived", default: 0], "quarantined": c.files["quarantined", default: 0],
                 "total": c.files.values.reduce(0, +)] as [String: Any]
            },
            "audit": try queries.gatewayAudit(limit: 20).map { ["at": Pages.time($0.at), "event": $0.event, "detail": $0.detail ?? ""] },
        ], context: context, title: "Partners and channels")
    }

    /// The period's statements, line by line, against what we expected (`ReconciliationAPI`).
    func reconciliation(_ request: Request, _ context: ConsoleContext) throws -> Response {
        let (p, report, fileIds) = try ReconciliationAPI(api: api).run(request)
        let statements: [[String: Any]] = zip(report.statements, fileIds).map { s, fileId in
            ["fileId": fileId, "account": s.account, "number": s.statementNumber, "currency": s.currency,
             "matched": s.count(.matched), "partial": s.count(.partiallyMatched), "unmatched": s.count(.unmatched), "direct": s.count(.direct),
             "lines": s.lines.map { l in
                 ["line": l.line, "date": l.valueDate, "amount": l.amount.description, "status": l.status.rawValue, "bad": l.status == .unmatched,
                  "method": l.method?.rawValue ?? "", "expected": l.expected.map(\.reference).joined(separator: ", "),
                  "difference": l.difference?.description ?? "", "text": [l.counterparty, l.text].compactMap { $0 }.joined(separator: " — ")] as [String: Any]
             }] as [String: Any]
        }
        return server.render("reconciliation", [
            "from": p.from, "to": p.to, "expectedFrom": p.expectedFrom, "statements": statements, "none": statements.isEmpty,
            "unmatchedExpected": report.unmatchedExpected.map { ["kind": $0.kind.rawValue, "reference": $0.reference, "date": $0.date, "amount": $0.amount.description,
                                                                  "currency": $0.currency, "party": $0.party] },
            "allPaid": report.unmatchedExpected.isEmpty,
        ], context: context, title: "Reconciliation")
    }

    func deadLetters(_ request: Request, _ context: ConsoleContext) throws -> Response {
        let page = try queries.deadLetters(api.paging(request))
        return server.render("deadletters", [
            "items": page.items.map { ["id": $0.id, "kind": $0.kind, "partner": $0.partner, "channel": $0.channel, "name": $0.name, "endpoint": $0.endpoint,
                                       "phase": $0.phase, "attempts": $0.attempts, "error": $0.lastError ?? ""] as [String: Any] },
            "none": page.items.isEmpty, "total": page.total, "page": page.page, "pages": page.pages,
            "prev": page.page > 1 ? "/dead-letters?page=\(page.page - 1)" : "", "next": page.page < page.pages ? "/dead-letters?page=\(page.page + 1)" : "",
            "breakers": try queries.breakers().map { ["endpoint": $0.endpoint, "state": $0.state, "open": $0.state == "open", "summary": $0.summary] },
        ], context: context, title: "Dead letters")
    }

    func deadlines(_ request: Request, _ context: ConsoleContext) throws -> Response {
        let paging = try api.paging(request)
        let invoices = try queries.einvoices(state: "queued", paging)
        let groups = try queries.x12Groups(state: "sent", paging)
        let cutoffs: [[String: Any]] = server.config.partners.flatMap { p in
            p.outbound.compactMap { o in o.deliver.map { d in
                ["partner": p.name, "channel": o.name, "endpoint": d.endpoint, "schedule": d.schedule.summary,
                 "open": d.schedule.releases(at: Date()) ? "open now" : "closed now"] } }
        }
        let pages = max(invoices.pages, groups.pages)
        return server.render("deadlines", [
            "invoices": invoices.items.map { ["partner": $0.partner, "number": $0.number, "message": $0.message, "kind": $0.kind, "deadline": Pages.time($0.deadline), "queued": Pages.time($0.queuedAt)] },
            "noInvoices": invoices.items.isEmpty, "invoiceTotal": invoices.total,
            "groups": groups.items.map { ["partner": $0.partner, "isa": $0.interchangeControlNumber, "gs": $0.groupControlNumber, "functional": $0.functionalId, "sets": $0.setCount, "sent": Pages.time($0.sentAt)] as [String: Any] },
            "noGroups": groups.items.isEmpty, "groupTotal": groups.total,
            "cutoffs": cutoffs, "noCutoffs": cutoffs.isEmpty, "page": paging.page, "pages": pages,
            "prev": paging.page > 1 ? "/deadlines?page=\(paging.page - 1)" : "", "next": paging.page < pages ? "/deadlines?page=\(paging.page + 1)" : "",
        ], context: context, title: "Deadlines and acknowledgments")
    }
}
