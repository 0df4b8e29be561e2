import Canonical
import FormatKit

/// Writes canonical purchase orders, invoices and ship notices as one X12 interchange: one
/// functional group per set type (PO, IN, SH), one transaction set per record.
///
/// Partner settings: `isaSenderQualifier` (default ZZ), `isaSenderId`, `isaReceiverQualifier`
/// (default ZZ), `isaReceiverId`, `gsSenderCode`, `gsReceiverCode` (default: the ISA IDs),
/// `version` (`004010` default, or `005010`), `usage` (P default, or T), `acknowledgmentRequested`
/// (ISA14, default 0), and delimiters `elementSeparator` (*), `componentSeparator` (> in 4010,
/// : in 5010), `repetitionSeparator` (^, 5010 only), `segmentTerminator` (~).
/// Control numbers come from the counters `x12.isa.<partner>` (ISA13) and `x12.gs.<partner>`
/// (GS06), drawn only once every record has been written, so a failed file burns no numbers.
public struct X12Writer: RecordWriter {
    public init() {}

    public func write(_ records: [Record], context: WriteContext) throws -> [OutputFile] {
        let settings = context.settings
        func setting(_ key: String) throws -> String {
            guard let v = settings[key], !v.isEmpty else {
                throw FormatError("x12.write.setting", "partner \(context.partner) has no \(key) setting (needed for the ISA/GS envelope)")
            }
            return v
        }
        let version = settings["version"] ?? "004010"
        guard ["004010", "005010"].contains(version) else {
            throw FormatError("x12.write.version", "version \(version) is not supported; use 004010 or 005010")
        }
        let fiveOhTen = version == "005010"
        func delimiter(_ key: String, _ fallback: String) throws -> UInt8 {
            let text = settings[key] ?? fallback
            guard text.utf8.count == 1, let b = text.utf8.first else {
                throw FormatError("x12.write.delimiter", "\(key) \"\(text)\" must be one character")
            }
            return b
        }
        let delimiters = X12Delimiters(element: try delimiter("elementSeparator", "*"),
                                       component: try delimiter("componentSeparator", fiveOhTen ? ":" : ">"),
                                       repetition: fiveOhTen ? try delimiter("repetitionSeparator", "^") : nil,
                                       segment: Array((settings["segmentTerminator"] ?? "~").utf8))
        let singles = [delimiters.element, delimiters.component] + (delimiters.repetition.map { [$0] } ?? []) + delimiters.segment.prefix(1)
        guard Set(singles).count == singles.count else {
            throw FormatError("x12.write.delimiter", "the element, component, repetition separators and segment terminator must all differ")
        }
        var envelope = X12Envelope(senderQualifier: settings["isaSenderQualifier"] ?? "ZZ", senderID: try setting("isaSenderId"),
                                   receiverQualifier: settings["isaReceiverQualifier"] ?? "ZZ", receiverID: try setting("isaReceiverId"),
                                   groupSender: "", groupReceiver: "", isaVersion: fiveOhTen ? "00501" : "00401",
                                   usage: settings["usage"] ?? "P", delimiters: delimiters, now: context.now, timeZone: context.timeZone)
        envelope.groupSender = settings["gsSenderCode"] ?? envelope.senderID
        envelope.groupReceiver = settings["gsReceiverCode"] ?? envelope.receiverID

        // Every set first (checking its text against the delimiters), then the control numbers.
        let bodies = try records.enumerated().map { try X12OutboundSets.body(for: $1, index: $0) }
        let check = X12SegmentWriter(delimiters: delimiters)
        for body in bodies { for s in body.segments { try check.check(s.id, s.elements) } }
        var groups: [(functionalID: String, sets: [X12SetBody])] = []
        for body in bodies {
            if let i = groups.firstIndex(where: { $0.functionalID == body.functionalID }) { groups[i].sets.append(body) }
            else { groups.append((body.functionalID, [body])) }
        }

        let isaNumber = try context.counters.next(Self.counter("x12.isa", context.partner))
        guard isaNumber <= 999_999_999 else {
            throw FormatError("x12.write.control-number", "counter x12.isa.\(context.partner) reached \(isaNumber), beyond ISA13's nine digits")
        }
        var w = X12SegmentWriter(delimiters: delimiters)
        try envelope.writeISA(&w, controlNumber: isaNumber, acknowledgmentRequested: settings["acknowledgmentRequested"] == "1")
        for group in groups {
            let groupNumber = try context.counters.next(Self.counter("x12.gs", context.partner))
            try envelope.writeGS(&w, functionalID: group.functionalID, controlNumber: groupNumber, version: version)
            for (n, set) in group.sets.enumerated() {
                let control = X12Envelope.zeroFilled(Int64(n + 1), 4)
                w.startCounting()
                try w.add("ST", [set.identifier, control])
                for s in set.segments { try w.add(s.id, s.elements) }
                try w.add("SE", [String(w.counted + 1), control])
            }
            try w.add("GE", [String(group.sets.count), String(groupNumber)])
        }
        try w.add("IEA", [String(groups.count), X12Envelope.zeroFilled(isaNumber, 9)])
        let name = "\(context.partner.isEmpty ? "x12" : context.partner)-\(X12Envelope.zeroFilled(isaNumber, 9)).x12"
        return [OutputFile(name: name, bytes: w.bytes)]
    }

    /// `x12.isa.<partner>`: one gap-free, never reused sequence per partner and envelope level.
    static func counter(_ base: String, _ partner: String) -> String { partner.isEmpty ? base : "\(base).\(partner)" }
}
