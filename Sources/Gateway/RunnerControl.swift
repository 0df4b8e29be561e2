import Foundation
import Ledger
import Mapping
import Transport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What other threads (the console) ask of the running gateway: which channels the pickup leaves
/// alone, and quarantined files to translate again. The runner's loop reads it on every turn.
public final class RunnerControl: Sendable {
    struct State { var disabled: Set<String>; var retries: [(id: Int64, actor: String)] = []; var mappingsProblem: String? }
    private let state: Mutex<State>

    init(disabled: Set<String>) { state = Mutex(State(disabled: disabled)) }

    public func isEnabled(partner: String, channel: String) -> Bool {
        state.withLock { !$0.disabled.contains("\(partner)/\(channel)") }
    }

    /// Switches a channel off or on for the pickup (the next turn of the loop); the caller persists it.
    public func setEnabled(_ enabled: Bool, partner: String, channel: String) {
        state.withLock { s in
            if enabled { s.disabled.remove("\(partner)/\(channel)") } else { s.disabled.insert("\(partner)/\(channel)") }
        }
    }

    /// Asks the gateway to translate a quarantined file again with the mappings on disk now.
    public func requestRetry(fileId: Int64, actor: String) { state.withLock { $0.retries.append((fileId, actor)) } }

    /// Why the mappings folder as it is on disk was not loaded (the mappings loaded before are in
    /// use); nil while the folder's mappings are the ones in use.
    public var mappingsProblem: String? { state.withLock { $0.mappingsProblem } }

    func setMappingsProblem(_ problem: String?) { state.withLock { $0.mappingsProblem = problem } }

    func takeRetries() -> [(id: Int64, actor: String)] {
        state.withLock { s in defer { s.retries.removeAll() }; return s.retries }
    }
}

extension GatewayRunner {
    func isEnabled(_ channel: GatewayConfig.Channel) -> Bool { control.isEnabled(partner: channel.partner, channel: channel.name) }

    /// A quarantined file, translated again: its file goes back to its work path, the ledger row to
    /// `received` (audited with who asked), and it is translated with today's mappings (the folder
    /// reloaded first if it changed) — in a worker started for it, or in process.
    func retry(_ id: Int64, actor: String, pool: WorkerPool?) {
        let ledger = pipeline.ledger
        do {
            guard let entry = try ledger.file(id: id), entry.state == .quarantined, let from = entry.finalPath else {
                logger.warning("retry of file \(id) by \(actor): not quarantined; nothing done")
                return
            }
            guard let channel = config.channel(partner: entry.partner, name: entry.channel) else {
                logger.warning("retry of file \(id) by \(actor): channel \(entry.partner)/\(entry.channel) is no longer configured")
                return
            }
            // Today's mappings, checked before the file moves: a folder that does not load leaves it in quarantine.
            reloadMappingsIfChanged(pool: pool)
            if let problem = control.mappingsProblem { throw MappingsNotLoaded(problem: problem) }
            if fileExists(from) { try AtomicFile.move(from, to: entry.workPath) }
            unlink(from + ".error.json")
            try ledger.requeueQuarantined(id, detail: "by \(actor), with the mappings of \(config.mappingsDir) as they are now")
            logger.info("\(entry.partner)/\(entry.channel) \(FileNames.quoted(entry.name)) → retry by \(actor)")
            if case .workers(let executable, _) = isolation {
                let pool = WorkerPool(executable: executable, mappingsDirectory: mappings.copy, count: 1)
                defer { pool.stop() }
                guard let pending = pipeline.begin(workPath: entry.workPath, channel: channel) else { return }
                dispatch(pending, to: pool)
                var done = [(Pipeline.Pending, Pipeline.Outcome)]()
                while done.isEmpty {
                    var fd = pollfd(fd: pool.wakeFD, events: Int16(POLLIN), revents: 0)
                    _ = poll(&fd, 1, 100)
                    done = pool.takeFinished()
                }
                pipeline.finish(done)
            } else {
                pipeline.process(workPath: entry.workPath, channel: channel)
            }
        } catch {
            logger.error("retry of file \(id) by \(actor) failed: \(error)")
        }
    }
}

/// A retry asked for while the mappings folder does not load.
struct MappingsNotLoaded: Error, CustomStringConvertible {
    var problem: String
    var description: String { "the mappings folder does not load as it is now: \(problem)" }
}
