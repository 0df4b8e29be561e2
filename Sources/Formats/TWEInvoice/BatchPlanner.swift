import Foundation
import Canonical

/// One queued outbound message as the planner sees it.
public struct PlannedMessage: Sendable, Hashable {
    /// The document's own number (invoice or allowance number; for a cancel or void, the cancelled number).
    public var number: String
    public var kind: Invoice.Kind
    /// For void, cancel and allowance: the number of the document it refers to.
    public var references: String?
    /// The message code (`F0401`), which decides the upload folder.
    public var message: String

    public init(number: String, kind: Invoice.Kind, references: String? = nil, message: String) {
        self.number = number; self.kind = kind; self.references = references; self.message = message
    }

    /// Issuing kinds create a number others can refer to.
    var issues: Bool { kind == .invoice || kind == .allowance || kind == .creditNote }
}

/// Orders queued messages and cuts them into releases of at most `maxPerBatch` (default 5,000),
/// released only while the upload window is open and only after the upload client has taken the
/// previous release out of its SRC folder.
public struct BatchPlanner: Sendable {
    public var maxPerBatch: Int
    public var window: UploadWindow

    public init(maxPerBatch: Int = 5000, window: UploadWindow = UploadWindow()) {
        precondition(maxPerBatch > 0, "a batch holds at least one message")
        self.maxPerBatch = maxPerBatch; self.window = window
    }

    /// Queue order, except that a message referring to a document queued after it (a cancel, void
    /// or allowance before its invoice; an allowance cancel before its allowance) waits until right
    /// after that document. A referenced document not in the queue was sent earlier.
    public func order(_ queue: [PlannedMessage]) -> [PlannedMessage] {
        var issuedLater = [String: Int]()
        for m in queue where m.issues { issuedLater[m.number, default: 0] += 1 }
        var waiting = [String: [PlannedMessage]]()
        var out = [PlannedMessage]()
        out.reserveCapacity(queue.count)
        func place(_ m: PlannedMessage) {
            out.append(m)
            guard m.issues else { return }
            issuedLater[m.number, default: 1] -= 1
            for follower in waiting.removeValue(forKey: m.number) ?? [] { place(follower) }
        }
        for m in queue {
            if let ref = m.references, ref != m.number || !m.issues, (issuedLater[ref] ?? 0) > 0 {
                waiting[ref, default: []].append(m)
            } else {
                place(m)
            }
        }
        return out
    }

    /// The ordered queue cut into batches of at most `maxPerBatch`.
    public func batches(_ queue: [PlannedMessage]) -> [[PlannedMessage]] {
        let ordered = order(queue)
        return stride(from: 0, to: ordered.count, by: maxPerBatch).map { Array(ordered[$0..<min($0 + maxPerBatch, ordered.count)]) }
    }

    /// What to release now: the first batch of the queue when the window is open at `now` and the
    /// previous release has been taken (`previousTaken`); otherwise nothing.
    public func release(_ queue: [PlannedMessage], at now: Date, previousTaken: Bool) -> [PlannedMessage] {
        guard previousTaken, window.isOpen(at: now) else { return [] }
        return batches(queue).first ?? []
    }
}
