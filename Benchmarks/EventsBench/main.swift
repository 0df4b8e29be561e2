// Events to RabbitMQ with publisher confirms: writes COUNT record events into a fresh ledger's
// outbox (as translations commit them), then times the relay publishing them all (persistent
// messages, routed to a durable queue, every batch confirmed). Used by Benchmarks/events.sh.
//   events-bench AMQP_URL COUNT
import Foundation
import Events
import Ledger
import Logging

let arguments = CommandLine.arguments
guard arguments.count == 3, let count = Int(arguments[2]), count > 0 else {
    FileHandle.standardError.write(Data("usage: events-bench AMQP_URL COUNT\n".utf8))
    exit(2)
}
let url = arguments[1]
let folder = NSTemporaryDirectory() + "dropgate-events-bench-" + UUID().uuidString
defer { try? FileManager.default.removeItem(atPath: folder) }
let ledger = try Ledger(path: folder + "/ledger.sqlite")
var config = EventsConfig()
config.node = "bench"
config.rabbitmq = EventsConfig.RabbitMQ(url: .text(url))
var logger = Logger(label: "bench")
logger.logLevel = .warning
let relay = EventRelay(config: config, ledger: ledger, logger: logger)

// A durable queue bound to every event, so that each message is routed and stored.
let setup = try AMQPConnection(try AMQPAddress(url))
try setup.declareExchange(config.rabbitmq!.exchange)
try setup.declareQueue("bench.all", bindTo: config.rabbitmq!.exchange, key: "#")
setup.close()

let perFile = 1000
var written = 0
let t0 = Date()
while written < count {
    let n = min(perFile, count - written)
    let f = try ledger.receive(partner: "bank", channel: "payments", name: "f\(written).csv", workPath: folder + "/w\(written)", size: 1)
    try ledger.commitTranslation(f.id!) { sink in
        for i in 0..<n {
            let id = "E2E-\(written + i)"
            try sink.insert(id: id, type: "payment", json: "{\"type\":\"payment\",\"id\":\"\(id)\",\"amount\":\"\(written + i).00\",\"currency\":\"EUR\",\"debtor\":{\"name\":\"Acme\"},\"creditor\":{\"name\":\"Creditor \(i)\"}}")
        }
        return "csv"
    }
    written += n
}
let writeTime = Date().timeIntervalSince(t0)
let events = try OutboxStore(ledger: ledger).count()

let t1 = Date()
while try !relay.caughtUp() {
    if try !relay.turn() { Thread.sleep(forTimeInterval: 0.01) }
}
let publishTime = Date().timeIntervalSince(t1)
print("outbox: \(events) events written with their records in \(String(format: "%.2f", writeTime)) s (\(Int(writeTime * 1_000_000 / TimeInterval(events))) µs per event, records included)")
print("rabbitmq: \(events) events published with confirms (persistent, durable queue) in \(String(format: "%.2f", publishTime)) s = \(Int(TimeInterval(events) / publishTime)) events/s (target >= 10000)")
