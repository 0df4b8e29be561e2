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
    /// folders; returns the final paths. Each file is written under its temp name and fsynced
    /// before it is renamed, so a file the client can see is whole and on disk; each folder is
    /// fsynced once at the end, so the renames are too. The files of a batch are written by a few
    /// threads at once: a disk commits their fsyncs together rather than one after another.
    @discardableResult
    public func deliver(_ files: [OutputFile], version: MIGVersion) throws -> [String] {
        var folders: [String: String] = [:]   // message code → folder
        let targets = try files.map { file -> (folder: String, name: String) in
            let code = String(file.name.prefix(while: { $0 != "_" }))
            if let folder = folders[code] { return (folder, file.name) }
            guard let message = MessageType.named(code, version: version) else {
                throw FormatError("tw-einvoice.handoff", "\(file.name) does not start with a MIG \(version.rawValue) message code")
            }
            let folder = (root as NSString).appendingPathComponent(HandOff.sourceFolder(for: message))
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            folders[code] = folder
            return (folder, file.name)
        }
        let work = Work(count: files.count)
        let done = DispatchSemaphore(value: 0)
        let workers = min(16, files.count)
        for _ in 0..<workers {
            Thread {
                while let i = work.take() {
                    do { try Self.place(files[i].bytes, in: targets[i].folder, as: targets[i].name) } catch { work.fail(i, error) }
                }
                done.signal()
            }.start()
        }
        for _ in 0..<workers { done.wait() }
        if let first = work.firstFailure { throw first }
        for folder in Set(folders.values) {
            let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { throw FormatError("tw-einvoice.handoff", "cannot open \(folder): \(String(cString: strerror(errno)))") }
            let synced = fsync(fd)
            close(fd)
            guard synced == 0 else { throw FormatError("tw-einvoice.handoff", "cannot fsync \(folder): \(String(cString: strerror(errno)))") }
        }
        return targets.map { ($0.folder as NSString).appendingPathComponent($0.name) }
    }

    /// One file: temp dot-name, written and fsynced, then renamed to its name.
    private static func place(_ bytes: [UInt8], in folder: String, as name: String) throws {
        let final = folder + "/" + name
        let temp = folder + "/." + name + ".tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FormatError("tw-einvoice.handoff", "cannot write \(temp): \(String(cString: strerror(errno)))") }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n <= 0 {
                let reason = String(cString: strerror(errno))
                close(fd); unlink(temp)
                throw FormatError("tw-einvoice.handoff", "cannot write \(temp): \(reason)")
            }
            written += n
        }
        if fsync(fd) != 0 {
            let reason = String(cString: strerror(errno))
            close(fd); unlink(temp)
            throw FormatError("tw-einvoice.handoff", "cannot fsync \(temp): \(reason)")
        }
        close(fd)
        if rename(temp, final) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw FormatError("tw-einvoice.handoff", "cannot rename \(temp) to \(final): \(reason)")
        }
    }

    /// The files still to place, handed out one at a time, and what failed (the first by file order is reported).
    private final class Work: @unchecked Sendable {
        // @unchecked: every property is only touched under `lock`.
        private let lock = NSLock()
        private let count: Int
        private var next = 0
        private var failures: [(Int, Error)] = []
        init(count: Int) { self.count = count }
        func take() -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard next < count else { return nil }
            next += 1
            return next - 1
        }
        func fail(_ index: Int, _ error: Error) { lock.lock(); failures.append((index, error)); lock.unlock() }
        var firstFailure: Error? { lock.lock(); defer { lock.unlock() }; return failures.min { $0.0 < $1.0 }?.1 }
    }

    /// Whether the upload client has taken everything out of the message's SRC folder
    /// (the condition for releasing the next batch).
    public func isTaken(_ message: MessageType) -> Bool {
        let folder = (root as NSString).appendingPathComponent(HandOff.sourceFolder(for: message))
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return !names.contains { $0.hasSuffix(".xml") && !$0.hasPrefix(".") }
    }
}
