import FormatKit
import GLFormats

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzRead(GLCSVFormat.self, data, size)
    return 0
}
