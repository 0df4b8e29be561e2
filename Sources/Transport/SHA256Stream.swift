import Foundation
import Crypto

/// SHA-256 fed chunk by chunk, so a file is hashed while it streams past.
public struct SHA256Stream {
    private var hasher = SHA256()
    public init() {}
    public mutating func update(_ bytes: [UInt8]) { hasher.update(data: bytes) }
    public mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }
    public func finalizeHex() -> String {
        hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
