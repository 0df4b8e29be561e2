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
        m.registerMigration("v3: e-invoice queue") { db in
            // Government e-invoices held for the platform's upload window (Gateway's EInvoicePlugin):
            // queued → releasing → released → accepted | rejected; failed when a release refused it.
            try db.create(table: "einvoice_queue") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("partner", .text).notNull()              // the platform partner it is uploaded to
                t.column("recordId", .text).notNull()             // the canonical record's id
                t.column("sourceFileId", .integer).references("files")
                t.column("number", .text).notNull()               // invoice or allowance number
                t.column("kind", .text).notNull()                 // Invoice.Kind
                t.column("originalNumber", .text)                 // what a cancel, void or allowance refers to
                t.column("message", .text).notNull()              // F0401, F0501 …
                t.column("issueDate", .text).notNull()
                t.column("deadline", .datetime)                   // the legal upload deadline
                t.column("record", .text).notNull()               // the record as a JSON line
                t.column("state", .text).notNull()
                t.column("batchId", .text)
                t.column("fileName", .text)
                t.column("releasedAt", .datetime)
                t.column("uploadDay", .text)                      // local date of the release, for SummaryResult checks
                t.column("resultCode", .text)
                t.column("resultMessage", .text)
                t.column("resultAt", .datetime)
                t.column("error", .text)
                t.column("queuedAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.uniqueKey(["partner", "recordId"])
            }
            try db.create(index: "einvoice_queue_state", on: "einvoice_queue", columns: ["partner", "state"])
            try db.create(index: "einvoice_queue_number", on: "einvoice_queue", columns: ["number", "message"])
        }
        m.registerMigration("v4: x12 interchanges and groups") { db in
            // Interchanges received (per translated file), for the duplicate-interchange check.
            try db.create(table: "x12_interchanges") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("partner", .text).notNull()
                t.column("sender", .text).notNull()              // ISA05:ISA06
                t.column("receiver", .text).notNull()            // ISA07:ISA08
                t.column("controlNumber", .text).notNull()       // ISA13
                t.column("fileId", .integer).notNull().references("files")
                t.column("receivedAt", .datetime).notNull()
                t.uniqueKey(["partner", "sender", "receiver", "controlNumber", "fileId"])
            }
            // Functional groups we sent, and what the partner's 997/999 said about them.
            try db.create(table: "x12_groups") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("partner", .text).notNull()
                t.column("interchangeControlNumber", .text).notNull()   // ISA13
                t.column("groupControlNumber", .text).notNull()         // GS06 without leading zeros
                t.column("functionalId", .text).notNull()               // GS01
                t.column("setCount", .integer).notNull()
                t.column("sentAt", .datetime).notNull()
                t.column("path", .text).notNull()
                t.column("state", .text).notNull()                      // X12GroupState
                t.column("ackFileId", .integer).references("files")
                t.column("ackedAt", .datetime)
                t.uniqueKey(["partner", "interchangeControlNumber", "groupControlNumber"])
            }
            try db.create(index: "x12_groups_partner_gs", on: "x12_groups", columns: ["partner", "groupControlNumber"])
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
        m.registerMigration("audit: hash chain") { db in
            // Every audit row carries the hash of the row before it and of its own content (AuditChain);
            // the rows that exist are chained here, in seq order, and the head records the last one.
            try db.alter(table: "audit") { t in
                t.add(column: "prevHash", .text)
                t.add(column: "hash", .text)
            }
            try db.create(table: "audit_head") { t in
                t.primaryKey("id", .integer).check { $0 == 1 }
                t.column("seq", .integer).notNull()              // the last row appended
                t.column("hash", .text).notNull()                // its hash (64 zeros before the first)
                t.column("count", .integer).notNull()            // rows ever appended
            }
            try db.execute(sql: "DROP TRIGGER audit_no_update")
            try AuditChain.chainExisting(db)
            try db.execute(sql: """
                CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
                CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
                """)
        }
        m.registerMigration("gateway: raw names, translation attempts") { db in
            try db.alter(table: "files") { t in
                t.add(column: "rawName", .blob)                  // the dropped name's bytes when not valid UTF-8
                t.add(column: "attempts", .integer).notNull().defaults(to: 0)   // translations started (poison check)
            }
        }
        m.registerMigration("dropbox: uploads") { db in
            // Who put a file into a drop box (Gateway's DropboxPlugin): the SFTP user and, when sshd's
            // log shows it, the fingerprint of the key that logged in.
            try db.create(table: "dropbox_uploads") { t in
                t.primaryKey("fileId", .integer).references("files", onDelete: .cascade)
                t.column("user", .text).notNull()
                t.column("keyFingerprint", .text)
                t.column("recordedAt", .datetime).notNull()
            }
        }
        m.registerMigration("events: outbox") { db in
            // Sources/Events: every event written with the change it describes (`seq` keeps the
            // order), each sink's cursor and breaker, and deliveries that ended as dead letters.
            try db.create(table: "events_outbox") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("eventId", .text).notNull().unique()
                t.column("type", .text).notNull()
                t.column("fileId", .integer)
                t.column("at", .datetime).notNull()
                t.column("envelope", .text).notNull()            // the JSON published
            }
            try db.create(index: "events_outbox_at", on: "events_outbox", columns: ["at"])
            try db.create(table: "events_sinks") { t in
                t.primaryKey("name", .text)                      // rabbitmq | webhook <url>
                t.column("lastSeq", .integer).notNull().defaults(to: 0)
                t.column("lastPublishedAt", .datetime)
                t.column("breaker", .text).notNull().defaults(to: "closed")
                t.column("failures", .integer).notNull().defaults(to: 0)
                t.column("lastError", .text)
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(table: "events_dead_letters") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("sink", .text).notNull()
                t.column("seq", .integer).notNull().references("events_outbox")
                t.column("state", .text).notNull()               // dead | retry | delivered
                t.column("attempts", .integer).notNull()
                t.column("lastError", .text)
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            // When an e-invoice's einvoice.deadline.warning was written (once per queued message).
            try db.alter(table: "einvoice_queue") { t in t.add(column: "deadlineWarnedAt", .datetime) }
        }
        m.registerMigration("console: tokens, channel switches") { db in
            // Bearer tokens of the console and API (ConsoleTables.swift): only the SHA-256 of the secret is kept.
            try db.create(table: "console_tokens") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull()
                t.column("role", .text).notNull()                 // viewer | operator
                t.column("hash", .text).notNull().unique()        // hex SHA-256 of the token
                t.column("createdAt", .datetime).notNull()
                t.column("revokedAt", .datetime)
            }
            // A channel an operator switched off: the pickup leaves its folder alone until it is switched on.
            try db.create(table: "channel_switches") { t in
                t.column("partner", .text).notNull()
                t.column("channel", .text).notNull()
                t.column("enabled", .boolean).notNull()
                t.column("updatedBy", .text).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.primaryKey(["partner", "channel"])
            }
            // The console's file search filters by partner/channel and by day.
            try db.create(index: "files_partner_channel", on: "files", columns: ["partner", "channel"])
            try db.create(index: "files_receivedAt", on: "files", columns: ["receivedAt"])
        }
        m.registerMigration("console: file search index") { db in
            // The file search's `q` (Console/Queries.swift, FileFilter.textMatch): a trigram FTS5 index
            // over name and error (substrings, case-sensitive like instr()), an external-content table
            // over `files` kept in step by triggers; the rows already there are indexed here. And an
            // index for each filter column that had none (partner alone, format, the SHA-256 prefix; channel with format).
            try db.execute(sql: """
                CREATE VIRTUAL TABLE files_search USING fts5(name, error, content='files', content_rowid='id', tokenize='trigram case_sensitive 1');
                INSERT INTO files_search(files_search) VALUES ('rebuild');
                CREATE TRIGGER files_search_insert AFTER INSERT ON files BEGIN
                    INSERT INTO files_search(rowid, name, error) VALUES (new.id, new.name, new.error);
                END;
                CREATE TRIGGER files_search_delete AFTER DELETE ON files BEGIN
                    INSERT INTO files_search(files_search, rowid, name, error) VALUES ('delete', old.id, old.name, old.error);
                END;
                CREATE TRIGGER files_search_update AFTER UPDATE OF name, error ON files BEGIN
                    INSERT INTO files_search(files_search, rowid, name, error) VALUES ('delete', old.id, old.name, old.error);
                    INSERT INTO files_search(rowid, name, error) VALUES (new.id, new.name, new.error);
                END;
                """)
            try db.create(index: "files_partner", on: "files", columns: ["partner"])   // partner alone: newest first without a sort
            try db.create(index: "files_format", on: "files", columns: ["format"])
            try db.create(index: "files_sha256", on: "files", columns: ["sha256"])
            // The quarantine of one partner, and channel with format: their counts from the index alone.
            try db.create(index: "files_state_partner", on: "files", columns: ["state", "partner"])
            try db.create(index: "files_channel_format", on: "files", columns: ["channel", "format"])
        }
        m.registerMigration("ach: entries sent, returns") { db in
            // Gateway's ACHPlugin: each entry of a NACHA file a route emitted (its trace number comes
            // from the writer's counter), so that a return (addenda 99) can name what it returns.
            try db.create(table: "ach_entries") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("outboundId", .integer).notNull().references("outbound")
                t.column("traceNumber", .text).notNull()
                t.column("amount", .text).notNull()               // decimal, dollars
                t.column("transactionCode", .text).notNull()
                t.column("receiverName", .text)
                t.column("recordedAt", .datetime).notNull()
                t.uniqueKey(["outboundId", "traceNumber"])
            }
            try db.create(index: "ach_entries_trace", on: "ach_entries", columns: ["traceNumber"])
            // Each return read from an inbound NACHA file, matched or not (once per file and entry).
            try db.create(table: "ach_returns") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("fileId", .integer).notNull().references("files")
                t.column("recordId", .text).notNull()
                t.column("originalTrace", .text).notNull()
                t.column("returnCode", .text).notNull()
                t.column("amount", .text).notNull()
                t.column("entryId", .integer).references("ach_entries")   // nil: not an entry we sent
                t.column("recordedAt", .datetime).notNull()
                t.uniqueKey(["fileId", "recordId"])
            }
        }
    }
}
