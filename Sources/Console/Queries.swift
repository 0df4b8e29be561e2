import Foundation
import Canonical
import Gateway
import GRDB
import Ledger

/// One page of a list: the API's `{items, page, perPage, total}`.
struct Page<Item: Encodable & Sendable>: Encodable, Sendable {
    var items: [Item]
    var page: Int
    var perPage: Int
    var total: Int
    /// Set by the file search, which counts no further than `FileFilter.countCap`: true when there are
    /// more matches than `total` says (the console shows "10000+").
    var totalCapped: Bool? = nil
    var pages: Int { max(1, (total + perPage - 1) / perPage) }
    /// Whether a page follows this one (past a capped total: when this page is full).
    var hasNext: Bool { page < pages || (totalCapped == true && items.count == perPage) }
    /// The total as shown: "10000+" when capped.
    var totalText: String { totalCapped == true ? "\(total)+" : "\(total)" }
}

struct Paging {
    var page = 1
    var perPage = 50
    var offset: Int { (page - 1) * perPage }
    static let maxPerPage = 500

    init(page: String?, perPage: String?) throws {
        if let p = page { guard let n = Int(p), n >= 1 else { throw BadRequest("page: a number from 1") }; self.page = n }
        if let p = perPage { guard let n = Int(p), (1...Paging.maxPerPage).contains(n) else { throw BadRequest("perPage: 1 to \(Paging.maxPerPage)") }; self.perPage = n }
    }
}

struct BadRequest: Error { var message: String; init(_ m: String) { message = m } }

/// A row of the file list.
struct FileRow: Codable, Sendable {
    var id: Int64
    var partner: String
    var channel: String
    var name: String
    var size: Int64?
    var sha256: String?
    var format: String?
    var state: String
    var recordCount: Int
    var attempts: Int
    var receivedAt: Date
    var updatedAt: Date
    var finalPath: String?
    var duplicateOf: Int64?
    /// The error report's code and located message (quarantined and rejected files).
    var errorCode: String?
    var errorMessage: String?

    init(_ row: Row) {
        id = row["id"]; partner = row["partner"]; channel = row["channel"]; name = row["name"]; size = row["size"]; sha256 = row["sha256"]
        format = row["format"]; state = row["state"]; recordCount = row["recordCount"]; attempts = row["attempts"]
        receivedAt = row["receivedAt"]; updatedAt = row["updatedAt"]; finalPath = row["finalPath"]; duplicateOf = row["duplicateOf"]
        if let error: String = row["error"] {
            if let report = FileRow.report(error) {
                errorCode = report.code
                errorMessage = report.located
            } else {
                errorMessage = error
            }
        }
    }

    struct Report: Decodable { var code: String; var message: String; var line: Int?; var column: Int?; var segment: String?; var field: String?
        var located: String {
            var at = [String]()
            if let line { at.append("line \(line)") }
            if let column { at.append("column \(column)") }
            if let segment { at.append("segment \(segment)") }
            if let field { at.append("field \(field)") }
            return at.isEmpty ? message : at.joined(separator: ", ") + ": " + message
        }
    }

    static func report(_ text: String) -> Report? {
        guard text.hasPrefix("{") else { return nil }
        return try? JSONDecoder().decode(Report.self, from: Data(text.utf8))
    }
}

/// The file list's filters (`GET /api/v1/files`, the console's file search).
struct FileFilter {
    var partner: String?
    var channel: String?
    var format: String?
    var state: String?
    /// Received on or after this day (yyyy-mm-dd, UTC) / on or before this day.
    var from: String?
    var to: String?
    /// Part of the name, the start of the SHA-256, or part of the error.
    var text: String?

    init(query: (String) -> String?) throws {
        func value(_ k: String) -> String? { query(k).flatMap { $0.isEmpty ? nil : $0 } }
        partner = value("partner"); channel = value("channel"); format = value("format"); state = value("state")
        from = value("from"); to = value("to"); text = value("q")
        if let s = state, FileState(rawValue: s) == nil { throw BadRequest("state: one of \(FileState.allCases.map(\.rawValue).joined(separator: ", "))") }
        for (k, d) in [("from", from), ("to", to)] {
            if let d, !FileFilter.isDay(d) { throw BadRequest("\(k): a day as yyyy-mm-dd") }
        }
    }

    static func isDay(_ d: String) -> Bool {
        let u = Array(d.utf8)
        return u.count == 10 && u[4] == 0x2D && u[7] == 0x2D && u.enumerated().allSatisfy { $0.offset == 4 || $0.offset == 7 || (0x30...0x39).contains($0.element) }
    }


    /// The file search counts its matches no further than this (a full count of a broad filter over a
    /// large ledger costs more than the page); past it the answer says `total: 10000, totalCapped: true`.
    static let countCap = 10_000

    /// The WHERE clause and its arguments. Every filter column has an index (Migrations, "console: file
    /// search index"); the text goes through `textMatch`.
    func sql() -> (String, StatementArguments) {
        var clauses = [String](), args = StatementArguments()
        if let partner { clauses.append("partner = ?"); args += [partner] }
        if let channel { clauses.append("channel = ?"); args += [channel] }
        if let format { clauses.append("format = ?"); args += [format] }
        if let state { clauses.append("state = ?"); args += [state] }
        if let from { clauses.append("receivedAt >= ?"); args += [from] }
        if let to { clauses.append("receivedAt < ?"); args += [to + " 99"] }   // any time of that day
        if let text {
            let (clause, textArgs) = FileFilter.textMatch(text)
            clauses.append(clause); args += textArgs
        }
        return (clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND "), args)
    }

    /// The `q` filter (SQLite): `text` anywhere in the name or the error report (case-sensitive, as
    /// `instr()`), or — 4+ hex digits — the start of the SHA-256. Substrings of 3+ characters go through
    /// the trigram FTS5 index `files_search`; shorter ones (which a trigram index cannot find) scan with
    /// `instr()`. A PostgreSQL ledger needs its own variant of this one function (pg_trgm).
    static func textMatch(_ text: String) -> (String, StatementArguments) {
        var ids = [String](), args = StatementArguments()
        if text.unicodeScalars.count >= 3 {
            ids.append("SELECT rowid FROM files_search WHERE files_search MATCH ?")
            args += ["\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""]   // one phrase: the substring as it is
        } else {
            ids.append("SELECT id FROM files WHERE instr(name, ?) > 0 OR instr(error, ?) > 0")
            args += [text, text]
        }
        if text.count >= 4, text.allSatisfy(\.isHexDigit) {
            ids.append("SELECT id FROM files WHERE sha256 >= ? AND sha256 < ?")   // hex digits sort below "g"
            args += [text.lowercased(), text.lowercased() + "g"]
        }
        return ("id IN (" + ids.joined(separator: " UNION ") + ")", args)
    }
}

struct AuditEntry: Codable, Sendable {
    var seq: Int64
    var at: Date
    var event: String
    var detail: String?
}

struct ChannelRow: Codable, Sendable {
    var partner: String
    var channel: String
    var format: String?
    var mapping: String?
    var path: String
    var enabled: Bool
    var remote: Bool
    /// Files per state in the ledger.
    var files: [String: Int]
}

struct OutboundRow: Codable, Sendable {
    var id: Int64
    var partner: String
    var channel: String
    var format: String
    var name: String
    var state: String
    var route: String?
    var sourceFileId: Int64?
    var recordCount: Int
    var attempts: Int
    var lastError: String?
    var createdAt: Date
    var deliveredAt: Date?
}

struct DeadLetterRow: Codable, Sendable {
    var id: Int64
    var kind: String
    var partner: String
    var channel: String
    var name: String
    var endpoint: String
    var phase: String
    var failures: Int
    var attempts: Int
    var lastError: String?
    var nextAttempt: Date?
    var updatedAt: Date
}

struct EInvoiceRow: Codable, Sendable {
    var id: Int64
    var partner: String
    var number: String
    var kind: String
    var message: String
    var issueDate: String
    var deadline: Date?
    var state: String
    var batchId: String?
    var resultCode: String?
    var error: String?
    var queuedAt: Date
}

struct X12GroupRow: Codable, Sendable {
    var id: Int64
    var partner: String
    var interchangeControlNumber: String
    var groupControlNumber: String
    var functionalId: String
    var setCount: Int
    var sentAt: Date
    var state: String
    var ackFileId: Int64?
    var ackedAt: Date?
}

struct BreakerRow: Codable, Sendable {
    var endpoint: String
    var state: String
    var since: Date?
    var summary: String
}

/// The reads of the console and API, on the console's own pool of ledger connections (WAL: reads
/// run side by side and never wait for the pipeline's commits).
struct Queries {
    let ledger: any DatabaseReader
    let config: GatewayConfig
    let control: RunnerControl

    static let fileColumns = "id, partner, channel, name, size, sha256, format, state, recordCount, attempts, receivedAt, updatedAt, finalPath, duplicateOf, error"

    /// The page's ids first (from the filter's indexes alone where they cover it, sorted as small
    /// integers), then only those rows whole: a wide page or a far OFFSET does not read every row
    /// it passes.
    static func filePageSQL(_ whereSQL: String) -> String {
        "SELECT \(fileColumns) FROM files WHERE id IN (SELECT id FROM files \(whereSQL) ORDER BY id DESC LIMIT ? OFFSET ?) ORDER BY id DESC"
    }

    static func fileCountSQL(_ whereSQL: String) -> String { "SELECT COUNT(*) FROM (SELECT 1 FROM files \(whereSQL) LIMIT \(FileFilter.countCap + 1))" }

    func files(_ filter: FileFilter, _ paging: Paging) throws -> Page<FileRow> {
        let (whereSQL, args) = filter.sql()
        return try ledger.read { db in
            let cap = FileFilter.countCap
            let counted = try Int.fetchOne(db.cachedStatement(sql: Queries.fileCountSQL(whereSQL)), arguments: args) ?? 0
            var pageArgs = args
            pageArgs += [paging.perPage, paging.offset]
            let rows = try Row.fetchAll(db.cachedStatement(sql: Queries.filePageSQL(whereSQL)), arguments: pageArgs)
            return Page(items: rows.map(FileRow.init), page: paging.page, perPage: paging.perPage, total: min(counted, cap), totalCapped: counted > cap)
        }
    }

    func file(_ id: Int64) throws -> (row: FileRow, error: String?, path: String?)? {
        try ledger.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT \(Queries.fileColumns), workPath FROM files WHERE id = ?", arguments: [id]) else { return nil }
            let state: String = row["state"]
            let path: String? = ["received", "translated"].contains(state) ? row["workPath"] : row["finalPath"]
            return (FileRow(row), row["error"], path)
        }
    }

    func audit(fileId: Int64) throws -> [AuditEntry] {
        try ledger.read { db in
            try Row.fetchAll(db, sql: "SELECT seq, at, event, detail FROM audit WHERE fileId = ? ORDER BY seq", arguments: [fileId]).map {
                AuditEntry(seq: $0["seq"], at: $0["at"], event: $0["event"], detail: $0["detail"])
            }
        }
    }

    /// The audit rows not about one file (channel switches, tokens, retries of deliveries), newest first.
    func gatewayAudit(limit: Int) throws -> [AuditEntry] {
        try ledger.read { db in
            try Row.fetchAll(db, sql: "SELECT seq, at, event, detail FROM audit WHERE fileId IS NULL ORDER BY seq DESC LIMIT ?", arguments: [limit]).map {
                AuditEntry(seq: $0["seq"], at: $0["at"], event: $0["event"], detail: $0["detail"])
            }
        }
    }

    /// A file's first `limit` records (JSON lines as stored) and how many it has.
    func records(fileId: Int64, limit: Int) throws -> (lines: [String], total: Int) {
        try ledger.read { db in
            let lines = try String.fetchAll(db, sql: "SELECT json FROM records WHERE fileId = ? ORDER BY idx LIMIT ?", arguments: [fileId, limit])
            let total = try Int.fetchOne(db, sql: "SELECT recordCount FROM files WHERE id = ?", arguments: [fileId]) ?? lines.count
            return (lines, total)
        }
    }

    func channels() throws -> [ChannelRow] {
        let counts = try ledger.read { db in
            try Row.fetchAll(db, sql: "SELECT partner, channel, state, COUNT(*) AS n FROM files GROUP BY partner, channel, state").reduce(into: [String: [String: Int]]()) {
                $0["\($1["partner"] as String)/\($1["channel"] as String)", default: [:]][$1["state"]] = $1["n"] as Int
            }
        }
        return config.channels.map { c in
            ChannelRow(partner: c.partner, channel: c.name, format: c.format, mapping: c.mapping, path: c.path,
                       enabled: control.isEnabled(partner: c.partner, channel: c.name), remote: c.remote != nil,
                       files: counts["\(c.partner)/\(c.name)"] ?? [:])
        }
    }

    func outbound(state: String?, _ paging: Paging) throws -> Page<OutboundRow> {
        try ledger.read { db in
            let w = state == nil ? "" : "WHERE state = ?"
            let args: StatementArguments = state.map { [$0] } ?? []
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbound \(w)", arguments: args) ?? 0
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM outbound \(w) ORDER BY id DESC LIMIT ? OFFSET ?", arguments: args + [paging.perPage, paging.offset])
            return Page(items: rows.map {
                OutboundRow(id: $0["id"], partner: $0["partner"], channel: $0["channel"], format: $0["format"], name: $0["name"], state: $0["state"],
                            route: $0["route"], sourceFileId: $0["sourceFileId"], recordCount: $0["recordCount"], attempts: $0["attempts"],
                            lastError: $0["lastError"], createdAt: $0["createdAt"], deliveredAt: $0["deliveredAt"])
            }, page: paging.page, perPage: paging.perPage, total: total)
        }
    }

    func deadLetters(_ paging: Paging) throws -> Page<DeadLetterRow> {
        try ledger.read { db in
            let phases = SFTPItem.deadPhases.map { "'\($0)'" }.joined(separator: ", ")
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sftp_items WHERE phase IN (\(phases))") ?? 0
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM sftp_items WHERE phase IN (\(phases)) ORDER BY id LIMIT ? OFFSET ?", arguments: [paging.perPage, paging.offset])
            return Page(items: rows.map {
                DeadLetterRow(id: $0["id"], kind: $0["kind"], partner: $0["partner"], channel: $0["channel"], name: $0["name"], endpoint: $0["endpoint"],
                              phase: $0["phase"], failures: $0["failures"], attempts: $0["attempts"], lastError: $0["lastError"],
                              nextAttempt: $0["nextAttempt"], updatedAt: $0["updatedAt"])
            }, page: paging.page, perPage: paging.perPage, total: total)
        }
    }

    func einvoices(state: String?, _ paging: Paging) throws -> Page<EInvoiceRow> {
        try ledger.read { db in
            let w = state == nil ? "" : "WHERE state = ?"
            let args: StatementArguments = state.map { [$0] } ?? []
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM einvoice_queue \(w)", arguments: args) ?? 0
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM einvoice_queue \(w) ORDER BY deadline IS NULL, deadline, id LIMIT ? OFFSET ?", arguments: args + [paging.perPage, paging.offset])
            return Page(items: rows.map {
                EInvoiceRow(id: $0["id"], partner: $0["partner"], number: $0["number"], kind: $0["kind"], message: $0["message"], issueDate: $0["issueDate"],
                            deadline: $0["deadline"], state: $0["state"], batchId: $0["batchId"], resultCode: $0["resultCode"], error: $0["error"], queuedAt: $0["queuedAt"])
            }, page: paging.page, perPage: paging.perPage, total: total)
        }
    }

    func x12Groups(state: String?, _ paging: Paging) throws -> Page<X12GroupRow> {
        try ledger.read { db in
            let w = state == nil ? "" : "WHERE state = ?"
            let args: StatementArguments = state.map { [$0] } ?? []
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM x12_groups \(w)", arguments: args) ?? 0
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM x12_groups \(w) ORDER BY id DESC LIMIT ? OFFSET ?", arguments: args + [paging.perPage, paging.offset])
            return Page(items: rows.map {
                X12GroupRow(id: $0["id"], partner: $0["partner"], interchangeControlNumber: $0["interchangeControlNumber"], groupControlNumber: $0["groupControlNumber"],
                            functionalId: $0["functionalId"], setCount: $0["setCount"], sentAt: $0["sentAt"], state: $0["state"],
                            ackFileId: $0["ackFileId"], ackedAt: $0["ackedAt"])
            }, page: paging.page, perPage: paging.perPage, total: total)
        }
    }

    /// The canonical records of `types` in the files received from day `from` to day `to` (UTC,
    /// both included), in the order they were received; with the file each came in.
    func records(types: [String], receivedFrom from: String, to: String) throws -> [(fileId: Int64, record: Canonical.Record)] {
        try ledger.read { db in
            let marks = types.map { _ in "?" }.joined(separator: ", ")
            let rows = try Row.fetchCursor(db, sql: """
                SELECT r.fileId, r.json FROM files f JOIN records r ON r.fileId = f.id
                WHERE f.receivedAt >= ? AND f.receivedAt < ? AND r.type IN (\(marks)) ORDER BY f.id, r.idx
                """, arguments: StatementArguments([from, to + " 99"] + types))
            var out = [(fileId: Int64, record: Canonical.Record)]()
            while let row = try rows.next() { out.append((row["fileId"], try JSONLines.decode(line: row["json"] as String))) }
            return out
        }
    }

    func breakers() throws -> [BreakerRow] {
        try ledger.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sftp_endpoints ORDER BY endpoint").map {
                BreakerRow(endpoint: $0["endpoint"], state: $0["state"], since: $0["since"], summary: $0["summary"])
            }
        }
    }

    /// Today's (UTC) files per partner and state.
    func today(now: Date = Date()) throws -> [(partner: String, state: String, count: Int)] {
        let day = FileFilter.dayString(now)
        return try ledger.read { db in
            try Row.fetchAll(db, sql: "SELECT partner, state, COUNT(*) AS n FROM files WHERE receivedAt >= ? GROUP BY partner, state ORDER BY partner, state", arguments: [day]).map {
                ($0["partner"], $0["state"], $0["n"])
            }
        }
    }
}

extension FileFilter {
    static func dayString(_ date: Date) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let c = cal.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }
}
