import GRDB

/// Every schema change, in order, in one place. Append; never edit a shipped migration.
enum Migrations {
    static func register(_ m: inout DatabaseMigrator) {
        m.registerMigration("v1: files, records, audit, counters") { db in
            try db.create(table: "files") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("partner", .text).notNull()
                t.column("channel", .text).notNull()
                t.column("name", .text).notNull()                 // the name it was dropped under
                t.column("size", .integer)
                t.column("sha256", .text)
                t.column("format", .text)
                t.column("state", .text).notNull()                // FileState
                t.column("recordCount", .integer).notNull().defaults(to: 0)
                t.column("workPath", .text).notNull().unique()    // where the claimed file sits while in hand
                t.column("finalPath", .text)                      // archive or quarantine path
                t.column("error", .text)                          // ErrorReport JSON
                t.column("duplicateOf", .integer).references("files")
                t.column("receivedAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(index: "files_partner_sha", on: "files", columns: ["partner", "sha256"])
            try db.create(index: "files_state", on: "files", columns: ["state"])
            try db.create(table: "records") { t in
                t.column("fileId", .integer).notNull().references("files", onDelete: .cascade)
                t.column("idx", .integer).notNull()
                t.column("id", .text).notNull()
                t.column("type", .text).notNull()
                t.column("json", .text).notNull()
                t.primaryKey(["fileId", "idx"])
            }
            try db.create(index: "records_id", on: "records", columns: ["id"])
            try db.create(table: "audit") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("at", .datetime).notNull()
                t.column("fileId", .integer)
                t.column("event", .text).notNull()
                t.column("detail", .text)
            }
            // The audit trail is append-only.
            try db.execute(sql: """
                CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
                CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
                """)
            try db.create(table: "counters") { t in
                t.primaryKey("name", .text)
                t.column("value", .integer).notNull()
            }
        }
        m.registerMigration("v2: outbound queue") { db in
            try db.create(table: "outbound") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("partner", .text).notNull()
                t.column("channel", .text).notNull()
                t.column("format", .text).notNull()
                t.column("name", .text).notNull()
                t.column("path", .text).notNull()
                t.column("state", .text).notNull()               // OutboundState
                t.column("sourceFileId", .integer).references("files")
                t.column("route", .text)
                t.column("recordCount", .integer).notNull().defaults(to: 0)
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("lastError", .text)
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(index: "outbound_state", on: "outbound", columns: ["state"])
        }
        m.registerMigration("sftp: pull and delivery items, endpoint breakers") { db in
            // Gateway's SFTPPlugin: one row per pull channel and per outbox file to deliver, with its
            // retry state (RetryState) so that attempts and dead letters survive a restart.
            try db.create(table: "sftp_items") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull()                 // pull | delivery
                t.column("partner", .text).notNull()
                t.column("channel", .text).notNull()
                t.column("name", .text).notNull()                 // the outbox file; "" for a pull channel
                t.column("endpoint", .text).notNull()             // host:port
                t.column("phase", .text).notNull()                // retrying | deadLettered | waitingForPerson | succeeded
                t.column("failures", .integer).notNull()
                t.column("deadLetterRetriesUsed", .integer).notNull()
                t.column("attempts", .integer).notNull()
                t.column("nextAttempt", .datetime)
                t.column("lastError", .text)
                t.column("deliveredAt", .datetime)
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.uniqueKey(["kind", "partner", "channel", "name"])
            }
            try db.create(index: "sftp_items_phase", on: "sftp_items", columns: ["phase", "nextAttempt"])
            // Each endpoint's circuit breaker as last seen by the running gateway, for `dropgate status`.
            try db.create(table: "sftp_endpoints") { t in
                t.primaryKey("endpoint", .text)
                t.column("state", .text).notNull()                // closed | open | half-open
                t.column("since", .datetime)
                t.column("summary", .text).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.alter(table: "outbound") { t in t.add(column: "deliveredAt", .datetime) }
        }
    }
}
