import Foundation
import Events
import Transport
import Yams

/// `events:` of gateway.yaml (docs/EVENTS.md).
extension ConfigReader {
    mutating func events(_ node: Yams.Node, root: String) -> EventsConfig {
        func abs(_ p: String) -> String { p.hasPrefix("/") ? p : root + "/" + p }
        unknownKeys(node, ["rabbitmq", "webhooks", "node", "retry", "breaker", "keep"], at: "events")
        var config = EventsConfig()
        if let n = node["node"]?.string { config.node = n }
        if let k = node["keep"]?.string {
            if k == "forever" { config.keep = nil } else if let d = duration(k), d > 0 { config.keep = d } else { problems.append("events.keep: a duration (7d, 12h …) or forever") }
        }
        if let r = node["rabbitmq"] {
            unknownKeys(r, ["url", "urlFile", "exchange", "deadLetterExchange"], at: "events.rabbitmq")
            var url: EventsConfig.URLSource?
            switch (r["url"]?.string, r["urlFile"]?.string) {
            case (let u?, nil):
                if let problem = EventsConfig.plainCredentials(in: u) { problems.append("events.rabbitmq.url: \(problem)") }
                url = .text(u)
            case (nil, let f?): url = .file(abs(f))
            case (.some, .some): problems.append("events.rabbitmq: give url or urlFile, not both")
            case (nil, nil): problems.append("events.rabbitmq: needs url (amqp://host:port/) or urlFile")
            }
            if let url {
                var rabbit = EventsConfig.RabbitMQ(url: url)
                if let e = r["exchange"]?.string { rabbit.exchange = e }
                if let e = r["deadLetterExchange"]?.string { rabbit.deadLetterExchange = e }
                config.rabbitmq = rabbit
            }
        }
        for (i, w) in (node["webhooks"]?.sequence ?? []).enumerated() {
            let at = "events.webhooks[\(i)]"
            unknownKeys(w, ["url", "secretFile", "secretEnv", "secret", "types"], at: at)
            guard let url = w["url"]?.string, let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? "") else {
                problems.append("\(at).url: missing or not an http(s) URL"); continue
            }
            var secret: SecretSource?
            switch (w["secretFile"]?.string, w["secretEnv"]?.string, w["secret"]?.string) {
            case (let f?, nil, nil): secret = .file(abs(f))
            case (nil, let e?, nil): secret = .environment(e)
            case (nil, nil, let s?):
                // Only as a reference: `secret: ${WEBHOOK_SECRET}`.
                if s.hasPrefix("${") && s.hasSuffix("}") && s.count > 3 { secret = .environment(String(s.dropFirst(2).dropLast())) }
                else { problems.append("\(at).secret: never written in gateway.yaml; use secretFile, secretEnv or secret: ${ENV_NAME}") }
            case (nil, nil, nil): problems.append("\(at): needs secretFile or secretEnv (the HMAC key)")
            default: problems.append("\(at): give one of secretFile, secretEnv, secret")
            }
            let types = w["types"]?.sequence?.compactMap(\.string) ?? w["types"]?.string.map { [$0] } ?? ["*"]
            if let secret { config.webhooks.append(EventsConfig.Webhook(url: url, secret: secret, types: types)) }
        }
        if let r = node["retry"] {
            unknownKeys(r, ["firstDelay", "maxDelay", "maxAttempts"], at: "events.retry")
            if let v = r["firstDelay"] { if let d = duration(v.string) { config.retry.firstDelay = d } else { problems.append("events.retry.firstDelay: not a duration") } }
            if let v = r["maxDelay"] { if let d = duration(v.string) { config.retry.maxDelay = d } else { problems.append("events.retry.maxDelay: not a duration") } }
            if let v = r["maxAttempts"] { if let n = v.int, n > 0 { config.retry.maxAttempts = n } else { problems.append("events.retry.maxAttempts: not a positive count") } }
        }
        if let b = node["breaker"] {
            unknownKeys(b, ["failures", "openFor"], at: "events.breaker")
            if let v = b["failures"] { if let n = v.int, n > 0 { config.breaker.failureThreshold = n } else { problems.append("events.breaker.failures: not a positive count") } }
            if let v = b["openFor"] { if let d = duration(v.string) { config.breaker.openDuration = d } else { problems.append("events.breaker.openFor: not a duration") } }
        }
        if config.rabbitmq == nil && config.webhooks.isEmpty { problems.append("events: needs rabbitmq or webhooks") }
        return config
    }

    /// A channel's `source: { rabbitmq: { queue: NAME } }`.
    mutating func queueSource(_ node: Yams.Node, broker: Bool, at: String) -> String? {
        unknownKeys(node, ["rabbitmq"], at: at)
        unknownKeys(node["rabbitmq"], ["queue"], at: at + ".rabbitmq")
        guard let queue = node["rabbitmq"]?["queue"]?.string, !queue.isEmpty else { problems.append("\(at).rabbitmq.queue: missing"); return nil }
        if !broker { problems.append("\(at): a queue channel needs events.rabbitmq (the broker's url)") }
        return queue
    }
}
