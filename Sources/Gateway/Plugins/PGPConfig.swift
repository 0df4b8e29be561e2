import Foundation
import Transport
import Yams

/// `pgp:` of an inbound channel: `{ decrypt: true, verifyWith: keys/bank.asc, passphraseFile: … }`.
/// The file is decrypted with the gateway keyring's secret keys (without `decrypt`, it is only
/// signed); with `verifyWith`, it must be signed by a key of those files (else `pgp.unsigned` /
/// `pgp.bad-signature`, never translated).
public struct InboundPGP: Sendable {
    public var decrypt: Bool
    /// Key files whose keys may sign the channel's files; empty: signatures are not required.
    public var verifyWith: [String]
    /// Our secret key files (imported into the keyring), when not imported by an outbound `signWith`.
    public var decryptWith: [String]
    public var passphrase: SecretSource?
}

/// `pgp:` of an outbound channel: `{ encryptTo: keys/bank.asc, signWith: keys/ours.asc,
/// passphraseFile: …, armor: true }`, applied to the writer's bytes before they reach the outbox.
public struct OutboundPGP: Sendable {
    public var encryptTo: [String]
    public var signWith: String?
    public var passphrase: SecretSource?
    /// ASCII armour (`name.asc`) or binary OpenPGP (`name.pgp`).
    public var armor: Bool
    public var suffix: String { armor ? ".asc" : ".pgp" }
}

extension GatewayConfig {
    /// The gateway's own keyring (GNUPGHOME), never the user's.
    public var pgpHome: String { varDir + "/gnupg" }

    public var usesPGP: Bool { channels.contains { $0.pgp != nil } || outboundChannels.contains { $0.pgp != nil } }

    /// Every key file the configuration names, with where.
    public var pgpKeyFiles: [(label: String, path: String)] {
        var out = [(String, String)]()
        for c in channels { for k in (c.pgp?.verifyWith ?? []) + (c.pgp?.decryptWith ?? []) { out.append(("\(c.partner)/\(c.name) pgp", k)) } }
        for o in outboundChannels { for k in (o.pgp?.encryptTo ?? []) + [o.pgp?.signWith].compactMap({ $0 }) { out.append(("\(o.partner)/\(o.name) pgp", k)) } }
        return out
    }
}

extension ConfigReader {
    static let inboundPGPKeys = secretKeys("passphrase").union(["decrypt", "verifyWith", "decryptWith"])
    static let outboundPGPKeys = secretKeys("passphrase").union(["encryptTo", "signWith", "armor"])

    private func paths(_ node: Yams.Node?, root: String) -> [String] {
        let list = node?.sequence?.compactMap(\.string) ?? node?.string.map { [$0] } ?? []
        return list.map { $0.hasPrefix("/") ? $0 : root + "/" + $0 }
    }

    mutating func inboundPGP(_ node: Yams.Node, root: String, at: String) -> InboundPGP? {
        unknownKeys(node, Self.inboundPGPKeys, at: at)
        let decrypt = node["decrypt"]?.bool ?? false
        let verify = paths(node["verifyWith"], root: root)
        if !decrypt && verify.isEmpty { problems.append("\(at): needs decrypt: true or verifyWith"); return nil }
        return InboundPGP(decrypt: decrypt, verifyWith: verify, decryptWith: paths(node["decryptWith"], root: root),
                          passphrase: secret(node, "passphrase", root: root, at: at))
    }

    mutating func outboundPGP(_ node: Yams.Node, root: String, at: String) -> OutboundPGP? {
        unknownKeys(node, Self.outboundPGPKeys, at: at)
        let to = paths(node["encryptTo"], root: root)
        if to.isEmpty { problems.append("\(at).encryptTo: missing (the partner's public key file)"); return nil }
        var armor = false
        if let a = node["armor"] { if let b = a.bool { armor = b } else { problems.append("\(at).armor: expected true or false") } }
        return OutboundPGP(encryptTo: to, signWith: paths(node["signWith"], root: root).first,
                           passphrase: secret(node, "passphrase", root: root, at: at), armor: armor)
    }
}
