import TestSupport
import Foundation
import FormatKit
@testable import X12

/// The shared corpus (`ProjectPaths.corpus`); nil when it is absent.
func corpusDirectory(_ family: String = "x12") -> String? { ProjectPaths.corpus(family) }

/// Every unit the reader emits for `text`.
func units(_ text: String, options: FormatOptions = FormatOptions()) throws -> [Node] {
    var out = [Node]()
    try X12Reader(options: options).read(ByteReader(text: text)) { out.append($0) }
    return out
}

func reports(_ text: String) throws -> [X12InterchangeReport] {
    try X12Reader().reports(ByteReader(text: text))
}

/// A well-formed 4010 interchange around `body` (segments after ST, before SE), one set, with right counts.
func interchange4010(_ set: String = "850", body: [String], terminator: String = "~\n") -> String {
    let segments = ["ST*\(set)*0001"] + body + ["SE*\(body.count + 2)*0001"]
    let all = ["ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240102*1230*U*00401*000000905*1*P*>",
               "GS*PO*SENDER*RECEIVER*20240102*1230*77*X*004010"] + segments + ["GE*1*77", "IEA*1*000000905"]
    return all.joined(separator: terminator) + terminator
}
