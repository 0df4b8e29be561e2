import XCTest
final class FormatKitTestsPlaceholder: XCTestCase { func testNothing() {} }
