import Foundation
import XCTest
import Gateway

/// `make install` into a temp PREFIX, then the installed binary run from another folder with no
/// flags: it finds its mappings and schemas in PREFIX/share/dropgate, and names where it looked
/// when they are gone.
final class InstallTests: XCTestCase {
    func testTheInstalledBinaryWorksFromAnotherFolder() throws {
        guard ResourceLocator(executable: DropgateCLI.executable).pain001Schemas() != nil else {
            throw XCTSkip("make install needs the pain.001 schemas in .build/dropgate-schemas/pain001 (run make schemas)")
        }
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("dg-install-\(UUID().uuidString.prefix(8))").path
        let prefix = tmp + "/prefix", elsewhere = tmp + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let bin = (DropgateCLI.executable as NSString).deletingLastPathComponent
        let make = try DropgateCLI.run(["-C", packageRoot, "install", "PREFIX=" + prefix, "BIN_DIR=" + bin], executable: "/usr/bin/make")
        XCTAssertEqual(make.status, 0, make.stdout + make.stderr)
        let share = prefix + "/share/dropgate"
        for p in ["/bin/dropgate", "/share/dropgate/mappings/mt940/statement.yaml", "/share/dropgate/schemas/pain001/pain.001.001.09.xsd",
                  "/share/dropgate/docs/CANONICAL.md", "/share/dropgate/samples/records/payments.jsonl"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: prefix + p), p)
        }
        let dropgate = prefix + "/bin/dropgate"
        let env: [String: String?] = ["DROPGATE_HOME": nil]

        let version = try DropgateCLI.run(["--version"], in: elsewhere, executable: dropgate, environment: env)
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.stdout.hasPrefix("dropgate \(VersionInfo.number) (commit "), version.stdout)
        XCTAssertTrue(version.stdout.contains("mappings: \(share)/mappings"), version.stdout)
        XCTAssertTrue(version.stdout.contains("  pain001 "), version.stdout)

        let translate = try DropgateCLI.run(["translate", share + "/samples/acme-bank/mt940/statement-2026-11-21.sta"], in: elsewhere,
                                            executable: dropgate, environment: env)
        XCTAssertEqual(translate.status, 0, translate.stderr)
        XCTAssertTrue(translate.stdout.contains("\"type\":\"statement\""), translate.stdout)

        let emit = try DropgateCLI.run(["emit", "--format", "pain001", "-o", "payments.xml", share + "/samples/records/payments.jsonl"], in: elsewhere,
                                       executable: dropgate, environment: env)
        XCTAssertEqual(emit.status, 0, emit.stderr)
        let xml = try String(contentsOfFile: elsewhere + "/payments.xml", encoding: .utf8)
        XCTAssertTrue(xml.contains("urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"), xml)

        // Without its mappings the error says where it looked.
        try FileManager.default.moveItem(atPath: share + "/mappings", toPath: tmp + "/moved-mappings")
        let lost = try DropgateCLI.run(["translate", share + "/samples/acme-bank/mt940/statement-2026-11-21.sta"], in: elsewhere,
                                       executable: dropgate, environment: env)
        XCTAssertEqual(lost.status, 78)
        XCTAssertTrue(lost.stderr.contains("no mappings folder found; looked in: "), lost.stderr)
        XCTAssertTrue(lost.stderr.contains("\(share)/mappings (the installed share folder)"), lost.stderr)
        // DROPGATE_HOME points at another home.
        let home = tmp + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: tmp + "/moved-mappings", toPath: home + "/mappings")
        let viaHome = try DropgateCLI.run(["translate", share + "/samples/acme-bank/mt940/statement-2026-11-21.sta"], in: elsewhere,
                                          executable: dropgate, environment: ["DROPGATE_HOME": home])
        XCTAssertEqual(viaHome.status, 0, viaHome.stderr)
    }
}
