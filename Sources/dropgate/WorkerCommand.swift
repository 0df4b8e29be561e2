import ArgumentParser
import Gateway

/// The gateway's worker process (started by `dropgate run`, not by people): reads jobs on stdin,
/// translates each file, writes the records to the job's record file and answers on stdout.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "worker", abstract: "Internal: a translation worker of `dropgate run`.",
                                                    shouldDisplay: false)

    @Option(help: "The mappings folder.")
    var mappings: String

    @Option(help: "The gateway's process id (the worker ends when it does).")
    var parent: Int32

    func run() throws { Worker.serve(mappingsDirectory: mappings, parent: parent) }
}
