import Foundation
import Canonical
import FormatKit
import Ledger

/// Behaviour that some partners' files need beyond read → map → archive (duplicate interchange
/// checks and acknowledgments for EDI, upload queues for e-invoices, remote delivery …), kept out
/// of the pipeline's own code. Every hook must be idempotent: after a crash it may run again.
public protocol PipelinePlugin: Sendable {
    /// Before a received file is translated. Throw an `ErrorReport` to quarantine it.
    func beforeTranslate(_ file: FileEntry, channel: GatewayConfig.Channel, pipeline: Pipeline) throws
    /// The file the translator reads instead of the claimed one (e.g. its decrypted bytes); nil: the claimed one.
    /// Throw an `ErrorReport` to quarantine it.
    func translationInput(_ file: FileEntry, channel: GatewayConfig.Channel, pipeline: Pipeline) throws -> String?
    /// A file a route wrote, before it goes into the partner's outbox: the file to put there instead
    /// (e.g. encrypted), or nil to leave it.
    func sealOutbound(_ file: OutputFile, partner: String, channel: String, pipeline: Pipeline) throws -> OutputFile?
    /// After a file's records are committed (`translated`), before it is archived.
    func afterTranslate(_ file: FileEntry, channel: GatewayConfig.Channel, records: StoredRecords, pipeline: Pipeline)
    /// After a file went to quarantine (the original is still readable at `file.finalPath`).
    func afterQuarantine(_ file: FileEntry, channel: GatewayConfig.Channel, report: ErrorReport, pipeline: Pipeline)
    /// Before a route writes `records` for a partner: return true to take them over instead (e.g.
    /// queue e-invoices for an upload window); the route then writes nothing itself.
    func handleEmit(_ records: [Record], route: GatewayConfig.Route, source: FileEntry, pipeline: Pipeline) throws -> Bool
    /// After a route wrote a file for a partner (its bytes and where it went).
    func afterEmit(_ path: String, format: String, partner: String, channel: String, pipeline: Pipeline)
    /// Called on every turn of the gateway loop (release windows, overdue checks, deliveries).
    func tick(now: Date, pipeline: Pipeline)
    /// Lines for `dropgate status` (warnings first).
    func statusLines(config: GatewayConfig, ledger: Ledger, now: Date) -> [String]
}

extension PipelinePlugin {
    public func beforeTranslate(_ file: FileEntry, channel: GatewayConfig.Channel, pipeline: Pipeline) throws {}
    public func translationInput(_ file: FileEntry, channel: GatewayConfig.Channel, pipeline: Pipeline) throws -> String? { nil }
    public func sealOutbound(_ file: OutputFile, partner: String, channel: String, pipeline: Pipeline) throws -> OutputFile? { nil }
    public func afterTranslate(_ file: FileEntry, channel: GatewayConfig.Channel, records: StoredRecords, pipeline: Pipeline) {}
    public func afterQuarantine(_ file: FileEntry, channel: GatewayConfig.Channel, report: ErrorReport, pipeline: Pipeline) {}
    public func handleEmit(_ records: [Record], route: GatewayConfig.Route, source: FileEntry, pipeline: Pipeline) throws -> Bool { false }
    public func afterEmit(_ path: String, format: String, partner: String, channel: String, pipeline: Pipeline) {}
    public func tick(now: Date, pipeline: Pipeline) {}
    public func statusLines(config: GatewayConfig, ledger: Ledger, now: Date) -> [String] { [] }
}

/// A translated file's records, read from the ledger the first time a plugin asks for them (most
/// plugins look only at the file's format and never do).
public final class StoredRecords: @unchecked Sendable {
    // @unchecked: used on the pipeline's one thread, during one file's hooks.
    private let load: () throws -> [Record]
    private var cached: [Record]?
    public init(_ load: @escaping () throws -> [Record]) { self.load = load }
    public convenience init(_ records: [Record]) { self.init { records } }

    public func all() throws -> [Record] {
        if let cached { return cached }
        let records = try load()
        cached = records
        return records
    }
}

/// The plugins the gateway runs, in order. Adding one is one file and one line here.
public enum PluginRegistry {
    public static let all: [any PipelinePlugin] = [
        EInvoicePlugin(),
        X12Plugin(),
        ACHPlugin(),
        PGPPlugin(),
        DropboxPlugin(),
        SFTPPlugin(),
    ]
}
