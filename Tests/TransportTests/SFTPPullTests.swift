import Foundation
import XCTest
import TestSupport
@testable import Transport

final class SFTPPullTests: XCTestCase {
    var sshd: TestSSHD!
    var inbox: String!
    var remoteIn: String { sshd.remoteRoot + "/in" }

    override func setUpWithError() throws {
        sshd = try TestSSHD()
        inbox = sshd.folder + "/inbox"
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: remoteIn, withIntermediateDirectories: true)
    }

    override func tearDown() {
        sshd.stop()
    }

    /// A clock one hour after now, so real remote mtimes are old enough.
    private func lateClock() -> ManualTime { ManualTime(Date() + 3600) }

    private func inboxNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: inbox).sorted()
    }

    func testOnlyStableFilesAreTakenAndAGrowingFileWaits() async throws {
        try writeRandomFile(inbox + "/.dropgate-crashed.csv.part", size: 10)  // left by a crashed run
        let stable = try writeRandomFile(remoteIn + "/stable.csv", size: 5_000)
        try writeRandomFile(remoteIn + "/growing.csv", size: 1_000)
        let puller = SFTPPuller(store: SFTPClient(settings: sshd.settings()),
                                settings: PullSettings(remoteDirectory: remoteIn, inbox: inbox, minimumAge: 60),
                                clock: lateClock())
        let first = try await puller.poll { _ in true }
        XCTAssertEqual(first.waiting, ["growing.csv", "stable.csv"], "first sight: nothing is known to be stable")
        XCTAssertEqual(try inboxNames(), [], "the crashed run's partial file is removed")

        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: remoteIn + "/growing.csv"))
        handle.seekToEndOfFile()
        handle.write(Data(repeating: 65, count: 700))
        try handle.close()

        let second = try await puller.poll { _ in true }
        XCTAssertEqual(second.taken, ["stable.csv"])
        XCTAssertEqual(second.waiting, ["growing.csv"], "size changed since the last poll")
        XCTAssertEqual(try inboxNames(), ["stable.csv"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: inbox + "/stable.csv")), stable)
        XCTAssertFalse(FileManager.default.fileExists(atPath: remoteIn + "/stable.csv"), "deleted after commit")

        let third = try await puller.poll { _ in true }
        XCTAssertEqual(third.taken, ["growing.csv"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: inbox + "/growing.csv")).count, 1_700)
    }

    func testAFileYoungerThanTheMinimumAgeWaits() async throws {
        try writeRandomFile(remoteIn + "/young.csv", size: 10)
        let clock = ManualTime(Date())
        let puller = SFTPPuller(store: SFTPClient(settings: sshd.settings()),
                                settings: PullSettings(remoteDirectory: remoteIn, inbox: inbox, minimumAge: 600),
                                clock: clock)
        _ = try await puller.poll { _ in true }
        let second = try await puller.poll { _ in true }
        XCTAssertEqual(second.waiting, ["young.csv"])
        clock.advance(by: 601)
        let third = try await puller.poll { _ in true }
        XCTAssertEqual(third.taken, ["young.csv"])
    }

    func testRemoteFileStaysUntilCommittedThenMovesToArchive() async throws {
        let content = try writeRandomFile(remoteIn + "/stmt.940", size: 2_000)
        try "".write(toFile: remoteIn + "/stmt.940.done", atomically: true, encoding: .utf8)
        let archive = sshd.remoteRoot + "/archive"
        try FileManager.default.createDirectory(atPath: archive, withIntermediateDirectories: true)
        try "yesterday's".write(toFile: archive + "/stmt.940", atomically: true, encoding: .utf8)
        let clock = ManualTime(Date(timeIntervalSince1970: 1_795_240_800))  // 2026-11-21 06:00 UTC
        let puller = SFTPPuller(store: SFTPClient(settings: sshd.settings()),
                                settings: PullSettings(remoteDirectory: remoteIn, inbox: inbox, minimumAge: 3600,
                                                       doneFileSuffix: ".done", afterCommit: .moveTo(archive)),
                                clock: clock)
        let refused = try await puller.poll { _ in false }
        XCTAssertEqual(refused.notCommitted, ["stmt.940"], "done-file present: taken at once, but the ledger said no")
        XCTAssertTrue(FileManager.default.fileExists(atPath: remoteIn + "/stmt.940"), "no commit, no remote move")
        XCTAssertEqual(try inboxNames(), ["stmt.940"])

        let committed = LockedList()
        let accepted = try await puller.poll { file in committed.append(file.localPath); return true }
        XCTAssertEqual(accepted.taken, ["stmt.940"])
        XCTAssertEqual(committed.items, [inbox + "/stmt.940"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: remoteIn + "/stmt.940"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: remoteIn + "/stmt.940.done"))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: archive + "/stmt.940.20261121T060000Z")), content,
                       "an archived name already taken gets a time stamp")
        XCTAssertEqual(try String(contentsOfFile: archive + "/stmt.940", encoding: .utf8), "yesterday's")
    }

    func testSFTPServerKilledMidTransferIsRetriedIntoACompleteFileNeverATruncatedOne() async throws {
        let content = try writeRandomFile(remoteIn + "/big.xml", size: 24 * 1024 * 1024)
        try "".write(toFile: remoteIn + "/big.xml.done", atomically: true, encoding: .utf8)
        let store = KillOnFirstChunk(inner: SFTPClient(settings: sshd.settings()), sshd: sshd)
        let clock = ManualTime(Date())
        let puller = SFTPPuller(store: store,
                                settings: PullSettings(remoteDirectory: remoteIn, inbox: inbox, doneFileSuffix: ".done"),
                                clock: clock)
        let broken = try await puller.poll { _ in true }
        XCTAssertEqual(Array(broken.failed.keys), ["big.xml"])
        XCTAssertTrue(store.killed)
        XCTAssertEqual(try inboxNames(), [], "neither the final name nor a partial temporary file")

        var retry = RetryState(now: clock.now)
        retry.recordFailure(broken.failed["big.xml"]!, at: clock.now, policy: RetryPolicy(), spread: 0)
        XCTAssertFalse(retry.isDue(at: clock.now))
        clock.advance(by: 1)
        XCTAssertTrue(retry.isDue(at: clock.now))

        try sshd.start()
        let retried = try await puller.poll { _ in true }
        XCTAssertEqual(retried.taken, ["big.xml"])
        XCTAssertEqual(try inboxNames(), ["big.xml"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: inbox + "/big.xml")), content)
    }

    func testCheckReportsHostKeyAndWhatItWouldTake() throws {
        try writeRandomFile(remoteIn + "/old.csv", size: 10)
        try writeRandomFile(remoteIn + "/.partial", size: 10)
        let lines = SFTPCheck.run(sshd.settings(), pull: PullSettings(remoteDirectory: remoteIn, inbox: inbox, minimumAge: 60),
                                  clock: lateClock())
        let text = lines.joined(separator: "\n")
        let fingerprint = try TestSSHD.shell("/usr/bin/ssh-keygen", ["-lf", sshd.hostKeyPublic]).split(separator: " ")[1]
        XCTAssertTrue(text.contains("host key \(fingerprint) verified"), text)
        XCTAssertTrue(text.contains("take old.csv (10 bytes"), text)
        XCTAssertTrue(text.contains("skip .partial"), text)
        XCTAssertFalse(text.contains("FAILED"), text)
        XCTAssertTrue(FileManager.default.fileExists(atPath: remoteIn + "/old.csv"), "a check never takes anything")
    }
}

/// Passes every call to the real client, but kills the sshd after the first downloaded chunk
/// of the first download.
final class KillOnFirstChunk: RemoteFileStore, @unchecked Sendable {
    let inner: SFTPClient
    let sshd: TestSSHD
    private(set) var killed = false

    init(inner: SFTPClient, sshd: TestSSHD) {
        self.inner = inner
        self.sshd = sshd
    }

    func download(_ remotePath: String, to localPath: String, progress: ((Int64) -> Void)?) throws -> Int64 {
        try inner.download(remotePath, to: localPath) { [self] _ in
            if !killed { killed = true; sshd.kill() }
        }
    }

    func list(_ directory: String) throws -> [RemoteEntry] { try inner.list(directory) }
    func upload(_ localPath: String, to remotePath: String) throws -> Int64 { try inner.upload(localPath, to: remotePath) }
    func rename(_ from: String, to: String) throws { try inner.rename(from, to: to) }
    func remove(_ path: String) throws { try inner.remove(path) }
    func makeDirectory(_ path: String) throws { try inner.makeDirectory(path) }
    func exists(_ path: String) throws -> Bool { try inner.exists(path) }
}

/// A thread-safe list for closures marked @Sendable.
final class LockedList: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    var items: [String] { lock.withLock { storage } }
    func append(_ item: String) { lock.withLock { storage.append(item) } }
}
