import Foundation
import Mapping
import Transport
#if canImport(Glibc)
import Glibc
#endif

/// The mapping files of the mappings folder as last looked at (relative path → inode, size,
/// modification time): a changed, added or removed mapping file makes a different stamp. Taking one
/// is a walk of the folder and a `stat` per file, cheap enough for every turn that claims files.
struct MappingsStamp: Equatable {
    struct File: Equatable { var inode: UInt64; var size: Int64; var seconds: Int; var nanoseconds: Int }
    var files: [String: File] = [:]

    init(directory: String) {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return }
        for case let rel as String in walker where rel.hasSuffix(".yaml") || rel.hasSuffix(".yml") {
            var st = stat()
            guard stat(directory + "/" + rel, &st) == 0 else { continue }
            files[rel] = File(inode: UInt64(st.st_ino), size: Int64(st.st_size), seconds: Int(st.st_mtim.tv_sec), nanoseconds: Int(st.st_mtim.tv_nsec))
        }
    }
}

/// The mappings the running gateway uses: a copy of the mappings folder's YAML files in
/// `var/mappings/<n>`, taken when the folder loaded. The pipeline's library is read from it and
/// every worker process loads it (never the folder itself, which an operator may be editing), so
/// the gateway and its workers translate with the same mappings, and a worker started later does
/// not pick up a folder that does not load.
struct MappingsInUse {
    let generation: Int
    let copy: String
    let library: MappingLibrary

    static func root(_ config: GatewayConfig) -> String { config.varDir + "/mappings" }

    /// Copies the folder and loads the copy; throws the located error (naming the folder's own
    /// file) and leaves no copy when it does not load.
    static func take(_ config: GatewayConfig, generation: Int) throws -> MappingsInUse {
        let fm = FileManager.default
        let copy = root(config) + "/\(generation)"
        try? fm.removeItem(atPath: copy)
        try fm.createDirectory(atPath: copy, withIntermediateDirectories: true)
        do {
            if let walker = fm.enumerator(atPath: config.mappingsDir) {
                for case let rel as String in walker where rel.hasSuffix(".yaml") || rel.hasSuffix(".yml") {
                    let bytes = try Data(contentsOf: URL(fileURLWithPath: config.mappingsDir + "/" + rel))
                    try fm.createDirectory(atPath: ((copy + "/" + rel) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    try bytes.write(to: URL(fileURLWithPath: copy + "/" + rel))
                }
            }
            return MappingsInUse(generation: generation, copy: copy,
                                 library: try MappingLibrary(directory: config.mappingsDir, readingFrom: copy))
        } catch {
            try? fm.removeItem(atPath: copy)
            throw error
        }
    }

    /// Removes the copies older than the one before `generation` (a worker started just before a
    /// reload may still be reading the previous one).
    static func prune(_ config: GatewayConfig, keepingFrom generation: Int) {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: root(config))) ?? [] where (Int(name) ?? .max) < generation - 1 {
            try? fm.removeItem(atPath: root(config) + "/" + name)
        }
    }
}

extension GatewayRunner {
    /// How often the mappings folder is looked at while no file is being claimed (for `/readyz`).
    static let mappingsCheckInterval: TimeInterval = 1

    /// Today's mappings for the files claimed from now on: when a mapping file changed since the
    /// last look, the folder is copied and loaded again; if it loads, the pipeline and every worker
    /// (each replaced before its next file) use it, else the mappings in use stay and the located
    /// error goes to the log, `/readyz` and the console (`RunnerControl.mappingsProblem`) until the
    /// folder changes again.
    func reloadMappingsIfChanged(pool: WorkerPool?) {
        let stamp = MappingsStamp(directory: config.mappingsDir)
        guard stamp != mappingsStamp else { return }
        mappingsStamp = stamp
        do {
            let next = try MappingsInUse.take(config, generation: mappings.generation + 1)
            mappings = next
            pipeline.use(mappings: next.library)
            pool?.renew(mappingsDirectory: next.copy)
            MappingsInUse.prune(config, keepingFrom: next.generation)
            control.setMappingsProblem(nil)
            logger.notice("mappings of \(config.mappingsDir) reloaded (\(next.library.mappings.count) mapping(s)): files claimed from now on use them")
        } catch {
            control.setMappingsProblem("\(error)")
            logger.error("mappings of \(config.mappingsDir) not reloaded, the ones loaded before stay in use: \(error)")
        }
    }
}
