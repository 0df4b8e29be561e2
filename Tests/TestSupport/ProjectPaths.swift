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

    /// `<packageRoot>/../shared/corpus/<family>` (as in CI), else `/work/shared/corpus/<family>`;
    /// nil when neither exists — conformance tests then say so in one line and return.
    public static func corpus(_ family: String = "") -> String? {
        let suffix = family.isEmpty ? "" : "/" + family
        for candidate in [URL(fileURLWithPath: packageRoot + "/../shared/corpus" + suffix).standardized.path, "/work/shared/corpus" + suffix]
        where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        return nil
    }
}
