import FormatKit

/// What the envelope check found in one transaction set (ST…SE).
public struct X12SetReport: Sendable, Hashable {
    /// ST01 (`850`) and ST02.
    public var identifier: String
    public var controlNumber: String
    public var findings: [X12Finding] = []
    /// Accepted when no finding of the set is an error (warnings leave it accepted with errors).
    public var accepted: Bool { !findings.contains(where: \.isError) }
}

/// What the envelope check found in one functional group (GS…GE).
public struct X12GroupReport: Sendable, Hashable {
    public var header: X12Segment
    public var findings: [X12Finding] = []
    public var sets: [X12SetReport] = []
    /// GS01 functional identifier (`PO`, `IN`, `SH`), GS06 control number, GS08 version.
    public var functionalID: String { header[1] }
    public var controlNumber: String { header[6] }
    public var version: String { header[8] }
    public var hasGroupErrors: Bool { findings.contains(where: \.isError) }
}

/// What the envelope check found in one interchange (ISA…IEA).
public struct X12InterchangeReport: Sendable, Hashable {
    public var header: X12Segment
    public var delimiters: X12Delimiters
    public var findings: [X12Finding] = []
    public var groups: [X12GroupReport] = []
    public var key: X12InterchangeKey { X12InterchangeKey(isa: header) }
    public var hasInterchangeErrors: Bool { findings.contains(where: \.isError) }
}

/// The identity of an interchange for duplicate detection: the same sender, receiver and ISA13
/// control number seen again (within the partner's window) is a resent interchange, even when
/// the bytes differ (a new ISA09 date). The ledger keeps these keys; the reader only exposes them.
public struct X12InterchangeKey: Sendable, Hashable, CustomStringConvertible {
    /// `ISA05:ISA06` and `ISA07:ISA08`, trimmed, e.g. `ZZ:ACME`.
    public var sender: String
    public var receiver: String
    /// ISA13 as sent (nine digits).
    public var controlNumber: String

    public init(sender: String, receiver: String, controlNumber: String) {
        self.sender = sender; self.receiver = receiver; self.controlNumber = controlNumber
    }

    public init(isa: X12Segment) {
        self.init(sender: isa.trimmed(5) + ":" + isa.trimmed(6), receiver: isa.trimmed(7) + ":" + isa.trimmed(8),
                  controlNumber: isa.trimmed(13))
    }

    public var description: String { "\(sender) → \(receiver) #\(controlNumber)" }
}

/// One complete transaction set with the envelope it arrived in.
public struct X12TransactionSet: Sendable {
    public var interchangeHeader: X12Segment
    public var groupHeader: X12Segment
    /// ST through SE.
    public var segments: [X12Segment]
    public var delimiters: X12Delimiters
    /// What the envelope check let through with a warning (interchange, group and set), for the
    /// record's `extra.warnings`.
    public var warnings: [FormatError] = []
}
