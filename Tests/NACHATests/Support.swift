import TestSupport
import Canonical
import FormatKit
import Foundation
@testable import NACHA

/// Helpers shared by the NACHA tests: sample payments, reading bytes to units, the corpus folder.
enum Sample {
    /// A fixed clock: 2025-03-14 09:30 UTC.
    static let now = Date(timeIntervalSince1970: 1_741_944_600)
    static let utc = TimeZone(identifier: "UTC")!

    static func context(settings: [String: String] = [:], counters: CounterSource = MemoryCounters()) -> WriteContext {
        WriteContext(settings: settings, counters: counters, now: now, timeZone: utc)
    }

    /// An outbound ACH payment. `transactionCode` 22 (checking credit) pays `creditor` from the company;
    /// 27 (checking debit) collects from `debtor` for the company.
    static func payment(_ index: Int, amount: String, transactionCode: String = "22", sec: String = "PPD",
                        companyId: String = "1234567890", company: String = "Acme Payroll", date: String = "2025-03-17",
                        remittance: String? = nil, endToEndId: String? = nil) -> Record {
        let company = Payment.Party(name: company, agent: "231380104")
        let person = Payment.Party(name: "Receiver \(index)", account: "ACCT\(index)", agent: "121042882")
        let credit = ["22", "32", "23", "24"].contains(transactionCode)
        let addenda: [JSONObject] = remittance.map { [["typeCode": .string("05"), "paymentRelatedInformation": .string($0)]] } ?? []
        let body = Payment(direction: .outbound, method: "ach", amount: Amount(amount)!, currency: "USD", executionDate: date,
                           debtor: credit ? company : person, creditor: credit ? person : company,
                           endToEndId: endToEndId, remittance: remittance,
                           ach: .init(secCode: sec, transactionCode: transactionCode, traceNumber: "", companyId: companyId,
                                      companyEntryDescription: "PAYROLL", addenda: addenda))
        return Record(id: "r\(index)", source: nil, body: .payment(body))
    }

    static func units(_ bytes: [UInt8], options: NACHAOptions = NACHAOptions()) throws -> [Node] {
        var out = [Node]()
        try NACHAReader(options: options).read(ByteReader(bytes: bytes)) { out.append($0) }
        return out
    }

    static func findings(_ bytes: [UInt8], options: NACHAOptions = NACHAOptions()) -> [FormatError] {
        NACHAReader(options: options).validate(ByteReader(bytes: bytes)).filter { $0.severity == .error }
    }

    static func lines(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    static func bytes(_ lines: [String]) -> [UInt8] { Array((lines.joined(separator: "\n") + "\n").utf8) }

    /// Replaces the characters at 1-based `position` of line `line` (1-based).
    static func patch(_ lines: [String], line: Int, at position: Int, _ text: String) -> [String] {
        var out = lines
        var chars = Array(out[line - 1])
        chars.replaceSubrange((position - 1)..<(position - 1 + text.count), with: Array(text))
        out[line - 1] = String(chars)
        return out
    }

    /// The shared corpus (`ProjectPaths.corpus`); nil when it is absent.
    static func corpus(_ family: String) -> URL? {
        ProjectPaths.corpus(family).map { URL(fileURLWithPath: $0) }.flatMap {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent("MANIFEST.tsv").path) ? $0 : nil
        }
    }
}

/// What the default mapping `mappings/nacha/payment.yaml` makes of an entry unit, field by field,
/// so the round trip can be checked here without the mapping engine.
enum UnitToPayment {
    static func payment(_ unit: Node) -> Payment {
        let c = unit.child("computed")!, b = unit.child("batchHeader")!, e = unit.child("entryDetail")!
        func party(_ n: Node) -> Payment.Party { Payment.Party(name: n["name"] ?? "", account: n["account"], agent: n["agent"]) }
        let addenda: [JSONObject] = unit.children(named: "addenda").map { a in
            JSONObject(a.children.compactMap { n in n.value.map { (n.name, JSONValue.string($0)) } })
        }
        return Payment(direction: Payment.Direction(rawValue: c["direction"]!)!, method: "ach",
                       amount: Amount(minorUnits: Int128(e["amount"]!)!, scale: 2), currency: "USD",
                       executionDate: c["executionDate"]!, debtor: party(c.child("debtor")!), creditor: party(c.child("creditor")!),
                       endToEndId: e["identificationNumber"], remittance: c["remittance"],
                       ach: .init(secCode: b["standardEntryClassCode"]!, transactionCode: e["transactionCode"]!,
                                  traceNumber: e["traceNumber"]!, companyId: b["companyIdentification"] ?? "",
                                  companyEntryDescription: b["companyEntryDescription"] ?? "", addenda: addenda,
                                  returnCode: c["returnCode"], correctionCode: c["correctionCode"]))
    }
}
