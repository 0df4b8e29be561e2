import FormatKit
import NACHA

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzRead(NACHAFormat.self, data, size)
    return 0
}
