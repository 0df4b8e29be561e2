import ArgumentParser
import Foundation
import FormatKit
import Gateway
import Ledger
import X12

struct AckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack",
        abstract: "Print the X12 acknowledgments for a file: a 997 (4010) or 999 (5010) per functional group, and a TA1 when the ISA asks for one or the interchange is broken.",
        discussion: """
            The acknowledgment goes from the file's receiver back to its sender (ISA and GS IDs swapped). \
            Control numbers come from the ledger's counters x12.isa.<partner> and x12.gs.<partner> when a \
            configuration is present, else they start at 1.
            """)

    @OptionGroup var config: ConfigOptions

    @Option(help: "The partner the file came from (names the control-number counters).")
    var partner: String?

    @Option(name: .customLong("option"), help: "A reader option key=value (repeatable), e.g. --option allowMissingTrailers=true.")
    var readerOptions: [String] = []

    @Option(help: "A folder of X12 implementation grammars (e.g. mappings/x12/grammar): sets are checked against them and faults answered with AK3/AK4 or IK3/IK4.")
    var grammars: String?

    @Argument(help: "The X12 file to acknowledge.")
    var file: String

    func run() throws {
        let cfg = try config.loadIfPresent()
        let counters: CounterSource = try cfg.map { LedgerCounters(ledger: try Ledger(path: $0.ledgerPath)) } ?? MemoryCounters()
        let acknowledger = X12Acknowledger(partner: partner ?? "", counters: counters, grammars: try grammars.map(X12Grammars.init(directory:)))
        do {
            let bytes = try acknowledger.acknowledge(try ByteReader(path: file), options: FormatOptions(values: try keyValues(readerOptions)))
            FileHandle.standardOutput.write(Data(bytes))
        } catch {
            printErr("\(file): \(error)")
            throw Exit.dataError
        }
    }
}
