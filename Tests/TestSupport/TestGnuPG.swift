import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A GnuPG home in a temp folder with keys made by `gpg --batch` (ed25519 signing, cv25519
/// encryption), standing for a partner's or our own side. `stop()` ends the gpg-agent it started
/// and removes the folder.
public final class TestGnuPG {
    public let home: String
    /// Homes of other keyrings (the gateway's) whose agents `stop()` ends too.
    public var otherHomes: [String] = []

    public init(name: String = "gpg") throws {
        home = NSTemporaryDirectory() + "dropgate-\(name)-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Makes a key for `email` (passphrase "" = none), valid for `expiry` ("1y", "10d"); returns its fingerprint.
    @discardableResult
    public func generate(_ email: String, passphrase: String = "", expiry: String = "1y") throws -> String {
        try gpg(["--passphrase", passphrase, "--quick-gen-key", "\(email.split(separator: "@")[0]) <\(email)>", "future-default", "default", expiry])
        return try fingerprint(email)
    }

    public func fingerprint(_ email: String) throws -> String {
        let out = try gpg(["--with-colons", "--list-keys", "<\(email)>"])
        guard let line = out.split(separator: "\n").first(where: { $0.hasPrefix("fpr:") }) else { throw TestGnuPGError("no key for \(email): \(out)") }
        return String(line.split(separator: ":", omittingEmptySubsequences: false)[9])
    }

    /// Writes the public key (or the secret key) of `email` to `path`, armoured.
    public func export(_ email: String, to path: String, secret: Bool = false, passphrase: String = "") throws {
        try gpg(["--passphrase", passphrase, "--armor", "--output", path, secret ? "--export-secret-keys" : "--export", "<\(email)>"])
        guard FileManager.default.fileExists(atPath: path) else { throw TestGnuPGError("gpg exported nothing to \(path)") }
    }

    public func importKey(_ path: String) throws { try gpg(["--import", path]) }

    /// gpg with this home, in batch mode with loopback pinentry; throws when it exits non-zero.
    @discardableResult
    public func gpg(_ arguments: [String]) throws -> String {
        let output = NSTemporaryDirectory() + "dropgate-gpg-out-" + UUID().uuidString
        defer { unlink(output) }
        let child = try spawn("/usr/bin/gpg", ["--homedir", home, "--batch", "--yes", "--no-tty", "--pinentry-mode", "loopback", "--trust-model", "always"] + arguments, log: output)
        var status: Int32 = 0
        waitpid(child, &status, 0)
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        guard status == 0 else { throw TestGnuPGError("gpg \(arguments.joined(separator: " ")) failed (\(status)): \(text)") }
        return text
    }

    public func stop() {
        for h in [home] + otherHomes where FileManager.default.fileExists(atPath: h) {
            if let child = try? spawn("/usr/bin/gpgconf", ["--homedir", h, "--kill", "all"], log: "/dev/null") {
                var status: Int32 = 0
                waitpid(child, &status, 0)
            }
        }
        try? FileManager.default.removeItem(atPath: home)
    }
}

public struct TestGnuPGError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
