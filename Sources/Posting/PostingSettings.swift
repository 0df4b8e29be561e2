import Foundation
import Yams

/// Ledger-wide settings for posting, read from `ledger.yaml` in the rules directory:
///
/// ```yaml
/// closedPeriods: [2024-01, 2024-02]   # entries dated in these months go to the first open month after
/// tables:                              # lookup tables every rule file may use (a rule's own table wins)
///   bankAccounts: { NL91ABNA0417164300: "1010" }
/// ```
public struct PostingSettings: Sendable {
    /// Periods (`YYYY-MM`) that accept no more entries.
    public var closedPeriods: Set<String>
    /// Lookup tables shared by all rule files (bank accounts, customer receivable accounts).
    public var tables: [String: [String: String]]

    public init(closedPeriods: Set<String> = [], tables: [String: [String: String]] = [:]) {
        self.closedPeriods = closedPeriods; self.tables = tables
    }

    /// The file name of the settings inside a rules directory.
    public static let fileName = "ledger.yaml"

    /// Reads `ledger.yaml`; a missing file means no closed periods and no shared tables.
    public static func load(directory: String) throws -> PostingSettings {
        let path = directory + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else { return PostingSettings() }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let root = try Yams.compose(yaml: text) else { return PostingSettings() }
        func fail(_ message: String, _ node: Yams.Node?) -> PostingError {
            PostingError(.badRule, (node?.mark.map { "line \($0.line): " } ?? "") + message, rule: "ledger")
        }
        var closed = Set<String>()
        for node in root["closedPeriods"]?.sequence ?? [] {
            guard let p = node.string, Period.of(date: p + "-01") != nil else {
                throw fail("closed period \"\(node.string ?? "")\" is not YYYY-MM", node)
            }
            closed.insert(p)
        }
        return PostingSettings(closedPeriods: closed, tables: try RuleLoader.tables(root["tables"], fail: fail))
    }

    /// The first period at or after `period` that is not closed.
    func openPeriod(for period: String) -> String {
        var p = period
        while closedPeriods.contains(p) { p = Period.next(after: p) }
        return p
    }
}
