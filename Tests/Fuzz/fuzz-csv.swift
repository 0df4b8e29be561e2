import FormatKit
import CSVFormat

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzRead(CSVFormat.self, data, size)
    return 0
}
