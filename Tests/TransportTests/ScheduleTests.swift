import Foundation
import XCTest
import TestSupport
@testable import Transport

final class ScheduleTests: XCTestCase {
    let berlin = TimeZone(identifier: "Europe/Berlin")!

    /// A local wall-clock time in `zone` as a Date.
    func at(_ text: String, _ zone: TimeZone) -> Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.date(from: text)!
    }

    func testWeekdayMorningCronSkipsTheWeekendInItsTimeZone() throws {
        let cron = try CronSchedule("0 6 * * 1-5", timeZone: berlin)
        // 2026-11-20 is a Friday.
        XCTAssertEqual(cron.nextRun(after: at("2026-11-20 05:59", berlin)), at("2026-11-20 06:00", berlin))
        XCTAssertEqual(cron.nextRun(after: at("2026-11-20 06:00", berlin)), at("2026-11-23 06:00", berlin))
        let newYork = try CronSchedule("0 6 * * 1-5", timeZone: TimeZone(identifier: "America/New_York")!)
        XCTAssertEqual(newYork.nextRun(after: at("2026-11-20 07:00", berlin)), at("2026-11-20 12:00", berlin))
    }

    func testStepsListsAndTheDaylightSavingGap() throws {
        let quarter = try CronSchedule("*/15 9-10 * * *", timeZone: berlin)
        XCTAssertEqual(quarter.nextRun(after: at("2026-11-20 09:16", berlin)), at("2026-11-20 09:30", berlin))
        XCTAssertEqual(quarter.nextRun(after: at("2026-11-20 10:45", berlin)), at("2026-11-21 09:00", berlin))
        // 02:30 does not exist in Berlin on 2026-03-29 (clocks jump from 02:00 to 03:00).
        let night = try CronSchedule("30 2 * * *", timeZone: berlin)
        XCTAssertEqual(night.nextRun(after: at("2026-03-28 03:00", berlin)), at("2026-03-30 02:30", berlin))
        let either = try CronSchedule("0 12 1 * 0", timeZone: berlin)  // the 1st OR a Sunday
        XCTAssertEqual(either.nextRun(after: at("2026-11-20 13:00", berlin)), at("2026-11-22 12:00", berlin))
        XCTAssertEqual(either.nextRun(after: at("2026-11-29 13:00", berlin)), at("2026-12-01 12:00", berlin))
    }

    func testInvalidCronNamesTheField() {
        XCTAssertThrowsError(try CronSchedule("0 25 * * *", timeZone: berlin)) { error in
            XCTAssertTrue(String(describing: error).contains("hour field \"25\""), "\(error)")
        }
        XCTAssertThrowsError(try CronSchedule("0 6 * *", timeZone: berlin))
    }

    func testIntervalStaysOnItsGrid() {
        let interval = IntervalSchedule(every: 300, anchor: Date(timeIntervalSince1970: 0))
        XCTAssertEqual(interval.nextRun(after: Date(timeIntervalSince1970: 301)), Date(timeIntervalSince1970: 600))
        XCTAssertEqual(interval.nextRun(after: Date(timeIntervalSince1970: 600)), Date(timeIntervalSince1970: 900))
    }

    func testWindowCrossingMidnight() throws {
        let window = try TimeWindow(start: "22:00", end: "04:00", timeZone: berlin)
        XCTAssertTrue(window.crossesMidnight)
        XCTAssertTrue(window.contains(at("2026-11-20 23:30", berlin)))
        XCTAssertTrue(window.contains(at("2026-11-21 03:59", berlin)))
        XCTAssertFalse(window.contains(at("2026-11-21 04:00", berlin)))
        XCTAssertFalse(window.contains(at("2026-11-21 12:00", berlin)))
        XCTAssertEqual(window.nextOpening(atOrAfter: at("2026-11-21 12:00", berlin)), at("2026-11-21 22:00", berlin))
        XCTAssertEqual(window.nextOpening(atOrAfter: at("2026-11-21 01:00", berlin)), at("2026-11-21 01:00", berlin))
        XCTAssertThrowsError(try TimeWindow(start: "22:00", end: "24:30", timeZone: berlin))
    }

    func testPaymentCutoffMovesLateFilesToTheNextBusinessDay() throws {
        let cutoff = try PaymentCutoff(cutoff: "14:00", timeZone: berlin, holidays: ["2026-11-23", "2026-12-25"])
        // Thursday before the cutoff: same day; at the cutoff: Friday.
        XCTAssertEqual(cutoff.processingDay(forFileAt: at("2026-11-19 13:59", berlin)), LocalDate("2026-11-19"))
        XCTAssertEqual(cutoff.processingDay(forFileAt: at("2026-11-19 14:00", berlin)), LocalDate("2026-11-20"))
        // Friday after the cutoff: Monday the 23rd is the partner's holiday, so Tuesday.
        XCTAssertEqual(cutoff.processingDay(forFileAt: at("2026-11-20 15:00", berlin)), LocalDate("2026-11-24"))
        // Saturday morning, before the cutoff but not a business day.
        XCTAssertEqual(cutoff.processingDay(forFileAt: at("2026-11-21 09:00", berlin)), LocalDate("2026-11-24"))
        // The cutoff is local time: 13:30 UTC is 14:30 in Berlin.
        let utc = TimeZone(identifier: "UTC")!
        XCTAssertEqual(cutoff.processingDay(forFileAt: at("2026-11-19 13:30", utc)), LocalDate("2026-11-20"))
        XCTAssertThrowsError(try PaymentCutoff(cutoff: "14:00", timeZone: berlin, holidays: ["2026-02-30"]))
    }
}

final class PrivateKeyFileTests: XCTestCase {
    func testRecognisesRSAKeysInBothFileFormats() throws {
        let folder = NSTemporaryDirectory() + "dropgate-keys-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try TestSSHD.shell("/usr/bin/ssh-keygen", ["-q", "-t", "rsa", "-b", "1024", "-N", "", "-f", folder + "/rsa"])
        try TestSSHD.shell("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", folder + "/ed"])
        try FileManager.default.removeItem(atPath: folder + "/rsa.pub")  // force reading the private key itself
        XCTAssertEqual(PrivateKeyFile.openSSHKeyType(try String(contentsOfFile: folder + "/rsa", encoding: .utf8)), "ssh-rsa")
        XCTAssertTrue(PrivateKeyFile.isRSA(path: folder + "/rsa"))
        XCTAssertFalse(PrivateKeyFile.isRSA(path: folder + "/ed"))
    }
}

final class SecretSourceTests: XCTestCase {
    func testSecretsComeFromFilesOrTheEnvironmentNeverInline() throws {
        let path = NSTemporaryDirectory() + "dropgate-secret-" + UUID().uuidString
        try "s3cret\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertEqual(try SecretSource.file(path).read(), "s3cret")
        setenv("DROPGATE_TEST_SECRET", "from-env", 1)
        XCTAssertEqual(try SecretSource.environment("DROPGATE_TEST_SECRET").read(), "from-env")
        XCTAssertThrowsError(try SecretSource.environment("DROPGATE_TEST_NOT_SET_ANYWHERE").read())
    }
}
