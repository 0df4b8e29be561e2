import Foundation
import FormatKit

/// Places message files in the upload client's (Turnkey's) folders under a local root:
/// `UpCast/<area>/<message>/SRC/` — `B2SSTORAGE` for MIG 4.1, `B2CSTORAGE`/`B2BSTORAGE` for 3.2,
/// `B2BEXCHANGE` for exchange messages. Each file is written under a temporary dot-name in the
/// same folder and then renamed, so the client never picks up half a file.
public struct HandOff: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    /// `UpCast/B2SSTORAGE/F0401/SRC` relative to the root.
    public static func sourceFolder(for message: MessageType) -> String {
        "UpCast/\(message.uploadArea)/\(message.code)/SRC"
    }

    /// Writes the files (named `<message>_<number>.xml` by `EInvoiceWriter`) into their SRC
    /// folders; returns the final paths.
    @discardableResult
    public func deliver(_ files: [OutputFile], version: MIGVersion) throws -> [String] {
        try files.map { file in
            let code = String(file.name.prefix(while: { $0 != "_" }))
            guard let message = MessageType.named(code, version: version) else {
                throw FormatError("tw-einvoice.handoff", "\(file.name) does not start with a MIG \(version.rawValue) message code")
            }
            let folder = (root as NSString).appendingPathComponent(HandOff.sourceFolder(for: message))
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let final = (folder as NSString).appendingPathComponent(file.name)
            let temp = (folder as NSString).appendingPathComponent("." + file.name + ".tmp")
            guard FileManager.default.createFile(atPath: temp, contents: Data(file.bytes)) else {
                throw FormatError("tw-einvoice.handoff", "cannot write \(temp)")
            }
            if rename(temp, final) != 0 {
                let reason = String(cString: strerror(errno))
                unlink(temp)
                throw FormatError("tw-einvoice.handoff", "cannot rename \(temp) to \(final): \(reason)")
            }
            return final
        }
    }

    /// Whether the upload client has taken everything out of the message's SRC folder
    /// (the condition for releasing the next batch).
    public func isTaken(_ message: MessageType) -> Bool {
        let folder = (root as NSString).appendingPathComponent(HandOff.sourceFolder(for: message))
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return !names.contains { $0.hasSuffix(".xml") && !$0.hasPrefix(".") }
    }
}
