import Foundation
import XCTest

/// The `dropgate` executable built beside the test bundle, run as a user would.
enum DropgateCLI {
    static var executable: String {
        let beside = Bundle(for: BundleMarker.self).bundleURL.deletingLastPathComponent().appendingPathComponent("dropgate").path
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : packageRoot + "/.build/debug/dropgate"
    }
    private final class BundleMarker {}

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    /// Runs `executable` (default: the built dropgate) with `arguments` in `directory`, with the
    /// environment changed by `environment` (a nil value removes a variable).
    static func run(_ arguments: [String], in directory: String? = nil, executable: String = executable,
                    environment: [String: String?] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        // stderr into a file, stdout through a pipe read to the end: neither can block the child.
        let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("dropgate-stderr-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle(forWritingAtPath: errPath)
        try p.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        return Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }
}
