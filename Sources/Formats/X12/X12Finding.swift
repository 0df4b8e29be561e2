import FormatKit

/// A problem found in an interchange, carrying the code an acknowledgment reports it with:
/// TA105 for the interchange (`001` control numbers differ, `023` premature end…), AK905/IK9
/// for a functional group (`4` control numbers differ, `5` set count wrong…), AK502/IK502 for a
/// transaction set (`2` trailer missing, `3` control numbers differ, `4` segment count wrong…),
/// AK304/IK304 for a segment with AK403/IK403 for the element at fault.
public struct X12Finding: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Level: String, Sendable, Hashable { case interchange, group, transactionSet, segment }

    public var level: Level
    /// The acknowledgment code for `level` (TA105, AK905, AK502 or AK304).
    public var ackCode: String
    /// AK403 / IK403 when one element is at fault.
    public var elementCode: String?
    /// 1-based element position (AK401), when one element is at fault.
    public var elementPosition: Int?
    /// The segment's position in its transaction set, ST = 1 (AK302), when inside a set.
    public var segmentPosition: Int?
    /// The located error (file line/column, segment ID, field name such as `SE01`).
    public var error: FormatError
    /// A segment with data element errors (AK304 `8`): one AK4/IK4 each, in element order.
    public var elementErrors: [ElementError] = []
    /// The loop the segment is in (AK303/IK303, the loop's ID in the set's table: `PO1`, `N1`),
    /// nil in the heading or summary outside any loop.
    public var loopID: String?
    /// The business unit the fault lies in, as the grammar names it: `BEG03` and its value in the
    /// set (a 999 answers it in CTX after the IK3).
    public var businessUnit: BusinessUnit?

    public struct BusinessUnit: Sendable, Hashable {
        public var name: String
        public var value: String
    }

    /// One element at fault: AK401 position, AK403 code, AK404 a copy of the bad element.
    public struct ElementError: Sendable, Hashable {
        public var position: Int
        public var code: String
        public var value: String
    }

    public init(_ level: Level, ackCode: String, _ error: FormatError, elementCode: String? = nil,
                elementPosition: Int? = nil, segmentPosition: Int? = nil) {
        self.level = level; self.ackCode = ackCode; self.error = error; self.elementCode = elementCode
        self.elementPosition = elementPosition; self.segmentPosition = segmentPosition
    }

    public var isError: Bool { error.severity == .error }
    public var description: String { error.description }
}

extension X12Finding {
    /// An interchange-level problem reported in TA1 with TA105 `code`.
    static func interchange(_ code: String, _ slug: String, _ message: String, at segment: X12Segment?, field: String? = nil) -> X12Finding {
        X12Finding(.interchange, ackCode: code, located("x12.\(slug)", "\(message) (TA1 code \(code))", segment, field))
    }

    /// A functional-group problem reported in AK905 / IK905 with `code`.
    static func group(_ code: String, _ slug: String, _ message: String, at segment: X12Segment?, field: String? = nil) -> X12Finding {
        X12Finding(.group, ackCode: code, located("x12.\(slug)", "\(message) (AK9 code \(code))", segment, field))
    }

    /// A transaction-set problem reported in AK502 / IK502 with `code`.
    static func set(_ code: String, _ slug: String, _ message: String, at segment: X12Segment?, field: String? = nil,
                    position: Int? = nil) -> X12Finding {
        X12Finding(.transactionSet, ackCode: code, located("x12.\(slug)", "\(message) (AK5 code \(code))", segment, field),
                   segmentPosition: position)
    }

    static func located(_ code: String, _ message: String, _ segment: X12Segment?, _ field: String?) -> FormatError {
        FormatError(code, message, line: segment?.line, column: segment?.column, segment: segment?.id, field: field)
    }
}
