import Foundation
import XCTest
import Canonical
import Events
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 receiver on 127.0.0.1 for webhook tests: records each POST (headers, body)
/// and answers with the next status of `statuses` (the last one repeats). Stopped by `stop()`.
final class TestWebhookReceiver: @unchecked Sendable {
    // @unchecked: `requests` and `statuses` are touched under `lock`.
    struct Request { var headers: [String: String]; var body: String }
    let port: Int
    private let fd: Int32
    private let lock = NSLock()
    private var statuses: [Int]
    private var received = [Request]()
    private var running = true

    init(statuses: [Int] = [200], port: Int? = nil) throws {
        self.statuses = statuses
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port ?? 0).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok, listen(fd, 16) == 0 else { close(fd); throw NSError(domain: "TestWebhookReceiver", code: 1) }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in serve() }.start()
    }

    var url: String { "http://127.0.0.1:\(port)/hook" }
    var requests: [Request] { lock.withLock { received } }

    func stop() {
        lock.withLock { running = false }
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    private func serve() {
        while lock.withLock({ running }) {
            let client = accept(fd, nil, nil)
            if client < 0 { if errno == EINTR { continue }; return }
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var headerEnd: Int?
        var contentLength = 0
        while true {
            if let end = headerEnd, data.count >= end + contentLength { break }
            let n = read(client, &buffer, buffer.count)
            if n <= 0 { return }
            data += buffer[0..<n]
            if headerEnd == nil, let r = find(data, Array("\r\n\r\n".utf8)) {
                headerEnd = r + 4
                let head = String(decoding: data[0..<r], as: UTF8.self)
                for line in head.split(separator: "\r\n").dropFirst() {
                    if let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == "content-length" {
                        contentLength = Int(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)) ?? 0
                    }
                }
            }
        }
        let end = headerEnd!
        var headers = [String: String]()
        for line in String(decoding: data[0..<end - 4], as: UTF8.self).split(separator: "\r\n").dropFirst() {
            if let colon = line.firstIndex(of: ":") {
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        let body = String(decoding: data[end..<end + contentLength], as: UTF8.self)
        let status: Int = lock.withLock {
            received.append(Request(headers: headers, body: body))
            return statuses.count > 1 ? statuses.removeFirst() : statuses[0]
        }
        let reply = "HTTP/1.1 \(status) \(status == 200 ? "OK" : "Error")\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        _ = reply.withCString { write(client, $0, strlen($0)) }
    }

    private func find(_ hay: [UInt8], _ needle: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i..<i + needle.count].elementsEqual(needle) { return i }
        return nil
    }
}

/// Reads every message from a queue until none came for `quiet` seconds.
func drainQueue(_ url: String, _ queue: String, quiet: TimeInterval = 1.5, expect: Int? = nil, timeout: TimeInterval = 60) throws -> [AMQPConnection.Message] {
    let c = try connectWithRetries(url)
    defer { c.close() }
    try c.consume(queue, prefetch: 500)
    var out = [AMQPConnection.Message]()
    let deadline = Date() + timeout
    while Date() < deadline {
        guard let m = try c.next(timeout: quiet) else {
            if let expect, out.count < expect { continue }
            break
        }
        out.append(m)
        try c.ack(m.deliveryTag)
    }
    return out
}

/// The broker's AMQP port may refuse for a few seconds after the node is up.
func connectWithRetries(_ url: String, timeout: TimeInterval = 30) throws -> AMQPConnection {
    let deadline = Date() + timeout
    while true {
        do { return try AMQPConnection(try AMQPAddress(url)) } catch {
            if Date() > deadline { throw error }
            usleep(200_000)
        }
    }
}

/// A queue bound to every event of the `dropgate` exchange (declared before the gateway publishes).
func bindTestQueue(_ url: String, _ queue: String, exchange: String = "dropgate") throws {
    let c = try connectWithRetries(url)
    defer { c.close() }
    try c.declareExchange(exchange, type: "topic")
    try c.declareQueue(queue, deadLetterExchange: "dropgate.dead-letter", bindTo: exchange, key: "#")
}

/// The parsed envelope of a message.
func envelope(_ m: AMQPConnection.Message) throws -> JSONValue { try JSONParser.parse(String(decoding: m.body, as: UTF8.self)) }
