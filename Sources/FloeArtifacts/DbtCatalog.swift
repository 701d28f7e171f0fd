import FloeContract
import FloeRuntime

/// dbt's `catalog.json` (schema v1): the tables and views the warehouse holds for a plan's nodes
/// and sources, with the engine's column types and a row count, as `dbt docs generate` writes it.
public enum DbtCatalog {
    public static let schemaVersion = "https://schemas.getdbt.com/dbt/catalog/v1.json"

    public static func data(_ catalog: WarehouseCatalog.Catalog, plan: CompiledArtifacts, generatedAt: String, invocationID: String) -> [UInt8] {
        let database = plan.profiles.compute.string("database")
        var nodes: [String: JSONDocument] = [:]
        var sources: [String: JSONDocument] = [:]
        for entry in catalog.entries {
            var columns: [String: JSONDocument] = [:]
            for (index, column) in entry.columns.enumerated() {
                columns[column.name] = ["type": .string(column.type ?? ""), "index": .integer(index + 1), "name": .string(column.name),
                                        "comment": .null]
            }
            var stats: [String: JSONDocument] = [
                "has_stats": ["id": "has_stats", "label": "Has Stats?", "value": .bool(entry.rowCount != nil), "include": false,
                              "description": "Indicates whether there are statistics for this table"],
            ]
            if let rows = entry.rowCount {
                stats["row_count"] = ["id": "row_count", "label": "Row Count", "value": .number(Double(rows)), "include": true,
                                      "description": "Number of rows in the table, counted when the catalog was generated"]
            }
            let table: JSONDocument = [
                "metadata": ["type": .string(entry.kind == .view ? "VIEW" : "BASE TABLE"), "schema": .string(entry.relation.schema),
                             "name": .string(entry.relation.name), "database": database.map(JSONDocument.string) ?? .null,
                             "comment": .null, "owner": .null],
                "columns": .object(columns), "stats": .object(stats), "unique_id": .string(entry.uniqueID),
            ]
            if entry.isSource { sources[entry.uniqueID] = table } else { nodes[entry.uniqueID] = table }
        }
        let document: JSONDocument = [
            "metadata": ["dbt_schema_version": .string(schemaVersion), "dbt_version": .string(DbtManifest.dbtVersion),
                         "generated_at": .string(generatedAt), "invocation_id": .string(invocationID), "env": [:]],
            "nodes": .object(nodes), "sources": .object(sources),
            "errors": catalog.errors.isEmpty ? .null : .array(catalog.errors.map(JSONDocument.string)),
        ]
        var output: [UInt8] = []
        JSONBytes.write(document, into: &output)
        output.append(0x0A)
        return output
    }
}
