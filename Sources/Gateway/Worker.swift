import Foundation
import Canonical
import FormatKit
import Mapping
import Transport
#if canImport(Glibc)
import Glibc
#endif

/// One file to translate in a worker process, as the gateway sends it (one JSON line on stdin).
struct WorkerJob: Codable, Sendable {
    var fileId: Int64
    var path: String
    var fileName: String
    var sha256: String
    var partner: String
    var channel: String
    var format: String?
    var mapping: String?
    var encoding: String
    var options: [String: String]
    /// Where the worker writes the records (`RecordFile`), 0600, in `var/work`.
    var recordFile: String
    /// RLIMIT_DATA while this file is translated.
    var memoryLimit: Int64

    var translatorJob: Translator.Job {
        Translator.Job(path: path, fileName: fileName, sha256: sha256, partner: partner, channel: channel, format: format,
                       mapping: mapping, options: FormatOptions(encoding: TextEncoding(encoding) ?? .utf8, values: options))
    }
}

/// The worker's answer (one JSON line on stdout): the format and record count, or the error report.
struct WorkerReply: Codable, Sendable {
    var format: String?
    var count: Int?
    var report: ErrorReport?
    /// The records follow the reply line inline, this many bytes (`RecordFile` framing), instead
    /// of in the record file (small files: no file made and removed per file).
    var inline: Int?
    /// The inline bytes themselves (written after the line, not in the JSON).
    var records: [UInt8]? = nil
    enum CodingKeys: String, CodingKey { case format, count, report, inline }
}

/// Records between a worker and the gateway: per record three little-endian UInt32 lengths (id,
/// type, JSON line), then the three byte strings. Written and read streaming.
public enum RecordFile {
    /// Keeps up to `inlineLimit` bytes in memory; beyond that, spills to the file at `path`.
    public final class Writer {
        let path: String
        var fd: Int32 = -1
        var buffer = [UInt8]()
        public static let inlineLimit = 1 << 20
        public init(path: String) { self.path = path }
        deinit { if fd >= 0 { close(fd) } }

        public func append(id: String, type: String, json: String) throws {
            for n in [id.utf8.count, type.utf8.count, json.utf8.count] {
                let v = UInt32(n).littleEndian
                withUnsafeBytes(of: v) { buffer.append(contentsOf: $0) }
            }
            buffer.append(contentsOf: id.utf8); buffer.append(contentsOf: type.utf8); buffer.append(contentsOf: json.utf8)
            if buffer.count >= Writer.inlineLimit { try flush() }
        }

        /// The records, when they stayed in memory; nil when they are in the file (flushed).
        public func finish() throws -> [UInt8]? {
            if fd < 0 { return buffer }
            try flush()
            return nil
        }

        func flush() throws {
            if fd < 0 {
                fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
                guard fd >= 0 else { throw TransportError("cannot create \(path): \(String(cString: strerror(errno)))") }
            }
            var at = 0
            while at < buffer.count {
                let n = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + at, buffer.count - at) }
                if n < 0 { if errno == EINTR { continue }; throw TransportError("cannot write records: \(String(cString: strerror(errno)))") }
                at += n
            }
            buffer.removeAll(keepingCapacity: true)
        }
    }

    /// The records of an inline block, in order.
    public static func read(bytes: [UInt8], _ body: (String, String, String) throws -> Void) throws {
        var at = 0
        while at + 12 <= bytes.count {
            let lengths = (0..<3).map { i in
                Int(UInt32(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at + 4 * i, as: UInt32.self) }))
            }
            at += 12
            guard at + lengths[0] + lengths[1] + lengths[2] <= bytes.count else { throw TransportError("inline records are truncated") }
            var fields = [String]()
            for n in lengths { fields.append(String(decoding: bytes[at..<(at + n)], as: UTF8.self)); at += n }
            try body(fields[0], fields[1], fields[2])
        }
    }

    /// Streams the records of a record file in order.
    public static func read(_ path: String, _ body: (String, String, String) throws -> Void) throws {
        let input = try ByteReader(path: path)
        var buffer = [UInt8]()
        var at = 0
        func need(_ n: Int) throws -> Bool {
            while buffer.count - at < n {
                if at > 0 { buffer.removeFirst(at); at = 0 }
                if try input.read(appendingTo: &buffer, max: max(1 << 16, n)) == 0 { return false }
            }
            return true
        }
        while try need(12) {
            let lengths = (0..<3).map { i in
                Int(UInt32(littleEndian: buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at + 4 * i, as: UInt32.self) }))
            }
            at += 12
            guard try need(lengths[0] + lengths[1] + lengths[2]) else { throw TransportError("record file \(path) is truncated") }
            var fields = [String]()
            for n in lengths { fields.append(String(decoding: buffer[at..<(at + n)], as: UTF8.self)); at += n }
            try body(fields[0], fields[1], fields[2])
        }
    }
}

/// The child side: `dropgate worker` reads jobs from stdin, one per line, and answers each on
/// stdout. A trap or a hang here ends only this process; the gateway quarantines the file.
public enum Worker {
    /// Test-only: with `DROPGATE_TEST_TRIGGERS=1` in the environment, a file whose first bytes are
    /// `#dropgate-test:trap`, `:hang` or `:memory` makes the worker trap, hang or allocate without
    /// end (the poison tests). Never set it in production.
    static let testTriggers = ProcessInfo.processInfo.environment["DROPGATE_TEST_TRIGGERS"] == "1"

    public static func serve(mappingsDirectory: String, parent: Int32) -> Never {
        // Ends with the gateway even when it was killed with SIGKILL.
        Thread.detachNewThread {
            while getppid() == parent { usleep(200_000) }
            _exit(0)
        }
        if getppid() != parent { _exit(0) }
        let library: MappingLibrary
        do { library = try MappingLibrary(directory: mappingsDirectory) } catch {
            FileHandle.standardError.write(Data("worker: cannot load mappings from \(mappingsDirectory): \(error)\n".utf8))
            exit(78)
        }
        let translator = Translator(mappings: library)
        let decoder = JSONDecoder()
        while let line = readLine(strippingNewline: true) {
            let reply: WorkerReply
            do {
                let job = try decoder.decode(WorkerJob.self, from: Data(line.utf8))
                setMemoryLimit(job.memoryLimit)
                reply = translate(job, translator)
                setMemoryLimit(-1)
            } catch {
                reply = WorkerReply(report: ErrorReport(file: "?", stage: .read, code: "worker.job", message: "unreadable job: \(error)"))
            }
            var out = [UInt8]((try? JSONEncoder().encode(reply)) ?? Data("{}".utf8))
            out.append(0x0A)
            out += reply.records ?? []
            FileHandle.standardOutput.write(Data(out))
        }
        exit(0)
    }

    static func translate(_ job: WorkerJob, _ translator: Translator) -> WorkerReply {
        if testTriggers { fireTestTrigger(job.path) }
        do {
            let out = RecordFile.Writer(path: job.recordFile)
            var format = job.format ?? ""
            let count = try translator.translate(job.translatorJob) { record in
                format = record.source?.format ?? format
                try out.append(id: record.id, type: record.type.rawValue, json: try JSONLines.line(record))
            }
            let inline = try out.finish()
            return WorkerReply(format: format, count: count, inline: inline?.count, records: inline)
        } catch let report as ErrorReport {
            return WorkerReply(report: report)
        } catch {
            return WorkerReply(report: ErrorReport(error, file: job.fileName, sha256: job.sha256, partner: job.partner, format: job.format, stage: .read))
        }
    }

    static func fireTestTrigger(_ path: String) {
        guard let head = try? ByteReader(path: path).peek(32), let text = String(validating: head, as: UTF8.self) else { return }
        if text.hasPrefix("#dropgate-test:trap") { fatalError("test trigger: trap") }
        if text.hasPrefix("#dropgate-test:hang") { while true { sleep(60) } }
        if text.hasPrefix("#dropgate-test:memory") {
            var hoard = [[UInt8]]()
            while true { hoard.append([UInt8](repeating: 1, count: 16 << 20)) }
        }
    }

    /// RLIMIT_DATA (heap and private mappings); -1 lifts it again.
    static func setMemoryLimit(_ bytes: Int64) {
        let infinity = rlim_t.max   // RLIM_INFINITY
        var limit = rlimit(rlim_cur: bytes < 0 ? infinity : rlim_t(bytes), rlim_max: infinity)
        setrlimit(__rlimit_resource_t(RLIMIT_DATA.rawValue), &limit)
    }
}

/// The gateway side: `count` worker processes, each driven by one thread, taking jobs in order.
/// A worker that traps, runs past the file's time limit or hits its memory limit is ended (and
/// replaced on the next job); its file gets `reader.crashed`, `reader.timeout` or `reader.memory`.
public final class WorkerPool: @unchecked Sendable {
    // @unchecked: the queues are guarded by `lock`; each slot's process is touched by its thread only.
    struct Task { let pending: Pipeline.Pending; let job: WorkerJob; let timeLimit: TimeInterval
        /// Called when a worker takes the job (the file is in hand from then on).
        let onStart: @Sendable () -> Void }

    let executable: String
    private var arguments: [String]
    public let count: Int
    private let lock = NSCondition()
    private var queue = [Task]()
    private var finished = [(Pipeline.Pending, Pipeline.Outcome)]()
    private var running: [Int: Int32] = [:]      // slot → pid of a worker busy with a job
    private var inFlight = 0
    private var stopping = false
    private var threads = [Thread]()
    private var exited = 0
    /// Bumped by `renew`: a worker started before is ended and replaced before its next file.
    private var generation = 0
    /// Becomes readable when a job finished (for the gateway's wait).
    public let wakeFD: Int32
    private let wakeWrite: Int32

    public init(executable: String, mappingsDirectory: String, count: Int) {
        self.executable = executable
        self.arguments = WorkerPool.arguments(mappingsDirectory)
        self.count = max(1, count)
        signal(SIGPIPE, SIG_IGN)
        let fds = WorkerPool.pipeCloseOnExec()
        wakeFD = fds[0]; wakeWrite = fds[1]
        _ = fcntl(wakeFD, F_SETFL, O_NONBLOCK); _ = fcntl(wakeWrite, F_SETFL, O_NONBLOCK)
        for slot in 0..<self.count {
            let t = Thread { [unowned self] in self.slotLoop(slot) }
            t.name = "worker-\(slot)"
            threads.append(t)
            t.start()
        }
    }

    deinit { close(wakeFD); close(wakeWrite) }

    /// Files submitted and not yet taken back with `takeFinished`.
    public var busy: Int { lock.lock(); defer { lock.unlock() }; return inFlight }

    func submit(_ task: Task) {
        lock.lock(); queue.append(task); inFlight += 1; lock.signal(); lock.unlock()
    }

    public func takeFinished() -> [(Pipeline.Pending, Pipeline.Outcome)] {
        var byte: UInt8 = 0
        while read(wakeFD, &byte, 1) > 0 {}
        lock.lock(); defer { lock.unlock() }
        let done = finished
        finished.removeAll()
        inFlight -= done.count
        return done
    }

    /// Ends every worker (SIGKILL; a job in hand comes back as `cancelled`) and the slot threads.
    public func stop() {
        lock.lock()
        stopping = true
        for (_, pid) in running { kill(pid, SIGKILL) }
        for t in queue { finished.append((t.pending, .cancelled(started: false))) }
        queue.removeAll()
        lock.broadcast()
        let deadline = Date().addingTimeInterval(3)
        while exited < threads.count && Date() < deadline { _ = lock.wait(until: Date().addingTimeInterval(0.05)) }
        lock.unlock()
    }

    /// The mappings folder changed (and loads): each worker started before is replaced before its
    /// next file, so that it loads the folder again; files in hand finish with the mappings they had.
    func renew(mappingsDirectory: String) {
        lock.lock()
        generation += 1
        arguments = WorkerPool.arguments(mappingsDirectory)
        lock.unlock()
    }

    static func arguments(_ mappingsDirectory: String) -> [String] { ["worker", "--mappings", mappingsDirectory, "--parent", "\(getpid())"] }

    // MARK: one slot

    final class Child {
        let pid: pid_t
        let stdin: Int32, stdout: Int32, stderr: Int32
        var output = [UInt8](), errors = [UInt8]()
        var generation = 0
        init(pid: pid_t, stdin: Int32, stdout: Int32, stderr: Int32) { self.pid = pid; self.stdin = stdin; self.stdout = stdout; self.stderr = stderr }
        func closeAll() { close(stdin); close(stdout); close(stderr) }
    }

    private func slotLoop(_ slot: Int) {
        var child: Child?
        while true {
            lock.lock()
            while queue.isEmpty && !stopping { lock.wait() }
            if stopping {
                exited += 1; lock.broadcast(); lock.unlock()
                if let c = child { kill(c.pid, SIGKILL); var s: Int32 = 0; waitpid(c.pid, &s, 0); c.closeAll() }
                return
            }
            let task = queue.removeFirst()
            lock.unlock()
            task.onStart()
            let outcome = run(task, in: &child, slot: slot)
            lock.lock()
            finished.append((task.pending, outcome))
            lock.unlock()
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
    }

    private func run(_ task: Task, in child: inout Child?, slot: Int) -> Pipeline.Outcome {
        let job = task.job
        func failed(_ code: String, _ message: String) -> Pipeline.Outcome {
            .failed(ErrorReport(file: job.fileName, sha256: job.sha256, partner: job.partner, format: job.format, stage: .read, code: code, message: message))
        }
        var line = (try? JSONEncoder().encode(job)).map { [UInt8]($0) } ?? []
        line.append(0x0A)
        if let old = child, old.generation != currentGeneration() {
            kill(old.pid, SIGKILL); reap(old); child = nil   // loaded the mappings before they changed
        }
        for attempt in 0..<2 {
            if child == nil {
                do { child = try spawn() } catch { return failed("reader.crashed", "cannot start a worker: \(error)") }
            }
            let c = child!
            c.errors.removeAll()
            if writeAll(c.stdin, line) { break }
            reap(c); child = nil                      // it died between jobs: start another once
            if attempt == 1 { return failed("reader.crashed", "the worker could not take the job") }
        }
        let c = child!
        lock.lock(); running[slot] = c.pid; lock.unlock()
        defer { lock.lock(); running[slot] = nil; lock.unlock() }
        let deadline = Date().addingTimeInterval(task.timeLimit)
        while true {
            if let nl = c.output.firstIndex(of: 0x0A) {
                guard let reply = try? JSONDecoder().decode(WorkerReply.self, from: Data(c.output[..<nl])) else {
                    kill(c.pid, SIGKILL); reap(c); child = nil; return failed("reader.crashed", "the worker answered garbage")
                }
                let inline = reply.inline ?? 0
                if c.output.count - (nl + 1) >= inline {
                    let bytes = reply.inline.map { _ in Array(c.output[(nl + 1)..<(nl + 1 + inline)]) }
                    c.output.removeSubrange(...(nl + inline))
                    if let report = reply.report { return .failed(report) }
                    return .records(format: reply.format ?? "", count: reply.count ?? 0, recordFile: job.recordFile, inline: bytes)
                }
            }
            let left = deadline.timeIntervalSinceNow
            if left <= 0 {
                kill(c.pid, SIGKILL); reap(c); child = nil
                return failed("reader.timeout", "translating took longer than the channel's limit of \(Int(task.timeLimit)) s (limits.time); the worker was ended")
            }
            var fds = [pollfd(fd: c.stdout, events: Int16(POLLIN), revents: 0), pollfd(fd: c.stderr, events: Int16(POLLIN), revents: 0)]
            let rc = poll(&fds, 2, Int32(min(left, 0.5) * 1000) + 1)
            if rc < 0 && errno != EINTR { continue }
            if stoppingNow() { kill(c.pid, SIGKILL); reap(c); child = nil; return .cancelled(started: true) }
            if fds[1].revents != 0 { _ = drain(c.stderr, into: &c.errors, keep: 8192) }
            if fds[0].revents != 0 && !drain(c.stdout, into: &c.output, keep: .max) {
                // stdout closed: the worker died on this file.
                while drain(c.stderr, into: &c.errors, keep: 8192) {}
                let (signal, maxRSS) = reap(c)
                child = nil
                if stoppingNow() { return .cancelled(started: true) }
                let said = String(decoding: c.errors, as: UTF8.self)
                let lines = said.split(whereSeparator: \.isNewline)
                let telling = lines.last { $0.contains("Fatal error") || $0.contains("error") } ?? lines.last ?? ""
                let excerpt = FileNames.escaped(String(telling.prefix(300))).trimmingCharacters(in: .whitespaces)
                if said.contains("allocate memory") || said.contains("out of memory") || maxRSS >= job.memoryLimit / 10 * 9 {
                    return failed("reader.memory", "translating needed more than the channel's memory limit of \(job.memoryLimit) bytes (limits.memory); the worker was ended")
                }
                return failed("reader.crashed", "the reader crashed (\(signal.map { "signal \($0)" } ?? "exit")); the worker was ended" + (excerpt.isEmpty ? "" : ": \(excerpt)"))
            }
        }
    }

    private func currentGeneration() -> Int { lock.lock(); defer { lock.unlock() }; return generation }

    private func stoppingNow() -> Bool { lock.lock(); defer { lock.unlock() }; return stopping }

    /// Reads what is there; false at end of file.
    private func drain(_ fd: Int32, into buffer: inout [UInt8], keep: Int) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 1 << 14)
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 { return errno == EAGAIN || errno == EINTR }
        if n == 0 { return false }
        buffer.append(contentsOf: chunk[..<n])
        if buffer.count > keep { buffer.removeFirst(buffer.count - keep) }
        return true
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var at = 0
        while at < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + at, bytes.count - at) }
            if n < 0 { if errno == EINTR { continue }; return false }
            at += n
        }
        return true
    }

    /// Waits for a worker's end: the signal that ended it (if any) and its peak RSS in bytes.
    @discardableResult
    private func reap(_ c: Child) -> (Int32?, Int64) {
        var status: Int32 = 0
        var usage = rusage()
        while wait4(c.pid, &status, 0, &usage) < 0 && errno == EINTR {}
        c.closeAll()
        let signaled = (status & 0x7F) != 0 && (status & 0x7F) != 0x7F
        return (signaled ? status & 0x7F : nil, Int64(usage.ru_maxrss) * 1024)
    }

    /// Pipes are made and workers started under one lock, so no worker inherits another's pipe
    /// (which would hide that worker's end from the gateway).
    private static let spawnLock = NSLock()

    static func pipeCloseOnExec() -> [Int32] {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return fds }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return fds
    }

    private func spawn() throws -> Child {
        WorkerPool.spawnLock.lock()
        defer { WorkerPool.spawnLock.unlock() }
        let input = WorkerPool.pipeCloseOnExec(), output = WorkerPool.pipeCloseOnExec(), errors = WorkerPool.pipeCloseOnExec()
        guard input[0] >= 0, output[0] >= 0, errors[0] >= 0 else {
            throw TransportError("pipe: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        lock.lock()
        let arguments = arguments, generation = generation
        lock.unlock()
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        // No Swift backtracer in workers: a trap is expected input here, and it ends in milliseconds.
        let env = ProcessInfo.processInfo.environment.filter { $0.key != "SWIFT_BACKTRACE" }.map { "\($0.key)=\($0.value)" } + ["SWIFT_BACKTRACE=enable=no"]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer { for a in argv + envp { free(a) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        close(input[0]); close(output[1]); close(errors[1])
        guard rc == 0 else {
            close(input[1]); close(output[0]); close(errors[0])
            throw TransportError("cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        _ = fcntl(output[0], F_SETFL, O_NONBLOCK)
        _ = fcntl(errors[0], F_SETFL, O_NONBLOCK)
        let child = Child(pid: pid, stdin: input[1], stdout: output[0], stderr: errors[0])
        child.generation = generation
        return child
    }
}
