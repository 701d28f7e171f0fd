import FloeColumnLineage
import FloeContract
import FloeCore
import FloeRuntime
import FloeSQL
import Foundation

/// Builds OpenLineage RunEvents (spec 2-0-2) for a plan's runs and nodes: jobs named
/// `<product>.<node>` in the configured namespace, datasets named as the engine's naming spec
/// says, and the facets floe knows (docs/observability.md lists them).
struct RunEventBuilder: Sendable {
    let plan: CompiledArtifacts
    let namespace: String
    let projectDirectory: String
    let datasets: LineageDatasets
    /// Every model's column lineage, from the plan's SQL.
    let columns: ProjectColumnLineage
    private let models: [String: CompiledModel]
    private let tests: [String: CompiledTest]
    private let seeds: [String: CompiledSeed]

    init(plan: CompiledArtifacts, namespace: String, projectDirectory: String) {
        self.plan = plan
        self.namespace = namespace
        self.projectDirectory = projectDirectory
        datasets = LineageDatasets(plan: plan, projectDirectory: projectDirectory)
        columns = ProjectColumnLineage(plan: plan)
        models = Dictionary(plan.models.map { ($0.uniqueID, $0) }, uniquingKeysWith: { first, _ in first })
        tests = Dictionary(plan.tests.map { ($0.uniqueID, $0) }, uniquingKeysWith: { first, _ in first })
        seeds = Dictionary(plan.seeds.map { ($0.uniqueID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The run's own event: START, COMPLETE, FAIL or ABORT.
    func parentEvent(_ type: String, runID: String, job: String, at time: Date, nominal: String?,
                     error: (message: String, language: String)? = nil) -> JSONDocument {
        var runFacets: [String: JSONDocument] = ["processing_engine": OpenLineageFacets.processingEngine()]
        if let nominal { runFacets["nominalTime"] = OpenLineageFacets.nominalTime(start: nominal) }
        if let error { runFacets["errorMessage"] = OpenLineageFacets.errorMessage(error.message, language: error.language) }
        return event(type, at: time, runID: runID, runFacets: runFacets, job: job,
                     jobFacets: ["jobType": OpenLineageFacets.jobType("JOB")], inputs: [], outputs: [])
    }

    /// A node's START: what it reads and writes, with what the plan says of them.
    func nodeStart(id: String, name: String, type: NodeResult.ResourceType, runID: String, parent: (runID: String, job: String),
                   at time: Date, nominal: String?) -> JSONDocument {
        event("START", at: time, runID: runID, runFacets: runFacets(parent: parent, nominal: nominal), job: jobName(name),
              jobFacets: jobFacets(id: id, type: type, sql: nil), inputs: inputs(of: id, assertions: nil),
              outputs: output(of: id, columns: nil, rows: nil))
    }

    /// A node's COMPLETE or FAIL, with its outcome: the built relation's schema and row count,
    /// a test's assertion on what it tested, the engine's error.
    func nodeEnd(_ result: NodeResult, runID: String, parent: (runID: String, job: String), at time: Date, nominal: String?) -> JSONDocument {
        let failed = [.error, .cancelled].contains(result.status)
        var runFacets = runFacets(parent: parent, nominal: nominal)
        if failed {
            let detail = result.failedSQL.map { "failed SQL:\n\($0)" }
            runFacets["errorMessage"] = OpenLineageFacets.errorMessage(result.message ?? result.status.rawValue, detail: detail)
        }
        var assertions: [OpenLineageFacets.Assertion]?
        if result.resourceType == .test, let test = tests[result.uniqueID], [.pass, .warn, .fail].contains(result.status) {
            assertions = [.init(assertion: test.testName, success: result.status == .pass, column: test.column,
                                severity: test.severity.rawValue, name: test.name)]
        }
        let built = [.success, .upToDate].contains(result.status)
        return event(failed ? (result.status == .cancelled ? "ABORT" : "FAIL") : "COMPLETE", at: time, runID: runID, runFacets: runFacets,
                     job: jobName(result.name), jobFacets: jobFacets(id: result.uniqueID, type: result.resourceType, sql: result.compiledCode),
                     inputs: inputs(of: result.uniqueID, assertions: assertions.map { (testedDataset(result.uniqueID), $0) }),
                     outputs: output(of: result.uniqueID, columns: built ? result.outputColumns : nil,
                                     rows: result.status == .success ? result.rowsAffected : nil, rendered: result.compiledCode))
    }

    // MARK: Parts

    private func jobName(_ node: String) -> String { "\(plan.product.name).\(node)" }

    private func runFacets(parent: (runID: String, job: String), nominal: String?) -> [String: JSONDocument] {
        var facets: [String: JSONDocument] = [
            "parent": OpenLineageFacets.parent(runID: parent.runID, namespace: namespace, job: parent.job),
            "processing_engine": OpenLineageFacets.processingEngine(),
        ]
        if let nominal { facets["nominalTime"] = OpenLineageFacets.nominalTime(start: nominal) }
        return facets
    }

    private func jobFacets(id: String, type: NodeResult.ResourceType, sql: String?) -> [String: JSONDocument] {
        let kind = switch type {
        case .model: "MODEL"
        case .seed: "SEED"
        case .snapshot: "SNAPSHOT"
        case .test: "TEST"
        case .synthetic: "SYNTHETIC"
        case .operation: "OPERATION"
        }
        var facets: [String: JSONDocument] = ["jobType": OpenLineageFacets.jobType(kind)]
        let query = sql ?? models[id]?.sql ?? tests[id]?.sql
        if let query, !query.isEmpty {
            facets["sql"] = OpenLineageFacets.sql(query, dialect: plan.profiles.compute.type)
        }
        if let path = models[id]?.path ?? seeds[id]?.path {
            let url = URL(fileURLWithPath: projectDirectory).appendingPathComponent(path).standardizedFileURL
            facets["sourceCodeLocation"] = OpenLineageFacets.sourceCodeLocation(url: url.absoluteString, path: path)
        }
        return facets
    }

    /// The dataset a test asserts on: the node it is attached to, else its only input.
    private func testedDataset(_ id: String) -> String? {
        if let attached = tests[id]?.attachedNode, datasets.dataset(of: attached) != nil { return attached }
        let read = datasets.inputs(of: id)
        return read.count == 1 ? read[0].id : nil
    }

    private func inputs(of id: String, assertions: (on: String?, assertions: [OpenLineageFacets.Assertion])?) -> [JSONDocument] {
        datasets.inputs(of: id).map { input in
            var document = dataset(input.dataset, columns: datasets.columns(of: input.id))
            if let assertions, assertions.on == input.id {
                document["inputFacets"] = ["dataQualityAssertions": OpenLineageFacets.dataQualityAssertions(assertions.assertions)]
            }
            return document
        }
    }

    private func output(of id: String, columns: [ColumnSpec]?, rows: Int?, rendered: String? = nil) -> [JSONDocument] {
        guard tests[id] == nil, let name = datasets.dataset(of: id) else { return [] }
        var document = dataset(name, columns: columns ?? datasets.columns(of: id))
        if let lineage = columnLineage(of: id, rendered: rendered) { document["facets"]?["columnLineage"] = lineage }
        if let rows { document["outputFacets"] = ["outputStatistics": OpenLineageFacets.outputStatistics(rows: rows)] }
        return [document]
    }

    /// The model's column lineage as the facet writes it, its inputs named as datasets; nil
    /// when the analysis could not read the model (a warning `floe lineage` shows).
    private func columnLineage(of id: String, rendered: String? = nil) -> JSONDocument? {
        let analysed = self.columns.nodes[id] ?? (models[id]?.renderAtApply == true ? rendered.flatMap { self.columns.node(rendered: $0) } : nil)
        guard let node = analysed else { return nil }
        func fields(_ inputs: ColumnInputs) -> [OpenLineageFacets.InputField] {
            inputs.sorted { $0.key < $1.key }.compactMap { input, edges in
                datasets.dataset(of: input.relation).map { OpenLineageFacets.InputField(dataset: $0, field: input.column, edges: edges) }
            }
        }
        return OpenLineageFacets.columnLineage(fields: node.columns.map { ($0.name, fields($0.inputs)) }, dataset: fields(node.dataset))
    }

    private func dataset(_ name: DatasetName, columns: [ColumnSpec]) -> JSONDocument {
        var facets: [String: JSONDocument] = ["dataSource": OpenLineageFacets.dataSource(name: name.namespace, uri: name.namespace)]
        if !columns.isEmpty { facets["schema"] = OpenLineageFacets.schema(columns) }
        return ["namespace": .string(name.namespace), "name": .string(name.name), "facets": .object(facets)]
    }

    private func event(_ type: String, at time: Date, runID: String, runFacets: [String: JSONDocument], job: String,
                       jobFacets: [String: JSONDocument], inputs: [JSONDocument], outputs: [JSONDocument]) -> JSONDocument {
        [
            "eventType": .string(type),
            "eventTime": .string(Timestamp.string(time)),
            "producer": .string(OpenLineageFacets.producer),
            "schemaURL": .string(OpenLineageFacets.runEventSchema),
            "run": ["runId": .string(runID), "facets": .object(runFacets)],
            "job": ["namespace": .string(namespace), "name": .string(job), "facets": .object(jobFacets)],
            "inputs": .array(inputs),
            "outputs": .array(outputs),
        ]
    }
}
