import FormatKit
import MT940

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzRead(MT940Format.self, data, size)
    return 0
}
