import Foundation
import FormatKit

/// Writes segments with an interchange's delimiters. X12 has no escape character, so text that
/// contains a delimiter cannot be sent: that is an error naming the segment and element, never a
/// silently altered value. Trailing empty elements are dropped, as the standard requires.
struct X12SegmentWriter {
    let delimiters: X12Delimiters
    private(set) var bytes: [UInt8] = []
    /// Segments written since the last `startCounting()` (for SE01).
    private(set) var counted = 0
    /// Which bytes data may not hold: the delimiters, CR and LF (a table, looked up per byte).
    private let forbidden: [Bool]

    init(delimiters: X12Delimiters) {
        self.delimiters = delimiters
        var table = [Bool](repeating: false, count: 256)
        for b in delimiters.allBytes { table[Int(b)] = true }
        table[10] = true
        table[13] = true
        forbidden = table
    }

    mutating func startCounting() { counted = 0 }

    /// `id*e1*e2…~` (components already joined by the caller with `component(_:)`).
    mutating func add(_ id: String, _ elements: [String], checkDelimiters: Bool = true) throws {
        if checkDelimiters { try check(id, elements) }
        var n = elements.count
        while n > 0 && elements[n - 1].isEmpty { n -= 1 }
        bytes.append(contentsOf: id.utf8)
        for e in elements[..<n] {
            bytes.append(delimiters.element)
            bytes.append(contentsOf: e.utf8)
        }
        if !delimiters.segmentIsNewline { bytes.append(contentsOf: delimiters.segment) }
        bytes.append(10)
        counted += 1
    }

    /// `id*a~` or `id*a*b~` without building an array (what an acknowledgment writes per set).
    mutating func add(_ id: String, _ a: String, _ b: String? = nil) throws {
        try check(id, 0, a)
        if let b { try check(id, 1, b) }
        bytes.append(contentsOf: id.utf8)
        if !a.isEmpty || b?.isEmpty == false { bytes.append(delimiters.element); bytes.append(contentsOf: a.utf8) }
        if let b, !b.isEmpty { bytes.append(delimiters.element); bytes.append(contentsOf: b.utf8) }
        if !delimiters.segmentIsNewline { bytes.append(contentsOf: delimiters.segment) }
        bytes.append(10)
        counted += 1
    }

    /// Refuses an element that holds a delimiter (X12 has no escape), naming segment and element.
    func check(_ id: String, _ elements: [String]) throws {
        for (i, e) in elements.enumerated() { try check(id, i, e) }
    }

    private func check(_ id: String, _ i: Int, _ e: String) throws {
        if let bad = forbidden.withUnsafeBufferPointer({ table in e.utf8.first { table[Int($0)] } }) {
            throw FormatError("x12.write.delimiter-in-data",
                              "\(id)\(i < 9 ? "0" : "")\(i + 1) \"\(e)\" contains \"\(String(decoding: [bad], as: UTF8.self))\", which is a delimiter of this interchange (X12 has no escape)",
                              segment: id, field: "\(id)\(i < 9 ? "0" : "")\(i + 1)")
        }
    }

    /// Components joined with the component separator (trailing empty ones dropped).
    func component(_ parts: [String]) -> String {
        var parts = parts
        while parts.last?.isEmpty == true { parts.removeLast() }
        return parts.joined(separator: String(decoding: [delimiters.component], as: UTF8.self))
    }
}

/// Who an outbound interchange is from and to, and how it is written: the ISA and GS header
/// fields of a partner (or, for an acknowledgment, the inbound interchange's fields swapped).
struct X12Envelope {
    var senderQualifier: String
    var senderID: String
    var receiverQualifier: String
    var receiverID: String
    var groupSender: String
    var groupReceiver: String
    /// ISA12 (`00401`, `00501`).
    var isaVersion: String
    /// `P` production or `T` test (ISA15).
    var usage: String
    var delimiters: X12Delimiters
    var now: Date
    var timeZone: TimeZone

    /// The ISA segment: every field padded or zero-filled to its fixed width.
    func writeISA(_ w: inout X12SegmentWriter, controlNumber: Int64, acknowledgmentRequested: Bool) throws {
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? String(s.prefix(n)) : s + String(repeating: " ", count: n - s.count) }
        let (date, time) = stamp()
        let repetition = X12Delimiters.versionHasRepetition(isaVersion)
            ? String(decoding: [delimiters.repetition ?? UInt8(ascii: "^")], as: UTF8.self) : "U"
        try w.add("ISA", ["00", pad("", 10), "00", pad("", 10), pad(senderQualifier, 2), pad(senderID, 15),
                          pad(receiverQualifier, 2), pad(receiverID, 15), String(date.dropFirst(2)), time, repetition,
                          isaVersion, Self.zeroFilled(controlNumber, 9), acknowledgmentRequested ? "1" : "0", usage,
                          String(decoding: [delimiters.component], as: UTF8.self)], checkDelimiters: false)
    }

    func writeGS(_ w: inout X12SegmentWriter, functionalID: String, controlNumber: Int64, version: String) throws {
        let (date, time) = stamp()
        try w.add("GS", [functionalID, groupSender, groupReceiver, date, time, String(controlNumber), "X", version])
    }

    /// CCYYMMDD and HHMM in the envelope's time zone.
    func stamp() -> (String, String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: now)
        func two(_ v: Int?) -> String { Self.zeroFilled(Int64(v ?? 0), 2) }
        return (String(c.year ?? 0) + two(c.month) + two(c.day), two(c.hour) + two(c.minute))
    }

    static func zeroFilled(_ n: Int64, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
