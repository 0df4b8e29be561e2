import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import Console
import Gateway
import Ledger
import Logging
import GRDB
import TestSupport

/// A real gateway (in process, on a throwaway home with its own copy of the mappings) with its
/// console on a free port of 127.0.0.1; `stop()` ends both and removes the home.
final class ConsoleHarness: @unchecked Sendable {
    let root: String
    let runner: GatewayRunner
    let console: ConsoleServer
    let port: Int
    let ledger: Ledger
    private let stopFlag = NSLock()
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)
    var viewer = "", op = ""

    /// The payment mapping with a date format that does not fit the files (`dd.MM.yyyy` for 2026-11-23).
    static func breakMapping(_ mappings: String) throws {
        let path = mappings + "/csv/bank-payment.yaml"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "date: yyyy-MM-dd", with: "date: dd.MM.yyyy").write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func fixMapping(_ mappings: String) throws {
        try FileManager.default.removeItem(atPath: mappings + "/csv/bank-payment.yaml")
        try FileManager.default.copyItem(atPath: ProjectPaths.mappings + "/csv/bank-payment.yaml", toPath: mappings + "/csv/bank-payment.yaml")
    }

    /// `http`: the config's `http:` section (default: plain HTTP on a free port).
    init(brokenMapping: Bool = false, http: String = #"{ listen: "127.0.0.1:0" }"#, prepare: (String) throws -> Void = { _ in }) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("dropgate-console-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: ProjectPaths.mappings, toPath: root + "/mappings")
        if brokenMapping { try ConsoleHarness.breakMapping(root + "/mappings") }
        try prepare(root)
        try """
            folders: { inbox: inbox, outbox: outbox, var: var, mappings: mappings }
            pickup: { minAge: 0ms, pollInterval: 50ms }
            http: \(http)
            partners:
              bank:
                channels:
                  - { name: payments, mapping: csv/bank-payment }
                  - { name: statements, mapping: csv/bank-statement }
            """.write(toFile: root + "/gateway.yaml", atomically: true, encoding: .utf8)
        var logger = Logger(label: "console-test")
        logger.logLevel = .error
        let config = try GatewayConfig.load(path: root + "/gateway.yaml")
        runner = try GatewayRunner(config: config, logger: logger, isolation: .inProcess)
        console = try ConsoleServer(runner: runner, settings: config.http!, logger: logger)
        do { port = try console.start() } catch { try? FileManager.default.removeItem(atPath: root); throw error }
        ledger = try Ledger(path: config.ledgerPath)
        viewer = try ledger.createToken(name: "watcher", role: .viewer).secret
        op = try ledger.createToken(name: "ops", role: .operator).secret
        let runner = runner, finished = finished
        Thread.detachNewThread { [unowned self] in
            runner.run(once: false) { self.shouldStop }
            finished.signal()
        }
    }

    private var shouldStop: Bool { stopFlag.lock(); defer { stopFlag.unlock() }; return stopping }

    func stop() {
        stopFlag.lock(); stopping = true; stopFlag.unlock()
        finished.wait()
        console.stop()
        try? FileManager.default.removeItem(atPath: root)
    }

    func inbox(_ channel: String = "payments") -> String { root + "/inbox/bank/" + channel }

    func drop(_ name: String, _ text: String, channel: String = "payments") throws {
        let folder = inbox(channel)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try text.write(toFile: folder + "/." + name, atomically: false, encoding: .utf8)
        try FileManager.default.moveItem(atPath: folder + "/." + name, toPath: folder + "/" + name)
    }

    static func payments(_ n: Int) -> String {
        """
        Direction,Execution date,Amount,Currency,Debtor,Creditor,End to end id
        outbound,2026-11-23,10.\(String(format: "%02d", n % 100)),EUR,Acme,Creditor \(n),E2E-\(n)-1
        outbound,2026-11-23,2.50,EUR,Acme,Creditor \(n),E2E-\(n)-2

        """
    }

    /// Waits up to `timeout` seconds for `condition`.
    func waitFor(_ timeout: TimeInterval = 20, _ condition: () throws -> Bool) rethrows -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if try condition() { return true }
            usleep(20_000)
        }
        return try condition()
    }

    func state(of name: String) throws -> String? {
        try ledger.read { try String.fetchOne($0, sql: "SELECT state FROM files WHERE name = ? ORDER BY id DESC", arguments: [name]) }
    }

    func id(of name: String) throws -> Int64 {
        try ledger.read { try Int64.fetchOne($0, sql: "SELECT id FROM files WHERE name = ? ORDER BY id DESC", arguments: [name]) } ?? -1
    }

    // MARK: HTTP

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> Any { try JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }
        func object() throws -> [String: Any] { try XCTUnwrap(try json() as? [String: Any], text) }
        func header(_ name: String) -> String? { headers.first { $0.key.lowercased() == name.lowercased() }?.value }
    }

    final class NoRedirects: NSObject, URLSessionTaskDelegate {
        func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) { completionHandler(nil) }
    }

    /// Cookies are sent by hand (a `Cookie` header), never from a cookie store.
    let session: URLSession = {
        let c = URLSessionConfiguration.ephemeral
        c.httpShouldSetCookies = false
        c.httpCookieAcceptPolicy = .never
        c.httpCookieStorage = nil
        return URLSession(configuration: c, delegate: NoRedirects(), delegateQueue: nil)
    }()

    func request(_ method: String, _ path: String, token: String? = nil, headers: [String: String] = [:], body: String? = nil) throws -> Reply {
        var r = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        r.httpMethod = method
        r.httpShouldHandleCookies = false
        if let token { r.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (k, v) in headers { r.setValue(v, forHTTPHeaderField: k) }
        if let body { r.httpBody = Data(body.utf8) }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<Reply, Error>?
        session.dataTask(with: r) { data, response, error in
            if let error { result = .failure(error) } else {
                let http = response as! HTTPURLResponse
                var headers = [String: String]()
                for (k, v) in http.allHeaderFields { headers["\(k)"] = "\(v)" }
                result = .success(Reply(status: http.statusCode, headers: headers, body: data ?? Data()))
            }
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + 60) == .success, let result else { throw ConsoleError2("no answer to \(method) \(path)") }
        return try result.get()
    }

    func get(_ path: String, token: String? = nil) throws -> Reply { try request("GET", path, token: token) }
    func post(_ path: String, token: String? = nil, headers: [String: String] = [:], body: String? = nil) throws -> Reply {
        try request("POST", path, token: token, headers: headers, body: body)
    }
}

struct ConsoleError2: Error, CustomStringConvertible { var description: String; init(_ d: String) { description = d } }
