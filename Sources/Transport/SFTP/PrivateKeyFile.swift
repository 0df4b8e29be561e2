import Foundation

/// Reads just enough of a private key file to tell its algorithm, so that an authentication
/// failure with an RSA key can be explained (libssh2 1.10 has no rsa-sha2 signatures).
enum PrivateKeyFile {
    /// True when the key at `path` is an RSA key (PEM "RSA PRIVATE KEY", or an OpenSSH-format
    /// key whose public part is `ssh-rsa`). Unreadable files count as not RSA.
    static func isRSA(path: String) -> Bool {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return false }
        if text.contains("BEGIN RSA PRIVATE KEY") { return true }
        if let publicKey = try? String(contentsOfFile: path + ".pub", encoding: .utf8) {
            return publicKey.hasPrefix("ssh-rsa ")
        }
        return openSSHKeyType(text) == "ssh-rsa"
    }

    /// The key type inside an "OPENSSH PRIVATE KEY" block: the format is the magic
    /// "openssh-key-v1\0", then strings cipher, kdf, kdf options, a uint32 key count, and the
    /// public key blob whose first string is the type name. Public parts are never encrypted.
    static func openSSHKeyType(_ text: String) -> String? {
        let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard let data = Data(base64Encoded: body) else { return nil }
        let bytes = [UInt8](data)
        let magic = Array("openssh-key-v1".utf8) + [0]
        guard bytes.starts(with: magic) else { return nil }
        var offset = magic.count
        func readUInt32() -> Int? {
            guard offset + 4 <= bytes.count else { return nil }
            let value = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            offset += 4
            return value
        }
        func readString() -> [UInt8]? {
            guard let length = readUInt32(), offset + length <= bytes.count else { return nil }
            defer { offset += length }
            return Array(bytes[offset..<offset + length])
        }
        guard readString() != nil, readString() != nil, readString() != nil, readUInt32() != nil,
              let publicBlob = readString(), publicBlob.count >= 4 else { return nil }
        let typeLength = publicBlob[0..<4].reduce(0) { $0 << 8 | Int($1) }
        guard 4 + typeLength <= publicBlob.count else { return nil }
        return String(decoding: publicBlob[4..<4 + typeLength], as: UTF8.self)
    }
}
