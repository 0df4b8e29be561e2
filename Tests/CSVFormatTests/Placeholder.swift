import XCTest
final class CSVFormatTestsPlaceholder: XCTestCase { func testNothing() {} }
