import Foundation
import Canonical

/// One event as published: `{"event_type", "event_id", "timestamp", "source", "subject", "data"}`
/// (docs/EVENTS.md). Built once, when the change is committed, and stored whole in the outbox:
/// a republish sends the very same bytes and `event_id`.
public struct EventEnvelope: Sendable, Equatable {
    public var type: String
    public var id: String
    public var timestamp: Date
    public var source: String
    public var subject: JSONObject
    public var data: JSONValue

    public init(type: String, id: String = UUID().uuidString.lowercased(), timestamp: Date, source: String, subject: JSONObject, data: JSONValue) {
        self.type = type; self.id = id; self.timestamp = timestamp; self.source = source; self.subject = subject; self.data = data
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

    public var json: String {
        var o = JSONObject()
        o["event_type"] = .string(type)
        o["event_id"] = .string(id)
        o["timestamp"] = .string(EventEnvelope.rfc3339(timestamp))
        o["source"] = .string(source)
        o["subject"] = .object(subject)
        o["data"] = data
        return JSONValue.object(o).jsonText
    }

    /// RFC 3339 in UTC with milliseconds: `2026-12-02T15:35:16.123Z`.
    public static func rfc3339(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
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
