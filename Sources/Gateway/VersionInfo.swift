import Foundation
import FormatKit

/// What `dropgate --version` prints: the version, the commit, where the binary finds its files,
/// and every format with what it can do.
public enum VersionInfo {
    public static let number = "0.9.0"

    public static func text(_ locator: ResourceLocator = ResourceLocator()) -> String {
        var lines = ["dropgate \(number) (commit \(locator.commit))"]
        lines.append("mappings: " + (locator.defaultMappings ?? "none found (set DROPGATE_HOME or --mappings)"))
        lines.append("pain.001 schemas: " + (locator.pain001Schemas() ?? "none found (make schemas, or --setting xsdDirectory=DIR)"))
        lines.append("formats:")
        let options = FormatOptions()
        for f in FormatRegistry.all {
            let can = [f.reader(options: options) != nil ? "read" : nil, f.writer(options: options) != nil || f is any TabularFormat.Type ? "write" : nil]
                .compactMap { $0 }.joined(separator: "+")
            lines.append("  \(f.id.padding(toLength: 15, withPad: " ", startingAt: 0)) \(can.padding(toLength: 11, withPad: " ", startingAt: 0)) \(f.summary)")
        }
        return lines.joined(separator: "\n")
    }
}
