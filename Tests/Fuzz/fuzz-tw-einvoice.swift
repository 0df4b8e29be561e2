import FormatKit
import TWEInvoice

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzRead(TWEInvoiceFormat.self, data, size)
    return 0
}
