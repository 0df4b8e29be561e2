import Foundation
import Transport
import Yams

/// Every password, passphrase and token in gateway.yaml goes through here, and nowhere else:
/// `<key>: ${ENV_NAME}` reads the environment, `<key>File: path` reads a file (0600, see
/// `dropgate doctor`); `<key>Env: ENV_NAME` is the older spelling of the first. A value written
/// inline is refused, so a secret is never in the config (nor, read from it, in a log or report).
extension ConfigReader {
    /// The keys `secret(_:_:)` accepts for `key` (for the unknown-key check).
    static func secretKeys(_ key: String) -> Set<String> { [key, key + "File", key + "Env"] }

    mutating func secret(_ node: Yams.Node?, _ key: String, root: String, at: String) -> SecretSource? {
        guard let node else { return nil }
        var found = [SecretSource]()
        if let v = node[key]?.string {
            if v.hasPrefix("${"), v.hasSuffix("}"), v.count > 3 {
                found.append(.environment(String(v.dropFirst(2).dropLast())))
            } else {
                problems.append("\(at).\(key): secrets are never written in gateway.yaml: give ${ENV_NAME} or \(key)File: <path>")
            }
        }
        if let env = node[key + "Env"]?.string { found.append(.environment(env)) }
        if let file = node[key + "File"]?.string { found.append(.file(file.hasPrefix("/") ? file : root + "/" + file)) }
        if found.count > 1 { problems.append("\(at): give one of \(key) (${ENV}), \(key)File, \(key)Env"); return nil }
        return found.first
    }
}

extension SecretSource {
    /// Where the secret comes from, for messages (never its value).
    public var origin: String {
        switch self {
        case .environment(let name): "environment variable \(name)"
        case .file(let path): path
        }
    }
}
