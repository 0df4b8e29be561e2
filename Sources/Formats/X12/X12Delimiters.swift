/// The four delimiters of an X12 interchange. They are not fixed by the standard: each ISA
/// declares its own — the element separator is the byte right after `ISA`, the repetition
/// separator is ISA11 (only from version 00402 on; in 00401 and earlier ISA11 is the standards
/// identifier `U`), the component separator is ISA16, and the segment terminator is the
/// character right after ISA16 (a newline when the sender ends segments with line breaks).
public struct X12Delimiters: Sendable, Hashable {
    public var element: UInt8
    public var component: UInt8
    public var repetition: UInt8?
    /// One or more bytes (a multi-byte UTF-8 character is possible). `[10]` means "a line break"
    /// (LF, CR or CRLF all end a segment).
    public var segment: [UInt8]

    public init(element: UInt8 = UInt8(ascii: "*"), component: UInt8 = UInt8(ascii: ">"),
                repetition: UInt8? = nil, segment: [UInt8] = [UInt8(ascii: "~")]) {
        self.element = element; self.component = component; self.repetition = repetition; self.segment = segment
    }

    /// Whether the sender ends segments with line breaks.
    public var segmentIsNewline: Bool { segment == [10] }

    /// ISA11 repeats data elements only from ISA12 version 00402 on.
    public static func versionHasRepetition(_ isa12: String) -> Bool {
        guard let v = Int(isa12) else { return false }
        return v >= 402
    }

    /// Every delimiter byte, for checking that outbound data does not contain one.
    public var allBytes: Set<UInt8> {
        var s: Set<UInt8> = [element, component]
        if let repetition { s.insert(repetition) }
        s.formUnion(segment)
        return s
    }
}
