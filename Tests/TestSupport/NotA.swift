/// Thrown (and so failing the test) when a record is not of the type the test expects.
public struct NotA: Error, CustomStringConvertible {
    public let expected: String
    public init(_ expected: String) { self.expected = expected }
    public var description: String { "the record is not a \(expected)" }
}
