import Foundation

/// Where dropgate's own files are — the default mappings, the pain.001 schemas, the docs — so that
/// the binary works from any folder. A home is looked for, in order: `$DROPGATE_HOME`; the
/// executable's own folder; the installed share folder (`<prefix>/share/dropgate` for
/// `<prefix>/bin/dropgate`, as `make install` lays it out); the checkout the executable was built in
/// (the folder holding Package.swift above `.build/`); the current folder.
public struct ResourceLocator: Sendable {
    public struct Home: Sendable {
        public var path: String
        /// Why this folder was looked at (for messages).
        public var why: String
        /// Where its schemas are: `schemas/` installed, `.build/dropgate-schemas/` in a checkout (`make schemas`).
        public var schemas: String
    }

    public var environment: [String: String]
    public var executable: String
    public var currentDirectory: String

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                executable: String = ResourceLocator.runningExecutable,
                currentDirectory: String = FileManager.default.currentDirectoryPath) {
        self.environment = environment; self.executable = executable; self.currentDirectory = currentDirectory
    }

    /// The running binary's real path (links resolved).
    public static var runningExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments.first ?? "dropgate").resolvingSymlinksInPath().path
    }

    public var homes: [Home] {
        var out = [Home]()
        if let home = environment["DROPGATE_HOME"], !home.isEmpty { out.append(Home(path: home, why: "DROPGATE_HOME", schemas: home + "/schemas")) }
        let bin = (executable as NSString).deletingLastPathComponent
        out.append(Home(path: bin, why: "beside the executable", schemas: bin + "/schemas"))
        let share = URL(fileURLWithPath: bin + "/../share/dropgate").standardized.path
        out.append(Home(path: share, why: "the installed share folder", schemas: share + "/schemas"))
        if let build = bin.range(of: "/.build/", options: .backwards) {
            let root = String(bin[..<build.lowerBound])
            if FileManager.default.fileExists(atPath: root + "/Package.swift") {
                out.append(Home(path: root, why: "the checkout it was built in", schemas: root + "/.build/dropgate-schemas"))
            }
        }
        out.append(Home(path: currentDirectory, why: "the current folder", schemas: currentDirectory + "/.build/dropgate-schemas"))
        return out
    }

    /// The first home holding `mappings/`, or nil.
    public var defaultMappings: String? {
        homes.lazy.map { $0.path + "/mappings" }.first { Self.isFolder($0) }
    }

    /// The mappings folder: `explicit` (a flag or the config's `folders.mappings`) when given, else
    /// `mappings/` beside the configuration when it exists, else the first home with one. The error
    /// names every place looked at.
    public func mappings(explicit: String? = nil, besideConfig: String? = nil) throws -> String {
        if let explicit {
            guard Self.isFolder(explicit) else { throw ResourceError("mappings folder \(explicit) does not exist") }
            return explicit
        }
        var looked = [String]()
        if let besideConfig {
            if Self.isFolder(besideConfig) { return besideConfig }
            looked.append("\(besideConfig) (beside the configuration)")
        }
        for h in homes {
            let m = h.path + "/mappings"
            if Self.isFolder(m) { return m }
            looked.append("\(m) (\(h.why))")
        }
        throw ResourceError("no mappings folder found; looked in: " + looked.joined(separator: ", ")
                            + ". Give --mappings, set folders.mappings in gateway.yaml, or set DROPGATE_HOME to the folder holding mappings/ (make install puts it in <prefix>/share/dropgate)")
    }

    /// The folder holding `pain.001.001.03.xsd` and `.09.xsd`: the first home's `schemas/pain001`
    /// (then the mappings folder's sibling `schemas/pain001`, for a config that names its own).
    public func pain001Schemas(mappingsDir: String? = nil) -> String? {
        var candidates = homes.map { $0.schemas + "/pain001" }
        if let mappingsDir { candidates.insert((mappingsDir as NSString).deletingLastPathComponent + "/schemas/pain001", at: 0) }
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/pain.001.001.03.xsd") }
    }

    /// The commit the binary was built from: `COMMIT` in the installed home, else the checkout's git HEAD.
    public var commit: String {
        for h in homes {
            if let text = try? String(contentsOfFile: h.path + "/COMMIT", encoding: .utf8) {
                return text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        guard let checkout = homes.first(where: { $0.why == "the checkout it was built in" }) else { return "unknown" }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "-C", checkout.path, "rev-parse", "--short=12", "HEAD"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return "unknown" }
        p.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return p.terminationStatus == 0 && !text.isEmpty ? text : "unknown"
    }

    static func isFolder(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }
}

public struct ResourceError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ d: String) { description = d }
}
