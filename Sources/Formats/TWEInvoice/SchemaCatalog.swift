import Foundation
import FormatKit
import XMLSupport

/// Finds the XSD of each message; each is compiled once per process (`XMLSchema.shared`). MIG 4.1
/// schemas ship with dropgate (`Schemas/4.1`, written from the published field tables); the 3.2
/// schemas are the platform's own files, which the operator points to with a channel's
/// `xsdDirectory` setting.
public final class SchemaCatalog: @unchecked Sendable {
    // @unchecked: the cache is guarded by `lock`; compiled schemas are immutable.
    private let directories: [MIGVersion: String]
    private var cache: [String: XMLSchema] = [:]
    private let lock = NSLock()

    /// The folder of the bundled MIG 4.1 schemas.
    public static var bundled41Directory: String? {
        Bundle.module.resourceURL?.appendingPathComponent("Schemas/4.1").path
    }

    /// `directories` overrides where a version's XSDs are read from.
    public init(directories: [MIGVersion: String] = [:]) {
        var d = directories
        if d[.v41] == nil, let bundled = SchemaCatalog.bundled41Directory { d[.v41] = bundled }
        self.directories = d
    }

    /// The compiled schema of `message`; an error saying which setting is missing when there is none.
    public func schema(for message: MessageType) throws -> XMLSchema {
        lock.lock(); defer { lock.unlock() }
        if let cached = cache[message.code] { return cached }
        guard let dir = directories[message.version] else {
            throw FormatError("tw-einvoice.xsd-missing", "no XSD folder for MIG \(message.version.rawValue): set the channel's xsdDirectory to the folder holding \(message.schemaFileName)", segment: message.code)
        }
        let path = (dir as NSString).appendingPathComponent(message.schemaFileName)
        guard FileManager.default.fileExists(atPath: path) else {
            throw FormatError("tw-einvoice.xsd-missing", "\(path) does not exist (xsdDirectory for MIG \(message.version.rawValue))", segment: message.code)
        }
        let schema = try XMLSchema.shared(path: path)
        cache[message.code] = schema
        return schema
    }
}
