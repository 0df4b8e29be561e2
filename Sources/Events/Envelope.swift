import Foundation
import Canonical
#if canImport(Glibc)
import Glibc
#endif

/// One event as published: `{"event_type", "event_id", "timestamp", "source", "subject", "data"}`
/// (docs/EVENTS.md). Built once, when the change is committed, and stored whole in the outbox:
/// a republish sends the very same bytes and `event_id`.
public struct EventEnvelope: Sendable, Equatable {
    public var type: String
    public var id: String
    public var timestamp: Date
    public var source: String
    public var subject: JSONObject
    /// `data` as JSON text (a record's canonical JSON line goes in as it is stored).
    public var dataJSON: String

    public init(type: String, id: String = UUID().uuidString.lowercased(), timestamp: Date, source: String, subject: JSONObject, dataJSON: String) {
        self.type = type; self.id = id; self.timestamp = timestamp; self.source = source; self.subject = subject; self.dataJSON = dataJSON
    }

    public init(type: String, id: String = UUID().uuidString.lowercased(), timestamp: Date, source: String, subject: JSONObject, data: JSONValue) {
        self.init(type: type, id: id, timestamp: timestamp, source: source, subject: subject, dataJSON: data.jsonText)
    }

    /// The subject: partner, channel, file id and (for record events) the record's id.
    public static func subject(partner: String?, channel: String?, fileId: Int64?, recordId: String? = nil) -> JSONObject {
        var o = JSONObject()
        if let partner { o["partner"] = .string(partner) }
        if let channel { o["channel"] = .string(channel) }
        if let fileId { o["file_id"] = .number(String(fileId)) }
        if let recordId { o["record_id"] = .string(recordId) }
        return o
    }

    public var json: String { json(timestamp: EventEnvelope.rfc3339(timestamp)) }

    /// The envelope with an already formatted timestamp (one change's events share it).
    public func json(timestamp text: String) -> String {
        var out = [UInt8]()
        out.reserveCapacity(dataJSON.utf8.count + 256)
        out += #"{"event_type":"#.utf8
        JSONValue.writeString(type, to: &out)
        out += #","event_id":"#.utf8
        JSONValue.writeString(id, to: &out)
        out += #","timestamp":"#.utf8
        JSONValue.writeString(text, to: &out)
        out += #","source":"#.utf8
        JSONValue.writeString(source, to: &out)
        out += #","subject":"#.utf8
        JSONValue.object(subject).write(to: &out)
        out += #","data":"#.utf8
        out += dataJSON.utf8
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// RFC 3339 in UTC with milliseconds: `2026-12-02T15:35:16.123Z` (by hand: a date formatter
    /// costs more to make than the rest of an event).
    public static func rfc3339(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(millis >= 0 ? millis / 1000 : (millis - 999) / 1000)
        var t = tm()
        gmtime_r(&seconds, &t)
        func pad(_ n: Int32, _ width: Int) -> String { let s = String(n); return String(repeating: "0", count: max(0, width - s.count)) + s }
        let ms = Int32(((millis % 1000) + 1000) % 1000)
        return "\(pad(t.tm_year + 1900, 4))-\(pad(t.tm_mon + 1, 2))-\(pad(t.tm_mday, 2))T\(pad(t.tm_hour, 2)):\(pad(t.tm_min, 2)):\(pad(t.tm_sec, 2)).\(pad(ms, 3))Z"
    }

    public static func parseTimestamp(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: text)
    }
}

/// Whether an event type matches a subscription pattern: exact, `*` (everything) or a prefix
/// ending in `.*` (`record.*` matches `record.invoice`).
public func eventType(_ type: String, matches pattern: String) -> Bool {
    if pattern == "*" || pattern == type { return true }
    if pattern.hasSuffix(".*") { return type.hasPrefix(String(pattern.dropLast())) }
    return false
}
