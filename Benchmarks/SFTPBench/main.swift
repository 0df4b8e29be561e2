// Pulls every file of a remote folder with SFTPPuller and prints files/s and MB/s.
// Used by Benchmarks/sftp.sh; not part of the gateway.
//   sftp-bench PORT USER KEY KNOWN_HOSTS REMOTE_DIR INBOX_DIR
import Foundation
import Transport

let arguments = CommandLine.arguments
guard arguments.count == 7, let port = Int(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: sftp-bench PORT USER KEY KNOWN_HOSTS REMOTE_DIR INBOX_DIR\n".utf8))
    exit(2)
}
let settings = SFTPSettings(host: "127.0.0.1", port: port, username: arguments[2],
                            authentication: .privateKey(path: arguments[3], passphrase: nil),
                            hostKey: .knownHosts(path: arguments[4]))
let clock = ManualTime(Date())
let puller = SFTPPuller(store: SFTPClient(settings: settings),
                        settings: PullSettings(remoteDirectory: arguments[5], inbox: arguments[6], minimumAge: 0),
                        clock: clock)
// First poll only observes (stability needs two looks); the second one transfers and is timed.
_ = try await puller.poll { _ in true }
clock.advance(by: 3600)
let started = Date()
let report = try await puller.poll { _ in true }
let seconds = Date().timeIntervalSince(started)
let bytes = report.taken.reduce(Int64(0)) { total, name in
    let attributes = try? FileManager.default.attributesOfItem(atPath: arguments[6] + "/" + name)
    return total + ((attributes?[.size] as? Int64) ?? 0)
}
if !report.failed.isEmpty { print("failed: \(report.failed)") }
print(String(format: "%d files %.1f MB %.3f s", report.taken.count, Double(bytes) / 1_048_576, seconds))
