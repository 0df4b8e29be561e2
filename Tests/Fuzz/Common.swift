// Shared by every fuzz harness (see README.md): read the input with one format's reader; every
// unit is mapped through the format's default mapping and encoded as canonical JSON. A thrown
// FormatError is a fine outcome; a trap, a hang or a leak is what libFuzzer reports.
import Foundation
import Canonical
import FormatKit
import Mapping

/// The package's mappings/ folder, from DROPGATE_MAPPINGS or relative to the working directory.
let mappings: MappingLibrary? = {
    let dir = ProcessInfo.processInfo.environment["DROPGATE_MAPPINGS"] ?? FileManager.default.currentDirectoryPath + "/mappings"
    return try? MappingLibrary(directory: dir)
}()

func fuzzRead(_ format: any Format.Type, _ data: UnsafePointer<UInt8>, _ size: Int, options: FormatOptions = FormatOptions()) {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let reader = format.reader(options: options) else { fatalError("\(format.id) has no reader") }
    var index = 0
    do {
        try reader.read(ByteReader(bytes: bytes, name: "fuzz")) { unit in
            defer { index += 1 }
            guard let mapping = mappings?.defaultMapping(format: format.id, unit: unit) else { return }
            let source = RecordSource(partner: "p", channel: "c", format: format.id, file: "fuzz", sha256: "0", index: index)
            guard let record = try? mapping.apply(to: unit, source: source) else { return }
            var out = [UInt8]()
            try? JSONLines.append(record, to: &out)
        }
    } catch {}
    _ = reader.validate(ByteReader(bytes: bytes, name: "fuzz"))
}
