import Foundation
import Testing
import Canonical
import FormatKit
import XMLSupport
@testable import ISO20022

/// The camt.053 samples of ../shared/corpus/xsd/iso20022 (from genkgo/camt's end-to-end tests).
@Suite(.enabled(if: Corpus.root != nil, Corpus.skipReason)) struct CamtConformanceTests {
    /// camt.053 samples the MANIFEST calls SAMPLE (readable) and EXPECTED FAILURE.
    static func samples() throws -> (valid: [String], failing: [String]) {
        let rows = try Corpus.manifest().filter {
            let name = ($0.file as NSString).lastPathComponent
            return (name.hasPrefix("camt053") || name.hasPrefix("camt53")) && name.hasSuffix(".xml")
        }
        return (rows.filter { $0.note.hasPrefix("SAMPLE") }.map(\.file), rows.filter { $0.note.hasPrefix("EXPECTED FAILURE") }.map(\.file))
    }

    /// Every sample reads; its entries' signed amounts and booking/value dates agree with genkgo's
    /// expected JSON beside it. genkgo's test files are synthetic and most of their balances do
    /// not add up (e.g. OPBD 18.15 CRDT + 8.85 CRDT, but CLBD 27.00 DBIT): a bank statement that
    /// does not add up is an error for us, so those are read with `allowBalanceMismatch`, and the
    /// next test checks that the strict reader rejects exactly those.
    @Test func everySampleReadsAndAgreesWithExpectedOutput() throws {
        let (valid, _) = try Self.samples()
        #expect(valid.count >= 10)
        for file in valid {
            let relative = String(file.dropFirst("iso20022/".count))
            let stmts = try units(CamtReaderTests.lenient, Corpus.reader(relative))
            #expect(!stmts.isEmpty, "\(file)")
            let expectedPath = Corpus.iso20022! + "/" + relative.replacingOccurrences(of: ".xml", with: ".json")
            let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: expectedPath))) as! [String: Any]
            // Each expected entry names its statement (getRecord.getId) and its position in it (getIndex).
            // (genkgo's JSON of the multi-statement file lists only the second statement's entry.)
            let entries = expected["getEntries"] as? [[String: Any]] ?? []
            for s in stmts {
                let lines = s.children(named: "line")
                let mine = entries.filter { ($0["getRecord"] as? [String: Any])?["getId"] as? String == s["Id"] }
                if mine.isEmpty && stmts.count > 1 { continue }
                #expect(lines.count == mine.count, "\(file) statement \(s["Id"] ?? ""): line count")
                for entry in mine {
                    let line = try #require(lines.indices.contains(entry["getIndex"] as! Int) ? lines[entry["getIndex"] as! Int] : nil)
                    let signed = try CamtEntryLines.signedAmount(of: line, field: "Amt")
                    let minor = (entry["getAmount"] as! [String: Any])["getAmount"] as! String
                    // genkgo keeps 2 decimals (Money minor units); a 5-decimal amount must agree at 2.
                    #expect(signed.rounded(to: 2) == Amount(minorUnits: Int128(minor)!, scale: 2), "\(file): amount")
                    let booked = ((entry["getBookingDate"] as? [String: Any])?["0"] as? String)?.prefix(10)
                    #expect(booked.map(String.init) == (line.value("BookgDt/Dt") ?? line.value("BookgDt/DtTm")).map { String($0.prefix(10)) }, "\(file): booking date")
                    let valued = ((entry["getValueDate"] as? [String: Any])?["0"] as? String)?.prefix(10)
                    #expect(valued.map(String.init) == (line.value("ValDt/Dt") ?? line.value("ValDt/DtTm")).map { String($0.prefix(10)) }, "\(file): value date")
                }
            }
        }
    }

    /// With `strictBalances`, a sample passes exactly when opening + entries = closing; by default it is read and flagged.
    @Test func strictReaderChecksOpeningPlusEntriesEqualsClosing() throws {
        for file in try Self.samples().valid {
            let relative = String(file.dropFirst("iso20022/".count))
            let stmts = try units(CamtReaderTests.lenient, Corpus.reader(relative))
            let adds = try stmts.allSatisfy { s in
                let bal = { (type: String) in s.children(named: "Bal").first { $0["type"] == type } }
                guard let open = bal("OPBD") ?? bal("PRCD"), let close = bal("CLBD") else { return true }
                let sum = try s.children(named: "line").map { try CamtEntryLines.signedAmount(of: $0, field: "Amt") }.sum()
                return try CamtEntryLines.signedAmount(of: open, field: "Amt") + sum == CamtEntryLines.signedAmount(of: close, field: "Amt")
            }
            do {
                _ = try units(CamtReaderTests.strict, Corpus.reader(relative))
                #expect(adds, "\(file) does not add up but was accepted")
            } catch let e as FormatError {
                #expect(!adds && e.code == "camt053.balance-mismatch", "\(file): \(e)")
            }
        }
        // The multi-statement sample adds up: both statements pass the strict reader.
        #expect(try units(CamtReaderTests.strict, Corpus.reader("samples/camt053.v2.multi.statement.xml")).count == 2)
    }

    @Test func expectedFailuresAreRejected() throws {
        let failing = try Self.samples().failing
        #expect(!failing.isEmpty)
        for file in failing {
            #expect(throws: FormatError.self, "\(file)") { try units(CamtStatementReader(), Corpus.reader(String(file.dropFirst("iso20022/".count)))) }
        }
    }

    /// The samples the MANIFEST says xmllint validates also validate through XMLSchema, and the
    /// expected failure does not (xmllint --schema equivalent).
    @Test func samplesValidateAgainstTheirXSD() throws {
        for row in try Corpus.manifest() where row.file.contains("camt053") && row.note.contains("xmllint --schema") {
            let schemaName = try #require(row.note.range(of: #"camt\.053\.001\.\d\d\.xsd"#, options: .regularExpression).map { String(row.note[$0]) })
            let schema = try XMLSchema(path: Corpus.iso20022! + "/" + schemaName)
            let bytes = try Corpus.reader(String(row.file.dropFirst("iso20022/".count))).readAll()
            let findings = schema.validate(try XMLDocument(bytes: bytes))
            #expect(findings.isEmpty == row.note.contains("VALIDATES"), "\(row.file): \(findings)")
        }
    }
}
