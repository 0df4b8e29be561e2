import Foundation
import XCTest
@testable import Console

/// `http.tls`: the console answers HTTPS with the configured certificate (a self-signed one made
/// by openssl here), a client that trusts it gets the API, and plain HTTP on that port gets no answer.
final class TLSTests: XCTestCase {
    /// Runs a tool; returns its exit status and standard output.
    func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, out: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testHTTPSWithATrustedCertificateAndNoPlainHTTP() throws {
        var certificate = ""
        let h = try ConsoleHarness(http: #"{ listen: "127.0.0.1:0", tls: { certificate: tls/cert.pem, key: tls/key.pem } }"#) { root in
            try FileManager.default.createDirectory(atPath: root + "/tls", withIntermediateDirectories: true)
            certificate = root + "/tls/cert.pem"
            let made = try self.run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                                                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", root + "/tls/key.pem", "-out", certificate])
            XCTAssertEqual(made.status, 0, "openssl req")
        }
        defer { h.stop() }
        let base = "https://127.0.0.1:\(h.port)"
        let health = try run("curl", ["-sS", "--max-time", "10", "--cacert", certificate, base + "/healthz"])
        XCTAssertEqual(health.status, 0)
        XCTAssertEqual(health.out, #"{"status":"alive"}"#)
        let files = try run("curl", ["-sS", "--max-time", "10", "--cacert", certificate, "-H", "Authorization: Bearer \(h.viewer)", "-o", "/dev/null",
                                     "-w", "%{http_code}", base + "/api/v1/files"])
        XCTAssertEqual(files.out, "200")
        let noToken = try run("curl", ["-sS", "--max-time", "10", "--cacert", certificate, "-o", "/dev/null", "-w", "%{http_code}", base + "/api/v1/files"])
        XCTAssertEqual(noToken.out, "401")
        // Not trusted without the certificate; no answer to plain HTTP.
        XCTAssertNotEqual(try run("curl", ["-sS", "--max-time", "10", base + "/healthz"]).status, 0, "an unknown certificate is refused")
        let plain = try run("curl", ["-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(h.port)/healthz"])
        XCTAssertNotEqual(plain.status, 0)
        XCTAssertEqual(plain.out, "000", "no HTTP answer on the TLS port")
    }

    func testUnreadableKeyIsALocatedError() throws {
        XCTAssertThrowsError(try ConsoleHarness(http: #"{ listen: "127.0.0.1:0", tls: { certificate: missing.pem, key: missing-key.pem } }"#)) { error in
            XCTAssertTrue("\(error)".contains("http.tls.certificate") && "\(error)".contains("missing.pem"), "\(error)")
        }
    }
}
