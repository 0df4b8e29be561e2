import FormatKit
import XMLSupport

/// The platform's answer files (Turnkey download folders).
public enum ResultFileKind: String, Sendable {
    /// One answer per uploaded message: `Result/Info` items with a code, description and parameters.
    case processResult = "ProcessResult"
    /// The day's totals per message type, with the good and failed invoices listed.
    case summaryResult = "SummaryResult"

    init?(namespace: String) {
        switch namespace {
        case "urn:GEINV:ProcessResult:3.0": self = .processResult
        case "urn:GEINV:SummaryResult:3.0": self = .summaryResult
        default: return nil
        }
    }
}

/// Makes one unit per invoice a result file speaks about, for the `acknowledgment` mapping:
/// `Result` = `process` or `summary`, `MessageType`, `MessageId`, `InvoiceNumber`, `InvoiceDate?`,
/// `Status` (`accepted` | `rejected`, decided here) and `Error` children {Code, Message}.
///
/// ProcessResult: an `Info` whose `Code` is `0`/`00000` reports success; any other code is an error.
/// The invoice number is the first `Parameter0…4` shaped like one (two letters, eight digits).
/// SummaryResult: invoices under `Good` are accepted, under `Failed` rejected (the schema's own
/// spelling `Invocie` is read, and `Invoice` too).
enum ResultUnits {
    static let successCodes: Set<String> = ["0", "00000"]

    static func make(_ tree: Node, kind: ResultFileKind) -> [Node] {
        kind == .processResult ? process(tree) : summary(tree)
    }

    private static func process(_ tree: Node) -> [Node] {
        let info = tree.child("MessageInfo")
        var byInvoice: [(number: String, line: Int, errors: [Node])] = []
        for item in tree.child("Result")?.children(named: "Info") ?? [] {
            let number = (0...4).compactMap { item["Parameter\($0)"] }.first(where: InvoiceNumber.isValid) ?? ""
            let code = item["Code"] ?? ""
            var errors = [Node]()
            if !successCodes.contains(code) {
                errors.append(Node("Error", children: [Node("Code", value: code), Node("Message", value: item["Description"] ?? "")]))
            }
            if let i = byInvoice.firstIndex(where: { $0.number == number }) {
                byInvoice[i].errors += errors
            } else {
                byInvoice.append((number, item.line, errors))
            }
        }
        return byInvoice.map { entry in
            var unit = Node("ProcessResultItem", line: entry.line)
            unit.append("Result", "process")
            unit.append("MessageType", info?["MessageType"])
            unit.append("MessageId", info?["Id"])
            unit.append("InvoiceNumber", entry.number)
            unit.append("Status", entry.errors.isEmpty ? "accepted" : "rejected")
            entry.errors.forEach { unit.append($0) }
            return unit
        }
    }

    private static func summary(_ tree: Node) -> [Node] {
        var units = [Node]()
        for message in tree.child("DetailList")?.children(named: "Message") ?? [] {
            let info = message.child("Info")
            for (group, status) in [("Good", "accepted"), ("Failed", "rejected")] {
                let invoices = message.child("Result")?.child(group)?.child("Invoices")
                for invoice in invoices?.children.filter({ $0.name == "Invocie" || $0.name == "Invoice" }) ?? [] {
                    var unit = Node("SummaryResultItem", line: invoice.line)
                    unit.append("Result", "summary")
                    unit.append("MessageType", info?["MessageType"])
                    unit.append("MessageId", info?["Id"])
                    unit.append("InvoiceNumber", invoice["ReferenceNumber"])
                    unit.append("InvoiceDate", invoice["InvoiceDate"])
                    unit.append("Status", status)
                    if status == "rejected" {
                        unit.append(Node("Error", children: [Node("Code", value: "failed"), Node("Message", value: "listed as failed in the SummaryResult for \(info?["MessageType"] ?? "?")")]))
                    }
                    units.append(unit)
                }
            }
        }
        return units
    }

    /// The counts per message type a SummaryResult states (Total, Good, Failed), for the
    /// missed-upload check: compare them with what was sent that day.
    static func counts(_ tree: Node) -> [String: SummaryCounts] {
        var out = [String: SummaryCounts]()
        for message in tree.child("DetailList")?.children(named: "Message") ?? [] {
            guard let type = message.child("Info")?["MessageType"], let result = message.child("Result") else { continue }
            func count(_ name: String) -> Int { Int(result.child(name)?["Count"] ?? "") ?? 0 }
            out[type, default: SummaryCounts()].add(SummaryCounts(total: count("Total"), good: count("Good"), failed: count("Failed")))
        }
        return out
    }
}

/// Totals of one message type in a SummaryResult.
public struct SummaryCounts: Sendable, Equatable {
    public var total = 0, good = 0, failed = 0
    public init(total: Int = 0, good: Int = 0, failed: Int = 0) { self.total = total; self.good = good; self.failed = failed }
    mutating func add(_ o: SummaryCounts) { total += o.total; good += o.good; failed += o.failed }
}

/// The missed-upload check the platform asks for: a SummaryResult's counts per message type
/// compared with what was sent that day.
public enum SummaryResultCheck {
    /// The counts per message type stated in a SummaryResult file.
    public static func counts(_ input: ByteReader) throws -> [String: SummaryCounts] {
        let doc = try XMLDocument(bytes: try input.readAll(), name: input.name, limits: .default)
        guard ResultFileKind(namespace: doc.rootNamespace ?? "") == .summaryResult else {
            throw FormatError("tw-einvoice.not-summary", "\(input.name) is not a SummaryResult")
        }
        return ResultUnits.counts(doc.tree())
    }

    /// One sentence per message type whose stated total differs from the number sent; empty when all agree.
    public static func discrepancies(stated: [String: SummaryCounts], sent: [String: Int]) -> [String] {
        Set(stated.keys).union(sent.keys).sorted().compactMap { type in
            let platform = stated[type]?.total ?? 0, ours = sent[type] ?? 0
            return platform == ours ? nil : "\(type): the platform counted \(platform), we sent \(ours)"
        }
    }
}
