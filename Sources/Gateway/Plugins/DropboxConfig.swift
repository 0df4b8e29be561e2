import Foundation
import Yams

/// `dropboxes:` at the top of gateway.yaml: where the partners' SFTP drop boxes live on this host.
public struct DropboxSettings: Sendable {
    /// The chroot folders' parent, `<root>/<partner>`: root-owned and not group/world-writable, as is
    /// every folder above it (OpenSSH's ChrootDirectory rule) — so not under /tmp or a home folder.
    public var root: String
    /// The group that the gateway runs as (owner group of the channel folders); default its own.
    public var group: String?
    /// sshd's log (`/var/log/auth.log`, or a file sshd -E writes), for the fingerprint of the key
    /// each upload logged in with; without it only the SFTP user is recorded.
    public var sshdLog: String?
    /// The generated `sshd_config` fragment (`dropgate sshd-config` writes it); stdout when nil.
    public var sshdConfig: String?
}

/// `dropbox:` of a partner: the system account it logs in as and its public keys.
public struct DropboxAccount: Sendable {
    public var user: String
    /// OpenSSH public key files (one key a line, as `ssh-keygen` writes `.pub` files).
    public var keys: [String]
}

extension GatewayConfig {
    public var dropboxPartners: [Partner] { partners.filter { $0.dropbox != nil } }
    /// The partner whose drop box account is `user`.
    public func dropboxPartner(user: String) -> Partner? { partners.first { $0.dropbox?.user == user } }
}

extension ConfigReader {
    /// `dropboxes:`, needed when a partner has a `dropbox:`.
    mutating func dropboxes(_ node: Yams.Node?, into config: inout GatewayConfig, root: String) {
        config.dropboxes = node.flatMap { dropboxSettings($0, root: root, at: "dropboxes") }
        if node == nil, let p = config.dropboxPartners.first { problems.append("partners.\(p.name).dropbox: needs dropboxes: { root: … } at the top (where the chroot folders are)") }
        let users = Dictionary(grouping: config.dropboxPartners, by: { $0.dropbox!.user }).filter { $0.value.count > 1 }
        for (u, ps) in users { problems.append("partners.\(ps.map(\.name).sorted().joined(separator: ", ")).dropbox.user: \"\(u)\" is given to more than one partner") }
        for p in config.dropboxPartners {
            for c in p.channels where c.path != "\(config.inbox)/\(p.name)/\(c.name)" {
                problems.append("partners.\(p.name).channels: \(c.name): a drop box partner's channels are its drop box folders (inbox/\(p.name)/\(c.name)); remove path:")
            }
        }
    }

    mutating func dropboxSettings(_ node: Yams.Node, root: String, at: String) -> DropboxSettings? {
        unknownKeys(node, ["root", "group", "sshdLog", "sshdConfig"], at: at)
        func abs(_ p: String) -> String { p.hasPrefix("/") ? p : root + "/" + p }
        guard let r = node["root"]?.string, !r.isEmpty else { problems.append("\(at).root: missing (the folder holding one chroot per partner, e.g. /srv/dropgate)"); return nil }
        return DropboxSettings(root: abs(r), group: node["group"]?.string, sshdLog: node["sshdLog"]?.string.map(abs), sshdConfig: node["sshdConfig"]?.string.map(abs))
    }

    mutating func dropboxAccount(_ node: Yams.Node, partner: String, root: String, at: String) -> DropboxAccount? {
        unknownKeys(node, ["user", "keys"], at: at)
        let user = node["user"]?.string ?? "dg-\(partner)"
        let valid = user.count <= 32 && user.first.map { $0 == "_" || ("a"..."z").contains($0) } == true
            && user.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
        if !valid { problems.append("\(at).user: \"\(user)\" is not a system user name (a-z, 0-9, _ and -, at most 32)") }
        if !partner.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) || partner.hasPrefix("-") {
            problems.append("\(at): a partner with a drop box needs a name of letters, digits, - and _ (it names its chroot folder)")
        }
        let keys = (node["keys"]?.sequence?.compactMap(\.string) ?? node["keys"]?.string.map { [$0] } ?? []).map { $0.hasPrefix("/") ? $0 : root + "/" + $0 }
        if keys.isEmpty { problems.append("\(at).keys: missing (the partner's OpenSSH public key files)") }
        return valid ? DropboxAccount(user: user, keys: keys) : nil
    }
}
