import FloeContract
import FloeCore
import FloeSQL

/// The OpenLineage facets floe writes, each with the `_producer` and `_schemaURL` every facet
/// carries. The schema versions are those of the spec 2-0-2 that the Python client 1.54 ships.
enum OpenLineageFacets {
    static let producer = "https://floe.dev/floe/\(FloeVersion.current)"
    static let runEventSchema = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"

    private static func facet(_ name: String, version: String, _ fields: [String: JSONDocument]) -> JSONDocument {
        var object = fields
        object["_producer"] = .string(producer)
        object["_schemaURL"] = .string("https://openlineage.io/spec/facets/\(version)/\(name).json#/$defs/\(name)")
        return .object(object)
    }

    /// The run that started this one (the apply, for a node's run).
    static func parent(runID: String, namespace: String, job: String) -> JSONDocument {
        facet("ParentRunFacet", version: "1-2-0", [
            "run": ["runId": .string(runID)],
            "job": ["namespace": .string(namespace), "name": .string(job)],
            "root": ["run": ["runId": .string(runID)], "job": ["namespace": .string(namespace), "name": .string(job)]],
        ])
    }

    /// `jobType`: BATCH, integration FLOE, and what kind of node (MODEL, SEED, SNAPSHOT, TEST, JOB).
    static func jobType(_ kind: String) -> JSONDocument {
        facet("JobTypeJobFacet", version: "2-0-4", ["processingType": "BATCH", "integration": "FLOE", "jobType": .string(kind)])
    }

    static func sql(_ query: String, dialect: String) -> JSONDocument {
        facet("SQLJobFacet", version: "1-1-0", ["query": .string(query), "dialect": .string(dialect)])
    }

    /// Where the node's file is: a `file` URL, and its path in the project.
    static func sourceCodeLocation(url: String, path: String) -> JSONDocument {
        facet("SourceCodeLocationJobFacet", version: "1-1-0", ["type": "file", "url": .string(url), "path": .string(path)])
    }

    static func processingEngine() -> JSONDocument {
        facet("ProcessingEngineRunFacet", version: "1-1-1", [
            "version": .string(FloeVersion.current), "name": "floe", "openlineageAdapterVersion": .string(FloeVersion.current),
        ])
    }

    static func nominalTime(start: String) -> JSONDocument {
        facet("NominalTimeRunFacet", version: "1-0-1", ["nominalStartTime": .string(start)])
    }

    /// The engine's message; `programmingLanguage` SQL for what a statement raised.
    static func errorMessage(_ message: String, language: String = "SQL", detail: String? = nil) -> JSONDocument {
        var fields: [String: JSONDocument] = ["message": .string(message), "programmingLanguage": .string(language)]
        if let detail { fields["stackTrace"] = .string(detail) }
        return facet("ErrorMessageRunFacet", version: "1-0-1", fields)
    }

    static func schema(_ columns: [ColumnSpec]) -> JSONDocument {
        facet("SchemaDatasetFacet", version: "1-2-0", ["fields": .array(columns.map { column in
            var field: [String: JSONDocument] = ["name": .string(column.name)]
            if let type = column.type, !type.isEmpty { field["type"] = .string(type) }
            if let description = column.description, !description.isEmpty { field["description"] = .string(description) }
            return .object(field)
        })])
    }

    static func dataSource(name: String, uri: String) -> JSONDocument {
        facet("DatasourceDatasetFacet", version: "1-0-1", ["name": .string(name), "uri": .string(uri)])
    }

    static func outputStatistics(rows: Int) -> JSONDocument {
        facet("OutputStatisticsOutputDatasetFacet", version: "1-0-2", ["rowCount": .integer(rows)])
    }

    /// An input column and its edges, as the column lineage facet lists it.
    struct InputField {
        var dataset: DatasetName
        var field: String
        var edges: LineageEdges
    }

    /// `columnLineage`: each output field from its input fields, DIRECT and INDIRECT; the inputs
    /// that decide the whole dataset's rows under `dataset`.
    static func columnLineage(fields: [(name: String, inputs: [InputField])], dataset: [InputField]) -> JSONDocument {
        func transformations(_ edges: LineageEdges) -> JSONDocument {
            var list: [JSONDocument] = []
            if let direct = edges.direct { list.append(["type": "DIRECT", "subtype": .string(direct.rawValue)]) }
            for kind in edges.indirect.sorted() { list.append(["type": "INDIRECT", "subtype": .string(kind.rawValue)]) }
            return .array(list)
        }
        func input(_ field: InputField) -> JSONDocument {
            ["namespace": .string(field.dataset.namespace), "name": .string(field.dataset.name), "field": .string(field.field),
             "transformations": transformations(field.edges)]
        }
        var object: [String: JSONDocument] = [:]
        for field in fields { object[field.name] = ["inputFields": .array(field.inputs.map(input))] }
        return facet("ColumnLineageDatasetFacet", version: "1-2-0", ["fields": .object(object), "dataset": .array(dataset.map(input))])
    }

    struct Assertion {
        var assertion: String
        var success: Bool
        var column: String?
        var severity: String?
        /// The test's name (`not_null_orders_order_id`).
        var name: String?
    }

    static func dataQualityAssertions(_ assertions: [Assertion]) -> JSONDocument {
        facet("DataQualityAssertionsDatasetFacet", version: "1-1-0", ["assertions": .array(assertions.map { item in
            var fields: [String: JSONDocument] = ["assertion": .string(item.assertion), "success": .bool(item.success)]
            if let column = item.column { fields["column"] = .string(column) }
            if let severity = item.severity { fields["severity"] = .string(severity) }
            if let name = item.name { fields["name"] = .string(name) }
            return .object(fields)
        })])
    }
}
