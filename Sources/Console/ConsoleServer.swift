import Foundation
import Gateway
import GRDB
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL
import Ledger
import Logging
import Mustache
import NIOCore
import ServiceLifecycle
import Synchronization

/// The HTTP side of `dropgate run` (`http:` in gateway.yaml): health checks, Prometheus metrics,
/// the JSON API under /api/v1 (docs/openapi.yaml) and the operator console's pages. It reads the
/// ledger through a connection of its own (WAL: never waiting for the pipeline's commits) and asks
/// the gateway loop for what changes the gateway (`RunnerControl`).
public final class ConsoleServer: Sendable {
    let runner: GatewayRunner
    let ledger: Ledger
    /// Reads (lists, search, metrics) on a pool of connections of their own.
    let reader: DatabasePool
    let settings: GatewayConfig.HTTP
    let logger: Logger
    let auth: ConsoleAuth
    let templates: MustacheLibrary
    let metrics: ConsoleMetrics
    let staticDir: String
    private let running = Mutex<(group: ServiceGroup, done: DispatchSemaphore)?>(nil)

    /// Loads the templates; does not listen yet (`start`).
    public init(runner: GatewayRunner, settings: GatewayConfig.HTTP, logger: Logger) throws {
        self.runner = runner
        self.settings = settings
        self.logger = logger
        ledger = try Ledger(path: runner.config.ledgerPath)
        var readConfig = Configuration()
        readConfig.readonly = true
        readConfig.maximumReaderCount = 4
        readConfig.busyMode = .timeout(10)
        reader = try DatabasePool(path: runner.config.ledgerPath, configuration: readConfig)
        auth = ConsoleAuth(ledger: ledger)
        guard let templatesDir = Bundle.module.path(forResource: "Templates", ofType: nil),
              let staticDir = Bundle.module.path(forResource: "Static", ofType: nil) else {
            throw ConsoleError("the console's templates are missing beside the executable (Console resources)")
        }
        self.staticDir = staticDir
        templates = try ConsoleServer.loadTemplates(templatesDir)
        metrics = ConsoleMetrics.shared
        let metrics = metrics
        runner.pipeline.onFinished = { entry, started in metrics.fileFinished(entry, started: started) }
    }

    static func loadTemplates(_ dir: String) throws -> MustacheLibrary {
        var library = MustacheLibrary()
        for name in try FileManager.default.contentsOfDirectory(atPath: dir).sorted() where name.hasSuffix(".mustache") {
            try library.register(String(contentsOfFile: dir + "/" + name, encoding: .utf8), named: String(name.dropLast(".mustache".count)))
        }
        return library
    }

    /// Starts listening; returns the port (the configured one, or the one picked for port 0).
    @discardableResult
    public func start() throws -> Int {
        let router = Router(context: ConsoleContext.self)
        router.add(middleware: AuthMiddleware(auth: auth))
        Health(server: self).register(router)
        API(server: self).register(router)
        Pages(server: self).register(router)
        let port = Mutex<Int?>(nil)
        let ready = DispatchSemaphore(value: 0)
        let app = Application(router: router, server: try serverBuilder(),
                              configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "dropgate"),
                              onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port ?? 0 }; ready.signal() },
                              logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let done = DispatchSemaphore(value: 0)
        let failure = Mutex<(any Error)?>(nil)
        Task.detached {
            do { try await group.run() } catch { failure.withLock { $0 = error } }
            ready.signal()
            done.signal()
        }
        ready.wait()
        guard let bound = port.withLock({ $0 }) else {
            throw ConsoleError("cannot listen on \(settings.host):\(settings.port): \(failure.withLock { $0 }.map { "\($0)" } ?? "server stopped")")
        }
        running.withLock { $0 = (group, done) }
        logger.info("console on \(settings.scheme)://\(settings.host):\(bound)/ (health /healthz /readyz, metrics /metrics, API /api/v1)")
        return bound
    }

    /// HTTP/1.1, or with `http.tls` HTTPS only (swift-nio-ssl): a plain request on that port ends
    /// in a failed handshake, never an answer.
    func serverBuilder() throws -> HTTPServerBuilder {
        guard let tls = settings.tls else { return .http1() }
        let chain: [NIOSSLCertificate], key: NIOSSLPrivateKey
        do { chain = try NIOSSLCertificate.fromPEMFile(tls.certificate) } catch {
            throw ConsoleError("http.tls.certificate \(tls.certificate): not a readable PEM certificate (\(error))")
        }
        do { key = try NIOSSLPrivateKey(file: tls.key, format: .pem) } catch {
            throw ConsoleError("http.tls.key \(tls.key): not a readable PEM private key (\(error))")
        }
        let configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        return try .tls(.http1(), tlsConfiguration: configuration)
    }

    /// Stops listening: requests in flight finish first (graceful shutdown); returns when it is down.
    public func stop() {
        guard let (group, done) = running.withLock({ r in defer { r = nil }; return r }) else { return }
        Task.detached { await group.triggerGracefulShutdown() }
        done.wait()
    }

    // MARK: shared helpers

    /// The running gateway's configuration.
    var config: GatewayConfig { runner.config }

    func render(_ template: String, _ object: [String: Any], context: ConsoleContext, title: String) -> Response {
        // swift-mustache takes "" as true in a section: an empty text is left out instead.
        var page = object.filter { !(($0.value as? String)?.isEmpty ?? false) }
        page["title"] = title
        // A missing value stays out of the dictionary (an Optional inside `Any` would read as true).
        if let who = context.identity { page["user"] = ["name": who.name, "role": who.role.rawValue, "operator": who.role == .operator] as [String: Any] }
        page["csrf"] = context.session?.csrf ?? ""
        page["nav_" + template] = true
        let body = templates.render(page, withTemplate: template) ?? "template \(template) is missing"
        page["body"] = body
        let html = templates.render(page, withTemplate: "layout") ?? body
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

public struct ConsoleError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ d: String) { description = d }
}

/// Per request: where it came from, and who it is (set by `AuthMiddleware`).
public struct ConsoleContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: String
    var identity: Identity?
    var session: Session?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Who acted, as the audit trail names them.
    var actor: String { identity.map { "\($0.role.rawValue) \"\($0.name)\" (\($0.via))" } ?? "nobody" }

    /// Refuses (403) when the caller is not an operator.
    func requireOperator() throws {
        guard identity?.role == .operator else { throw HTTPError(.forbidden, message: "this needs an operator token; \(actor) may only read") }
    }
}

/// A caller that proved who it is: with a token, or a session made from one.
struct Identity: Sendable {
    var name: String
    var role: TokenRole
    var via: String
}
