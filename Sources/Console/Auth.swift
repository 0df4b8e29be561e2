import Foundation
import Crypto
import Hummingbird
import Ledger
import Synchronization

/// A console login: made from a token at /login, kept in memory (a restart logs everyone out).
struct Session: Sendable {
    var id: String
    var identity: Identity
    /// Every form post of the session carries it (field `csrf`, or header X-CSRF-Token).
    var csrf: String
    var expires: Date
}

/// Tokens, sessions and the failed-login limit.
final class ConsoleAuth: Sendable {
    let ledger: Ledger
    static let sessionCookie = "dg_session"
    static let loginCSRFCookie = "dg_login_csrf"
    static let sessionLifetime: TimeInterval = 8 * 3600
    /// Failed logins (form or bearer) allowed per client address in `failureWindow` before 429.
    static let maxFailures = 5
    static let failureWindow: TimeInterval = 300
    private let sessions = Mutex<[String: Session]>([:])
    private let failures = Mutex<[String: [Date]]>([:])

    init(ledger: Ledger) { self.ledger = ledger }

    static func random() -> String { SymmetricKey(size: .bits256).withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() } }

    func identity(token secret: String) -> Identity? {
        guard let t = try? ledger.token(secret: secret) else { return nil }
        return Identity(name: t.name, role: t.role, via: "token")
    }

    func newSession(for identity: Identity, now: Date = Date()) -> Session {
        var who = identity
        who.via = "console session"
        let s = Session(id: ConsoleAuth.random(), identity: who, csrf: ConsoleAuth.random(), expires: now.addingTimeInterval(ConsoleAuth.sessionLifetime))
        sessions.withLock { all in
            all = all.filter { $0.value.expires > now }
            all[s.id] = s
        }
        return s
    }

    func session(_ id: String, now: Date = Date()) -> Session? {
        sessions.withLock { all in
            guard let s = all[id] else { return nil }
            if s.expires <= now { all[id] = nil; return nil }
            return s
        }
    }

    func endSession(_ id: String) { _ = sessions.withLock { $0.removeValue(forKey: id) } }

    /// Whether this address may try (again): fewer than `maxFailures` failures in the window.
    func mayTry(_ address: String, now: Date = Date()) -> Bool {
        failures.withLock { all in
            let recent = (all[address] ?? []).filter { now.timeIntervalSince($0) < ConsoleAuth.failureWindow }
            all[address] = recent.isEmpty ? nil : recent
            return recent.count < ConsoleAuth.maxFailures
        }
    }

    func failed(_ address: String, now: Date = Date()) { failures.withLock { $0[address, default: []].append(now) } }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Every route but /healthz, /readyz, /login and /static needs a bearer token or a session.
/// A wrong token counts as a failed login (429 once over the limit); no credentials: 401 for the
/// API and /metrics, a redirect to /login for pages.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = ConsoleContext
    let auth: ConsoleAuth

    static func isPublic(_ path: String) -> Bool {
        path == "/healthz" || path == "/readyz" || path == "/login" || path == "/favicon.ico" || path.hasPrefix("/static/")
    }

    static func isMachine(_ path: String) -> Bool { path.hasPrefix("/api/") || path == "/metrics" }

    func handle(_ request: Request, context: ConsoleContext, next: (Request, ConsoleContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        var context = context
        if let header = request.headers[.authorization] {
            guard header.hasPrefix("Bearer ") else { throw unauthorized("use Authorization: Bearer <token>") }
            guard auth.mayTry(context.remoteAddress) else { throw tooMany() }
            guard let who = auth.identity(token: String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)) else {
                auth.failed(context.remoteAddress)
                throw unauthorized("unknown or revoked token")
            }
            context.identity = who
        } else if let id = request.cookies[ConsoleAuth.sessionCookie]?.value, let session = auth.session(id) {
            context.identity = session.identity
            context.session = session
        }
        if AuthMiddleware.isPublic(path) { return try await next(request, context) }
        guard context.identity != nil else {
            if AuthMiddleware.isMachine(path) { throw unauthorized("this needs a bearer token (dropgate token create --role viewer|operator) or a console login") }
            let back = request.uri.description.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"
            return .redirect(to: "/login?next=\(back)", type: .found)
        }
        return try await next(request, context)
    }

    func unauthorized(_ message: String) -> HTTPError {
        HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer realm=\"dropgate\""], message: message)
    }

    func tooMany() -> HTTPError {
        HTTPError(.tooManyRequests, headers: [.retryAfter: "\(Int(ConsoleAuth.failureWindow))"], message: "too many failed logins from this address; try again later")
    }
}
