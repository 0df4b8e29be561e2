import Foundation
import Ledger

/// The `dropgate status` section for X12 groups we sent: counts per state, then one line per
/// group that needs attention — rejected (or partially accepted) by the partner's 997/999, or
/// overdue: still unanswered after the partner setting `ackOverdueHours` (default 24).
struct X12GroupStatus {
    let config: GatewayConfig
    let now: Date

    func overdueHours(_ partner: String) -> Int {
        config.partner(named: partner)?.settings[X12Plugin.overdueSetting].flatMap { Int($0) } ?? 24
    }

    func isOverdue(_ group: X12SentGroup) -> Bool {
        group.state == .sent && now.timeIntervalSince(group.sentAt) > Double(overdueHours(group.partner)) * 3600
    }

    func lines(_ groups: [X12SentGroup]) -> [String] {
        guard !groups.isEmpty else { return [] }
        let overdue = groups.filter(isOverdue)
        let refused = groups.filter { $0.state == .rejected || $0.state == .partiallyAccepted }
        var counts = X12GroupState.allCases.compactMap { state -> String? in
            let n = groups.filter { $0.state == state }.count
            return n == 0 ? nil : "\(n) \(state.rawValue)"
        }
        if !overdue.isEmpty { counts.append("\(overdue.count) overdue") }
        return ["x12 groups sent: \(groups.count) (\(counts.joined(separator: ", ")))"]
            + overdue.map { line($0, "overdue", "no 997/999 after \(overdueHours($0.partner))h") }
            + refused.map { line($0, $0.state.rawValue, "by file #\($0.ackFileId.map(String.init) ?? "?")") }
    }

    func line(_ g: X12SentGroup, _ label: String, _ detail: String) -> String {
        "  \(label.padding(toLength: 18, withPad: " ", startingAt: 0)) \(g.partner) GS06 \(g.groupControlNumber) (\(g.functionalId), \(g.setCount) sets) "
            + "ISA13 \(g.interchangeControlNumber) sent \(g.sentAt.ISO8601Format()) — \(detail)"
    }
}
