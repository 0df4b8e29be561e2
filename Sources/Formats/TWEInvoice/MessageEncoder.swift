import FormatKit

/// Encodes a rendered message in the channel's encoding and enforces the platform's size limit.
/// A character the encoding lacks (Big5 has no emoji and no CJK Extension B such as 𠀀) is an
/// error naming the invoice and the field that holds it, never a silent `?`.
struct MessageEncoder {
    let encoding: TextEncoding
    let maxBytes: Int

    /// The encoding as the XML declaration states it.
    var declaredName: String { encoding.name == "BIG5" ? "Big5" : encoding.name }

    func encode(_ xml: XMLText, number: String, message: MessageType) throws -> [UInt8] {
        var xml = xml
        let utf8 = xml.finish()
        let bytes: [UInt8]
        do {
            bytes = encoding.isUTF8 ? utf8 : try encoding.encode(String(decoding: utf8, as: UTF8.self))
        } catch {
            throw unencodableField(in: xml, number: number, message: message) ?? FormatError(
                "tw-einvoice.encoding", "invoice \(number): \(error.message)", segment: message.code)
        }
        if bytes.count > maxBytes {
            throw FormatError("tw-einvoice.file-too-large", "invoice \(number): the \(message.code) message is \(bytes.count) bytes, over the platform limit of \(maxBytes) bytes", segment: message.code)
        }
        return bytes
    }

    private func unencodableField(in xml: XMLText, number: String, message: MessageType) -> FormatError? {
        for leaf in xml.leaves {
            do { _ = try encoding.encode(leaf.value) } catch {
                return FormatError("tw-einvoice.encoding", "invoice \(number), field \(leaf.path): \(error.message)",
                                   segment: message.code, field: leaf.path)
            }
        }
        return nil
    }
}
