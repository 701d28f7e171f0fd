import Crypto
import FloeConnect
import FloeContract
import FloeCore
import FloeEngine
import Foundation

/// A seed's CSV file as apply finds it, checked against the hash the plan recorded: a file edited
/// after compile is refused, whether the seed is to be loaded or looks up to date.
struct SeedFile {
    /// As messages show it: relative to the directory of floe.yaml, as the plan names it.
    let path: String
    let bytes: [UInt8]

    static func read(_ seed: CompiledSeed, projectDirectory: String) throws(ExecutorError) -> SeedFile {
        let absolute = URL(fileURLWithPath: projectDirectory).appendingPathComponent(seed.path).path
        guard let data = FileManager.default.contents(atPath: absolute) else {
            throw ExecutorError(.state, "the seed file \(seed.path) does not exist; run from the directory of floe.yaml or pass --project-dir", node: seed.uniqueID)
        }
        let digest = Hex.string(SHA256.hash(data: data))
        guard digest == seed.sha256 else {
            throw ExecutorError(.state, "the seed file \(seed.path) changed since the plan was compiled; run floe compile again", node: seed.uniqueID)
        }
        return SeedFile(path: seed.path, bytes: Array(data))
    }
}

/// Loads a seed's CSV file into its table: typed columns, one transaction, a prepared insert.
struct SeedLoader {
    let connection: any EngineConnection
    let dialect: any SQLDialect

    /// Replaces the seed's table with the file's rows. Returns the rows loaded.
    func load(_ seed: CompiledSeed, from file: SeedFile) throws -> Int {
        let affinities = seed.columns.map { SeedValues.affinity(ofType: $0.type) }
        let width = seed.columns.count
        var values: [[SQLValue]] = []
        var header = true
        do {
            try CSVReader.forEachRecord(file.bytes) { record in
                if header {
                    header = false
                    return
                }
                if record.isBlank { return }
                values.append((0..<width).map { index in
                    index < record.count ? SeedValues.value(record[index], affinities[index]) : .null
                })
            }
        } catch {
            throw ExecutorError(.state, "cannot read the seed file \(file.path): \(error)", node: seed.uniqueID)
        }
        return try TableSwap(connection: connection, dialect: dialect).load(seed.relation, columns: seed.columns, rows: values)
    }
}
