import Foundation
import XCTest
import Canonical
import TestSupport
import Gateway
import Mapping

/// The bytes path (`Translator.translate(_:lines:)`, records written straight as JSON) and the
/// typed path (`translate(_:emit:)`, `Record` through `Codable`) give the same lines and the same
/// errors, on every sample and every corpus file.
final class RecordPathTests: XCTestCase {
    private func compare(_ translator: Translator, _ job: Translator.Job, file: String) throws -> Int {
        var typed = [UInt8](), typedRecords = [Record](), typedError: ErrorReport?
        do { try translator.translate(job) { r in typedRecords.append(r); try JSONLines.append(r, to: &typed) } } catch { typedError = error }
        var bytes = [UInt8](), ids = [String](), bytesError: ErrorReport?
        do { try translator.translate(job) { id, _, line in ids.append(id); bytes.append(contentsOf: line) } } catch { bytesError = error }
        XCTAssertEqual(typedError?.json, bytesError?.json, file)
        guard typedError == nil else { return 0 }
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), String(decoding: typed, as: UTF8.self), file)
        XCTAssertEqual(ids, typedRecords.map(\.id), file)
        let decoded = try JSONLines.decode(text: String(decoding: bytes, as: UTF8.self))
        XCTAssertEqual(decoded, typedRecords, file)
        return typedRecords.count
    }

    func testSamplesGiveTheSameLinesOnBothPaths() throws {
        let config = try GatewayConfig.load(path: ProjectPaths.packageRoot + "/gateway.yaml")
        let translator = Translator(mappings: try MappingLibrary(directory: ProjectPaths.mappings))
        let samples = ProjectPaths.packageRoot + "/samples"
        var records = 0, files = 0
        for case let rel as String in FileManager.default.enumerator(atPath: samples)! {
            let path = samples + "/" + rel
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else { continue }
            let parts = rel.split(separator: "/").map(String.init)
            guard parts.count >= 3, let channel = config.channel(partner: parts[0], name: parts[1]) else { continue }
            let job = Translator.Job(path: path, sha256: try sha256Hex(ofFileAt: path), partner: parts[0], channel: parts[1],
                                     format: channel.format, mapping: channel.mapping, options: channel.options)
            records += try compare(translator, job, file: rel)
            files += 1
        }
        XCTAssertGreaterThan(files, 5)
        XCTAssertGreaterThan(records, 10)
    }

    func testCorpusGivesTheSameLinesAndErrorsOnBothPaths() throws {
        guard let corpus = ProjectPaths.corpus() else { throw XCTSkip("../shared/corpus is not there") }
        let translator = Translator(mappings: try MappingLibrary(directory: ProjectPaths.mappings))
        var records = 0
        for case let rel as String in FileManager.default.enumerator(atPath: corpus)! where !rel.hasPrefix("LICENSES") && !rel.hasSuffix(".xsd") {
            let path = corpus + "/" + rel
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else { continue }
            records += try compare(translator, Translator.Job(path: path, sha256: try sha256Hex(ofFileAt: path)), file: rel)
        }
        XCTAssertGreaterThan(records, 100)
    }
}
