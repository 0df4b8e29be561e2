/// One segment as the tokenizer read it: its ID and its elements as text, exactly as sent
/// (components and repetitions are split later, with the interchange's delimiters).
public struct X12Segment: Sendable, Hashable {
    /// `ISA`, `GS`, `ST`, `BEG`, `PO1`…
    public var id: String
    /// `elements[0]` is element 01. Trailing empty elements are kept as sent.
    public var elements: [String]
    /// Where the segment starts in the file: 1-based line and column, 0-based byte offset.
    public var line: Int
    public var column: Int
    public var offset: Int
    /// 1-based ordinal of the segment in the file.
    public var ordinal: Int

    public init(id: String, elements: [String], line: Int = 0, column: Int = 0, offset: Int = 0, ordinal: Int = 0) {
        self.id = id; self.elements = elements; self.line = line; self.column = column; self.offset = offset; self.ordinal = ordinal
    }

    /// Element `position` (1-based), or "" when absent.
    public subscript(_ position: Int) -> String {
        position >= 1 && position <= elements.count ? elements[position - 1] : ""
    }

    /// Element `position` with surrounding spaces removed (ISA fields are space-padded).
    public func trimmed(_ position: Int) -> String { self[position].trimmingSpaces }

    /// `BEG03`: how an element is named in messages and 997 AK4.
    public func fieldName(_ position: Int) -> String { id + (position < 10 ? "0" : "") + String(position) }
}
