import Crypto
import FloeContract
import FloeCore
import FloeEngine
import Foundation

/// Loads a seed's CSV file into its table: typed columns, one transaction, a prepared insert.
struct SeedLoader {
    enum Failure: Error, CustomStringConvertible {
        case missing(path: String)
        case changed(path: String)
        case unreadable(path: String, reason: String)

        var description: String {
            switch self {
            case .missing(let path):
                "the seed file \(path) does not exist; run from the directory of floe.yaml or pass --project-dir"
            case .changed(let path):
                "the seed file \(path) changed since the plan was compiled; run floe compile again"
            case .unreadable(let path, let reason): "cannot read the seed file \(path): \(reason)"
            }
        }
    }

    let connection: any EngineConnection
    let dialect: any SQLDialect

    /// Reads and checks the file against the plan's hash, then replaces the table. Returns the rows loaded.
    func load(_ seed: CompiledSeed, projectDirectory: String) throws -> Int {
        let path = URL(fileURLWithPath: projectDirectory).appendingPathComponent(seed.path).path
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure.missing(path: path) }
        let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        guard digest == seed.sha256 else { throw Failure.changed(path: path) }
        let affinities = seed.columns.map { SeedValues.affinity(ofType: $0.type) }
        let width = seed.columns.count
        var values: [[SQLValue]] = []
        var header = true
        do {
            try CSVReader.forEachRecord(Array(data)) { record in
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
            throw Failure.unreadable(path: path, reason: "\(error)")
        }
        return try TableSwap(connection: connection, dialect: dialect).load(seed.relation, columns: seed.columns, rows: values)
    }
}
