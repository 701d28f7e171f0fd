import Crypto
import FloeContract
import FloeEngine
import Foundation
import FloeCore

/// Creates a model's configured indexes (dbt's `indexes` config) on its freshly built or
/// restored table.
///
/// Index names are fixed by the table and the index (`<table>__ix_<hash>`), so a later build
/// finds its own. Names are per schema, and a snapshot keeps the indexes its table had under
/// those names: a rebuild first drops an index of that name wherever it is (the snapshot
/// loses it; the data is untouched), then creates it on the new table.
struct IndexCreation {
    let connection: any EngineConnection
    let dialect: any SQLDialect

    /// `replacing`: the table is new (a table build or an incremental model's first or full
    /// build); otherwise an incremental run adds only the indexes that are missing.
    func create(for model: CompiledModel, replacing: Bool) throws {
        guard dialect.hasIndexes else { return }
        for index in model.indexes ?? [] {
            let name = Self.name(of: index, on: model.relation)
            if replacing { try connection.execute(dialect.dropIndex(named: name, schema: model.relation.schema)) }
            try connection.execute(dialect.createIndex(index, named: name, on: model.relation))
        }
    }

    /// `<table>__ix_<8 hex digits>`, the table's name cut so the whole fits PostgreSQL's 63 bytes.
    static func name(of index: ModelIndex, on relation: Relation) -> String {
        let digest = SHA256.hash(data: Data(ModelIndex.fingerprintPart([index]).utf8))
        let suffix = Hex.string(digest.prefix(4))
        var table = ""
        for character in relation.name where table.utf8.count + character.utf8.count <= 48 { table.append(character) }
        return table + "__ix_" + suffix
    }
}
