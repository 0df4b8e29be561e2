import Foundation
import FormatKit

/// Makes the acknowledgments a trading partner expects back for an inbound file:
/// for every functional group a 997 (groups of version 004xxx and earlier) or a 999 (005010 and
/// later) that reports each transaction set as accepted or rejected with its AK5/IK5 codes and
/// the group's AK9 status; and a TA1 when the ISA asks for one (ISA14 = 1) or the interchange
/// itself is broken. Each inbound interchange gets one outbound interchange, from its receiver to
/// its sender (ISA05/06 and ISA07/08 swapped, GS02/GS03 swapped), in its delimiters and ISA12.
/// Control numbers come from the counters `x12.isa.<partner>` and `x12.gs.<partner>`.
public struct X12Acknowledger {
    public var partner: String
    public var counters: CounterSource
    public var now: Date
    public var timeZone: TimeZone

    /// Implementation grammars: each set with one is checked against it, faults answered with
    /// AK3/AK4 (997) or IK3/IK4 (999). Without one only the envelope is checked.
    public var grammars: X12Grammars?

    public init(partner: String = "", counters: CounterSource = MemoryCounters(), now: Date = Date(), timeZone: TimeZone = .current,
                grammars: X12Grammars? = nil) {
        self.partner = partner; self.counters = counters; self.now = now; self.timeZone = timeZone; self.grammars = grammars
    }

    /// The acknowledgment interchanges for every interchange of the input, as one file's bytes.
    public func acknowledge(_ input: ByteReader, options: FormatOptions = FormatOptions()) throws -> [UInt8] {
        var reader = X12Reader(options: options)
        reader.grammars = grammars
        reader.partner = partner
        return try acknowledge(try reader.reports(input))
    }

    public func acknowledge(_ reports: [X12InterchangeReport]) throws -> [UInt8] {
        var out = [UInt8]()
        for report in reports {
            guard report.header.elements.count == 16 else {
                let first = report.findings.first?.error
                throw FormatError("x12.ack.no-interchange", "nothing to acknowledge: no readable ISA segment" + (first.map { " (\($0))" } ?? ""),
                                  line: first?.line, column: first?.column)
            }
            out += try interchange(for: report)
        }
        return out
    }

    /// A 999 answers groups of version 005010 and later; a 997 answers earlier ones.
    public static func usesImplementationAck(groupVersion: String) -> Bool {
        (Int(groupVersion.prefix(6)) ?? 0) >= 5010
    }

    private func interchange(for report: X12InterchangeReport) throws -> [UInt8] {
        let isa = report.header
        var w = X12SegmentWriter(delimiters: report.delimiters)
        let envelope = X12Envelope(senderQualifier: isa.trimmed(7), senderID: isa.trimmed(8), receiverQualifier: isa.trimmed(5),
                                   receiverID: isa.trimmed(6), groupSender: "", groupReceiver: "", isaVersion: isa[12],
                                   usage: isa[15], delimiters: report.delimiters, now: now, timeZone: timeZone)
        let isaNumber = try next("x12.isa")
        try envelope.writeISA(&w, controlNumber: isaNumber, acknowledgmentRequested: false)
        if isa[14] == "1" || report.hasInterchangeErrors {
            let code = report.findings.first(where: \.isError)?.ackCode ?? "000"
            try w.add("TA1", [isa[13], isa[9], isa[10], report.hasInterchangeErrors ? "R" : "A", code])
        }
        for group in report.groups {
            var e = envelope
            e.groupSender = group.header[3]
            e.groupReceiver = group.header[2]
            let implementation = Self.usesImplementationAck(groupVersion: group.version)
            let version = implementation ? "005010X231A1" : String(group.version.prefix(6))
            let groupNumber = try next("x12.gs")
            try e.writeGS(&w, functionalID: "FA", controlNumber: groupNumber, version: version)
            try transactionSet(for: group, implementation: implementation, version: version, into: &w)
            try w.add("GE", ["1", String(groupNumber)])
        }
        try w.add("IEA", [String(report.groups.count), X12Envelope.zeroFilled(isaNumber, 9)])
        return w.bytes
    }

    private func transactionSet(for group: X12GroupReport, implementation: Bool, version: String, into w: inout X12SegmentWriter) throws {
        w.startCounting()
        try w.add("ST", implementation ? ["999", "0001", version] : ["997", "0001"])
        try w.add("AK1", implementation ? [group.functionalID, group.controlNumber, group.version] : [group.functionalID, group.controlNumber])
        for set in group.sets {
            try w.add("AK2", set.identifier, set.controlNumber)
            if set.findings.isEmpty {   // the common case, without the lists below
                try w.add(implementation ? "IK5" : "AK5", "A")
                continue
            }
            for f in set.findings where f.level == .segment {
                try w.add(implementation ? "IK3" : "AK3", [f.error.segment ?? "", f.segmentPosition.map(String.init) ?? "", f.loopID ?? "", f.ackCode])
                // 999 (X231): the business unit the fault lies in, CTX01 = name:value.
                if implementation, let unit = f.businessUnit, !unit.value.utf8.contains(w.delimiters.component) {
                    try w.add("CTX", [w.component([unit.name, unit.value])], checkDelimiters: false)
                }
                if let position = f.elementPosition, let code = f.elementCode {
                    try w.add(implementation ? "IK4" : "AK4", [String(position), "", code])
                }
                for e in f.elementErrors {
                    try w.add(implementation ? "IK4" : "AK4", [String(e.position), "", e.code] + (e.value.isEmpty ? [] : [e.value]))
                }
            }
            var codes = set.findings.filter { $0.isError && $0.level == .transactionSet }.map(\.ackCode)
            if set.findings.contains(where: { $0.isError && $0.level == .segment }) { codes.append("5") }
            let status = set.accepted ? (set.findings.isEmpty ? "A" : "E") : "R"
            try w.add(implementation ? "IK5" : "AK5", [status] + Array(Set(codes).sorted { Int($0) ?? 0 < Int($1) ?? 0 }.prefix(5)))
        }
        let accepted = group.sets.filter(\.accepted).count
        let status: String
        if group.hasGroupErrors || accepted == 0 && !group.sets.isEmpty { status = "R" }
        else if accepted < group.sets.count { status = "P" }
        else { status = group.sets.contains { !$0.findings.isEmpty } ? "E" : "A" }
        let groupCodes = group.findings.filter(\.isError).map(\.ackCode).prefix(5)
        try w.add("AK9", [status, String(group.sets.count), String(group.sets.count), String(accepted)] + groupCodes)
        try w.add("SE", [String(w.counted + 1), "0001"])
    }

    private func next(_ counter: String) throws -> Int64 {
        try counters.next(X12Writer.counter(counter, partner))
    }
}
