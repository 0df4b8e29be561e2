import ArgumentParser
import Foundation
import Canonical
import FormatKit
import Gateway
import Mapping
#if canImport(Glibc)
import Glibc
#endif

/// Options that say how to read a file, shared by `translate` and `validate`.
struct ReadOptions: ParsableArguments {
    @Option(help: "The format (default: detected from the content: ISA → x12, {1: or :20: → mt940, 94-char records → nacha, XML root → its format).")
    var format: String?

    @Option(help: "The partner the file came from (recorded in each record's source; selects the channel's settings).")
    var partner: String?

    @Option(help: "The channel of that partner (its format, mapping, encoding and options apply).")
    var channel: String?

    @Option(help: "A mapping id under mappings/ (e.g. csv/bank-statement); default: the format's default mappings.")
    var mapping: String?

    @Option(help: "The file's text encoding (utf-8, windows-1252, iso-8859-1, iso-8859-2, cp852, big5 …).")
    var encoding: String?

    @Option(name: .customLong("option"), help: "A reader option key=value (repeatable), e.g. --option delimiter=';'.")
    var readerOptions: [String] = []

    /// The translation job for one file, with channel settings (when named) under the command line's.
    func job(for path: String, config: GatewayConfig?) throws -> Translator.Job {
        var options = FormatOptions()
        var format = format, mapping = mapping
        if let partner, let channelName = channel {
            guard let c = config?.channel(partner: partner, name: channelName) else {
                throw ValidationError("no channel \(partner)/\(channelName) in the configuration")
            }
            options = c.options
            format = format ?? c.format
            mapping = mapping ?? c.mapping
        }
        if let encoding {
            guard let e = TextEncoding(encoding) else { throw ValidationError("unknown encoding \"\(encoding)\"") }
            options.encoding = e
        }
        for (k, v) in try keyValues(readerOptions) { options.values[k] = v }
        return Translator.Job(path: path, sha256: try sha256Hex(ofFileAt: path), partner: partner ?? "", channel: channel ?? "",
                              format: format, mapping: mapping, options: options)
    }
}

struct TranslateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "translate",
        abstract: "Translate files to canonical records (JSON Lines on stdout).",
        discussion: """
            A file that cannot be read yields no records at all: its error report goes to stderr as JSON and the \
            exit code is 65 (other files are still translated).
            """)

    @OptionGroup var config: ConfigOptions
    @OptionGroup var read: ReadOptions

    @Argument(help: "Files to translate.")
    var files: [String]

    func run() throws {
        let cfg = try config.loadIfPresent()
        let translator = Translator(mappings: try loadMappings(config))
        var failed = false
        let progress = isatty(STDERR_FILENO) == 1
        for path in files {
            // Records go to a temp file first, so a file that fails part-way prints nothing. It has
            // no name (O_TMPFILE, 0600, in the output's folder), so no exit path — SIGTERM, a trap,
            // kill -9 — can leave it behind.
            let out = try SpoolFile()
            var buffer = [UInt8]()
            buffer.reserveCapacity(1 << 20)
            var count = 0
            var lastProgress = Date()
            do {
                let job = try read.job(for: path, config: cfg)
                try translator.translate(job) { _, _, line in
                    buffer.append(contentsOf: line)
                    count += 1
                    if buffer.count > 1 << 20 { try out.write(buffer); buffer.removeAll(keepingCapacity: true) }
                    if progress, Date().timeIntervalSince(lastProgress) > 0.5 {
                        printErrInline("\(path): \(count) records")
                        lastProgress = Date()
                    }
                }
                try out.write(buffer)
                if progress && count > 0 { printErrInline("") }
                try out.copy(to: STDOUT_FILENO)
            } catch let report as ErrorReport {
                failed = true
                printErr(report.json)
            } catch let e as ValidationError {
                throw e
            } catch {
                failed = true
                printErr(ErrorReport(error, file: path, sha256: nil, partner: read.partner, format: read.format, stage: .read).json)
            }
        }
        if failed { throw Exit.dataError }
    }
}

func loadMappings(_ config: ConfigOptions) throws -> MappingLibrary {
    let directory = try config.mappingsDirectory()
    do { return try MappingLibrary(directory: directory) } catch {
        printErr("mappings: \(error)")
        throw Exit.configError
    }
}

func printErrInline(_ s: String) { FileHandle.standardError.write(Data(("\r\u{1B}[K" + s).utf8)) }

/// An anonymous spool file: created with O_TMPFILE in the folder stdout is written to (or the
/// temp folder when stdout is no file), mode 0600, gone when the process ends however it ends.
/// Where O_TMPFILE is unsupported, a mkstemp file is unlinked right after it is opened.
final class SpoolFile {
    private let fd: Int32

    init() throws {
        var folders = [String]()
        var st = stat()
        if fstat(STDOUT_FILENO, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG,
           let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/1"), target.hasPrefix("/") {
            folders.append((target as NSString).deletingLastPathComponent)
        }
        folders.append(FileManager.default.temporaryDirectory.path)
        for folder in folders {
            let tmpfile: Int32 = 0o20000000 | O_DIRECTORY  // O_TMPFILE (a compound macro Swift does not import)
            var d = open(folder, tmpfile | O_RDWR | O_CLOEXEC, 0o600)
            if d < 0 {
                var template = Array((folder + "/.dropgate-translate-XXXXXX").utf8CString)
                d = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
                if d >= 0 { template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) } }
            }
            if d >= 0 { fd = d; return }
        }
        throw ValidationError("cannot create a temp file for the records: \(String(cString: strerror(errno)))")
    }

    deinit { close(fd) }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try writeAll(fd, $0) }
    }

    /// Everything written so far, to `target`.
    func copy(to target: Int32) throws {
        var offset: off_t = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if n < 0 { if errno == EINTR { continue }; throw ValidationError("cannot read the temp file: \(String(cString: strerror(errno)))") }
            if n == 0 { return }
            try chunk.withUnsafeBytes { try writeAll(target, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            offset += off_t(n)
        }
    }

    private func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 { if errno == EINTR { continue }; throw ValidationError("cannot write records: \(String(cString: strerror(errno)))") }
            done += n
        }
    }
}
