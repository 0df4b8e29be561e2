import Foundation
import XCTest
import TestSupport
@testable import Transport

final class SFTPPushTests: XCTestCase {
    var sshd: TestSSHD!
    var remoteOut: String { sshd.remoteRoot + "/out" }

    override func setUpWithError() throws {
        sshd = try TestSSHD()
        try FileManager.default.createDirectory(atPath: remoteOut, withIntermediateDirectories: true)
    }

    override func tearDown() {
        sshd.stop()
    }

    func testPushUploadsUnderATemporaryNameRenamesAndNeverRepeats() async throws {
        let local = sshd.folder + "/pain001.xml"
        let content = try writeRandomFile(local, size: 300_000)
        let store = RecordingStore(inner: SFTPClient(settings: sshd.settings()))
        let pusher = SFTPPusher(store: store, settings: PushSettings(remoteDirectory: remoteOut))

        let outcome = try await pusher.push(local, as: "pain001.xml") { false }
        XCTAssertEqual(outcome, .delivered(bytes: 300_000))
        XCTAssertEqual(store.calls, ["list \(remoteOut)",
                                     "upload \(remoteOut)/.dropgate-pain001.xml.part",
                                     "rename \(remoteOut)/.dropgate-pain001.xml.part → \(remoteOut)/pain001.xml"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: remoteOut), ["pain001.xml"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: remoteOut + "/pain001.xml")), content)

        // A crash after the rename but before the ledger update: the ledger says "not yet",
        // the remote listing says "already there" — no second upload.
        store.reset()
        let again = try await pusher.push(local, as: "pain001.xml") { false }
        XCTAssertEqual(again, .alreadyDelivered(reason: "the server already has pain001.xml with 300000 bytes"))
        XCTAssertEqual(store.calls, ["list \(remoteOut)"])

        store.reset()
        let ledgerKnows = try await pusher.push(local, as: "pain001.xml") { true }
        XCTAssertEqual(ledgerKnows, .alreadyDelivered(reason: "the ledger marks it delivered"))
        XCTAssertEqual(store.calls, [])
    }

    func testPushRefusesToOverwriteADifferentRemoteFile() async throws {
        let local = sshd.folder + "/pay.txt"
        try writeRandomFile(local, size: 100)
        try writeRandomFile(remoteOut + "/pay.txt", size: 50)
        let pusher = SFTPPusher(store: SFTPClient(settings: sshd.settings()), settings: PushSettings(remoteDirectory: remoteOut))
        do {
            _ = try await pusher.push(local, as: "pay.txt") { false }
            XCTFail("a different file of the same name must not be overwritten")
        } catch let error as SFTPError {
            guard case .conflict = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: remoteOut + "/pay.txt")).count, 50)
    }

    func testDirectWriteModeWritesTheFinalNameWithoutRename() async throws {
        let local = sshd.folder + "/inv.xml"
        let content = try writeRandomFile(local, size: 1_000)
        let store = RecordingStore(inner: SFTPClient(settings: sshd.settings()))
        let pusher = SFTPPusher(store: store, settings: PushSettings(remoteDirectory: remoteOut, uploadUnderTemporaryName: false))
        let outcome = try await pusher.push(local, as: "inv.xml") { false }
        XCTAssertEqual(outcome, .delivered(bytes: 1_000))
        XCTAssertEqual(store.calls, ["list \(remoteOut)", "upload \(remoteOut)/inv.xml"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: remoteOut + "/inv.xml")), content)
    }
}

/// Records each call (operation and paths) before passing it to the real client.
final class RecordingStore: RemoteFileStore, @unchecked Sendable {
    let inner: SFTPClient
    private let log = LockedList()
    private var offset = 0
    var calls: [String] { Array(log.items.dropFirst(offset)) }
    func reset() { offset = log.items.count }

    init(inner: SFTPClient) { self.inner = inner }

    func list(_ directory: String) throws -> [RemoteEntry] {
        log.append("list \(directory)"); return try inner.list(directory)
    }
    func download(_ remotePath: String, to localPath: String, progress: ((Int64) -> Void)?) throws -> Int64 {
        log.append("download \(remotePath)"); return try inner.download(remotePath, to: localPath, progress: progress)
    }
    func upload(_ localPath: String, to remotePath: String) throws -> Int64 {
        log.append("upload \(remotePath)"); return try inner.upload(localPath, to: remotePath)
    }
    func rename(_ from: String, to: String) throws { log.append("rename \(from) → \(to)"); try inner.rename(from, to: to) }
    func remove(_ path: String) throws { log.append("remove \(path)"); try inner.remove(path) }
    func makeDirectory(_ path: String) throws { log.append("mkdir \(path)"); try inner.makeDirectory(path) }
    func exists(_ path: String) throws -> Bool { log.append("exists \(path)"); return try inner.exists(path) }
}
