import Foundation
import Canonical
import FormatKit
import Yams

/// The figures the conformance test compares: balances (signed), and each line's dates and
/// signed amount. Built from our tree and from the expected outputs of the source projects.
struct Figures: Equatable, CustomStringConvertible {
    struct Balance: Equatable { var date: String; var amount: Amount }
    struct Line: Equatable {
        var valueDate: String
        var entryDate: String?
        var amount: Amount
        /// RC/RD. The peers sign reversals of credits as credits; the bank's own closing
        /// balances say RC is a debit (those statements balance only so), so for reversals
        /// only the magnitude is compared.
        var reversal = false

        static func == (a: Line, b: Line) -> Bool {
            a.valueDate == b.valueDate && a.entryDate == b.entryDate
                && (a.reversal || b.reversal ? a.amount.magnitude == b.amount.magnitude : a.amount == b.amount)
        }
    }
    var opening: Balance?
    var closing: Balance?
    var available: Balance?
    var lines: [Line] = []

    var description: String {
        func b(_ x: Balance?) -> String { x.map { "\($0.date) \($0.amount)" } ?? "-" }
        return "open \(b(opening)) close \(b(closing)) avail \(b(available)) lines "
            + lines.map { "\($0.valueDate)/\($0.entryDate ?? "-") \($0.amount)" }.joined(separator: ", ")
    }

    /// Our statement unit's figures, signs applied from the marks (D and RC negative).
    /// `finalOnly` leaves out intermediate balances (:60M: :62M:), as WoLpH files them apart.
    init(statement: FormatKit.Node, finalOnly: Bool = false) {
        func balance(_ name: String) -> Balance? {
            guard let node = statement.child(name), let text = node["amount"], !(finalOnly && node["tag"]?.hasSuffix("M") == true),
                  let value = Amount.parse(text, decimalSeparator: UInt8(ascii: ",")) else { return nil }
            return Balance(date: node["date"]!, amount: node["mark"] == "D" ? -value : value)
        }
        opening = balance("openingBalance"); closing = balance("closingBalance"); available = balance("availableBalance")
        lines = statement.children(named: "line").map { line in
            let value = Amount.parse(line["amount"]!, decimalSeparator: UInt8(ascii: ","))!
            let debit = line["mark"] == "D" || line["mark"] == "RC"
            return Line(valueDate: line["valueDate"]!, entryDate: line["entryDate"], amount: debit ? -value : value,
                        reversal: line["mark"]!.hasPrefix("R"))
        }
    }

    init() {}

    /// A canonical statement record's figures (the mapping applied the signs).
    init(record: Statement) {
        opening = record.openingBalance.map { Balance(date: $0.date, amount: $0.amount) }
        closing = record.closingBalance.map { Balance(date: $0.date, amount: $0.amount) }
        lines = record.lines.map { Line(valueDate: $0.valueDate, entryDate: $0.entryDate, amount: $0.amount) }
    }

    /// Without the available balance (:64:), which the canonical statement has no field for.
    var withoutAvailable: Figures { var f = self; f.available = nil; return f }

    /// All statements of a file as one (lines in order, the last balance of each kind) — the
    /// shape of WoLpH/mt940's `Transactions` dump.
    static func flattened(_ all: [Figures]) -> Figures {
        var f = Figures()
        for s in all {
            f.opening = s.opening ?? f.opening; f.closing = s.closing ?? f.closing; f.available = s.available ?? f.available
            f.lines += s.lines
        }
        return f
    }
}

/// Loaders for the three expected-output shapes in the corpus.
enum ExpectedOutputs {
    /// svenstaro/mt940-rs: serde JSON of `Vec<Message>` (amounts unsigned strings, `Credit`/`Debit`/`Reverse…`).
    static func mt940rs(_ url: URL) throws -> [Figures] {
        let messages = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [[String: Any]]
        func balance(_ any: Any?) -> Figures.Balance? {
            guard let b = any as? [String: Any] else { return nil }
            let value = Amount(b["amount"] as! String)!
            return .init(date: b["date"] as! String, amount: b["debit_credit_indicator"] as! String == "Debit" ? -value : value)
        }
        return messages.map { m in
            var f = Figures()
            f.opening = balance(m["opening_balance"]); f.closing = balance(m["closing_balance"]); f.available = balance(m["closing_available_balance"])
            f.lines = (m["statement_lines"] as! [[String: Any]]).map { l in
                let value = Amount(l["amount"] as! String)!
                let mark = l["ext_debit_credit_indicator"] as! String
                return .init(valueDate: l["value_date"] as! String, entryDate: l["entry_date"] as? String,
                             amount: mark == "Debit" || mark == "ReverseCredit" ? -value : value, reversal: mark.hasPrefix("Reverse"))
            }
            return f
        }
    }

    /// webschik/mt940-js: JSON of its statements (amounts JSON numbers, `isCredit`, entry date "" when absent).
    static func mt940js(_ url: URL) throws -> [Figures] {
        let statements = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [[String: Any]]
        func amount(_ number: Any?, credit: Bool) -> Amount {
            let value = Amount((number as! NSNumber).stringValue)!
            return credit ? value : -value
        }
        func balance(_ any: Any?) -> Figures.Balance? {
            guard let b = any as? [String: Any] else { return nil }
            return .init(date: b["date"] as! String, amount: amount(b["value"], credit: b["isCredit"] as! Bool))
        }
        return statements.map { s in
            var f = Figures()
            f.opening = balance(s["openingBalance"]); f.closing = balance(s["closingBalance"]); f.available = balance(s["closingAvailableBalance"])
            f.lines = (s["transactions"] as! [[String: Any]]).map { t in
                let entry = t["entryDate"] as? String
                return .init(valueDate: t["valueDate"] as! String, entryDate: entry?.isEmpty == false ? entry : nil,
                             amount: amount(t["amount"], credit: t["isCredit"] as! Bool))
            }
            return f
        }
    }

    /// WoLpH/mt940: a PyYAML dump of `mt940.models.Transactions` (Python object tags, dates as
    /// 4 binary bytes yyyy-hi yyyy-lo mm dd, amounts as signed `decimal.Decimal`). One object
    /// for the whole file: every transaction, the balances of the last statement that had them.
    static func wolph(_ url: URL) throws -> Figures {
        // The dump refers back to its root from every transaction (`transactions: *id003`); drop those.
        let text = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("  transactions: *") }.joined(separator: "\n")
        let root = try XCTUnwrapNode(Yams.compose(yaml: text))
        func date(_ node: Yams.Node?) -> String? {
            guard let scalar = node?.sequence?.first?.scalar?.string,
                  let bytes = Data(base64Encoded: scalar.filter { !$0.isWhitespace }), bytes.count >= 4 else { return nil }
            let b = [UInt8](bytes)
            let pad = { (n: UInt8) in n < 10 ? "0\(n)" : "\(n)" }
            return "\(Int(b[0]) * 256 + Int(b[1]))-\(pad(b[2]))-\(pad(b[3]))"
        }
        func decimal(_ amount: Yams.Node?) -> Amount? {
            (amount?["amount"]?.sequence?.first?.scalar?.string).flatMap { Amount($0) }
        }
        func balance(_ node: Yams.Node?) -> Figures.Balance? {
            guard let node, let d = date(node["date"]), let a = decimal(node["amount"]) else { return nil }
            return .init(date: d, amount: a)
        }
        var f = Figures()
        let data = root["data"]
        f.opening = balance(data?["final_opening_balance"]); f.closing = balance(data?["final_closing_balance"])
        f.available = balance(data?["available_balance"])
        for t in root["transactions"]?.sequence ?? [] {
            let d = t["data"]
            f.lines.append(.init(valueDate: date(d?["date"]) ?? "?", entryDate: date(d?["entry_date"]), amount: decimal(d?["amount"]) ?? .zero,
                                 reversal: d?["status"]?.scalar?.string.hasPrefix("R") == true))
        }
        return f
    }

    private static func XCTUnwrapNode(_ node: Yams.Node?) throws -> Yams.Node {
        guard let node else { throw FormatError("test.yaml", "empty YAML") }
        return node
    }
}
