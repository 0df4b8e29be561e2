import ArgumentParser
import Foundation
import Canonical
import FormatKit
import Gateway
import Ledger
import Transport

struct EmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emit",
        abstract: "Write partner files from canonical records (JSON Lines).",
        discussion: """
            All or nothing: if any record cannot be written, nothing is written and the exit code is 65.
            Partner settings (envelope ids, names) come from gateway.yaml when --partner names a partner there; \
            --setting key=value overrides them. Control and trace numbers come from the ledger's counters \
            (var/ledger.sqlite beside the configuration) when it exists, else start at 1.
            """)

    @OptionGroup var config: ConfigOptions

    @Option(help: "The output format (csv, nacha, pain001, x12, tw-einvoice, gl-csv …).")
    var format: String

    @Option(help: "An outbound mapping id (for tabular formats such as csv).")
    var mapping: String?

    @Option(help: "The partner the file is for (its settings in gateway.yaml apply).")
    var partner: String?

    @Option(help: "Format version where a format has several (e.g. pain.001.001.03 or pain.001.001.09).")
    var version: String?

    @Option(name: .customLong("set"), help: "X12 transaction set (810, 850, 856).")
    var transactionSet: String?

    @Option(help: "E-invoice message (F0401, F0501, F0701, G0401, G0501, C0401 …).")
    var message: String?

    @Option(help: "E-invoice MIG version (4.1 or 3.2).")
    var mig: String?

    @Option(help: "The output encoding (utf-8, big5, windows-1252 …).")
    var encoding: String?

    @Option(name: .customLong("setting"), help: "A writer setting key=value (repeatable); overrides the partner's.")
    var settings: [String] = []

    @Option(name: .shortAndLong, help: "Output file, or a folder for formats that write one file per document.")
    var output: String?

    @Argument(help: "Canonical records (JSON Lines).")
    var records: String

    func run() throws {
        let cfg = try config.loadIfPresent()
        var s = partner.flatMap { cfg?.partner(named: $0)?.settings } ?? [:]
        if let version { s["version"] = version }
        if let transactionSet { s["set"] = transactionSet }
        if let message { s["message"] = message }
        if let mig { s["mig"] = mig }
        for (k, v) in try keyValues(settings) { s[k] = v }
        var options = FormatOptions()
        if let encoding {
            guard let e = TextEncoding(encoding) else { throw ValidationError("unknown encoding \"\(encoding)\"") }
            options.encoding = e
        }
        let counters: CounterSource = try cfg.map { LedgerCounters(ledger: try Ledger(path: $0.ledgerPath)) } ?? MemoryCounters()
        let emitter = Emitter(mappings: try loadMappings(config), counters: counters)
        let files: [OutputFile]
        do {
            // Records are decoded line by line as the writer takes them (streaming writers hold none).
            files = try emitter.emit(Emitter.Request(format: format, mapping: mapping, partner: partner ?? "", settings: s, options: options)) {
                try JSONLines.forEachRecord(fileAt: records, $0)
            }
        } catch let error as JSONLinesError {
            printErr("\(records): \(error)")
            throw Exit.dataError
        } catch {
            printErr("emit failed, nothing written: \(error)")
            throw Exit.dataError
        }
        var isDir: ObjCBool = false
        let toFolder = output.map { FileManager.default.fileExists(atPath: $0, isDirectory: &isDir) && isDir.boolValue || $0.hasSuffix("/") } ?? false
        if let output, !toFolder, files.count == 1 {
            try AtomicFile.write(files[0].bytes, to: output)
        } else if let output {
            for f in files { try AtomicFile.write(f.bytes, to: output + "/" + f.name) }
            printErr("wrote \(files.count) file(s) to \(output)")
        } else {
            for f in files { FileHandle.standardOutput.write(Data(f.bytes)) }
        }
    }
}
