import FormatKit
import ISO20022

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzRead(Camt053Format.self, data, size)
    return 0
}
