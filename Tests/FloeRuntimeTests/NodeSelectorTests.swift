import FloeConnect
import FloeContract
@testable import FloeRuntime
import Testing

/// dbt's selection syntax over a small plan: a → b → c, a → d (tagged), and tests on c and d.
@Suite struct NodeSelectorTests {
    static func model(_ name: String, _ parents: [String] = [], tags: [String] = [], folder: String = "staging",
                      materialized: Materialization = .view) -> CompiledModel {
        CompiledModel(uniqueID: "model.p.\(name)", name: name, path: "dbt/models/\(folder)/\(name).sql",
                      materialized: materialized, relation: Relation(schema: "ns", name: name), sql: "select 1",
                      dependsOn: parents.map { "model.p.\($0)" }, tags: tags, fingerprint: name)
    }

    static let plan: CompiledArtifacts = {
        let profile = ResolvedProfile(logicalName: "default", name: "default", type: "sqlite", settings: [:])
        var plan = CompiledArtifacts(
            metadata: ArtifactMetadata(tool: "floe", toolVersion: "0", compiledAt: "", inputs: [], inputsSHA256: ""),
            product: ProductInfo(name: "p", version: "1.0.0"), environment: ResolvedEnvironment(name: "dev", namespace: "ns"),
            profiles: ResolvedProfiles(compute: profile, storage: profile, catalog: profile),
            observability: ObservabilitySettings(), secrets: SecretSettings(), semantic: nil,
            transforms: [TransformSource(type: "dbt", path: "dbt")])
        plan.sources = [CompiledSource(uniqueID: "source.p.raw.events", sourceName: "raw", name: "events",
                                       relation: Relation(schema: "ns", name: "events"))]
        plan.models = [
            model("a", tags: ["nightly"]), model("b", ["a"], folder: "marts", materialized: .table),
            model("c", ["b"], folder: "marts", materialized: .incremental), model("d", ["a"], tags: ["nightly", "pii"]),
        ]
        plan.models[0].dependsOn = ["source.p.raw.events"]
        plan.tests = [
            CompiledTest(uniqueID: "test.p.unique_c", name: "unique_c", testName: "unique", attachedNode: "model.p.c",
                         column: "id", severity: .error, sql: "select 1", dependsOn: ["model.p.c"]),
        ]
        return plan
    }()

    func select(_ select: [String], exclude: [String] = []) throws -> [String] {
        let ids = try NodeSelector(graph: PlanGraph(Self.plan)).resolve(select: select, exclude: exclude)
        return ids.map { $0.split(separator: ".").last.map(String.init) ?? $0 }.sorted()
    }

    @Test func namesAndGraphOperators() throws {
        #expect(try select(["b"]) == ["b"])
        #expect(try select(["+b"]) == ["a", "b", "events"])
        #expect(try select(["b+"]) == ["b", "c", "unique_c"])
        #expect(try select(["1+c"]) == ["b", "c"])
        #expect(try select(["a+1"]) == ["a", "b", "d"])
        #expect(try select(["@b"]) == ["a", "b", "c", "events", "unique_c"])
        #expect(try select(["model.p.d"]) == ["d"])
        #expect(try select(["[bc]"]) == ["b", "c"])
    }

    @Test func methodsUnionsAndIntersections() throws {
        #expect(try select(["tag:nightly"]) == ["a", "d"])
        #expect(try select(["tag:nightly,tag:pii"]) == ["d"])
        #expect(try select(["tag:pii b"]) == ["b", "d"])
        #expect(try select(["tag:pii", "b"]) == ["b", "d"])
        #expect(try select(["path:models/marts"]) == ["b", "c"])
        #expect(try select(["path:dbt/models/staging/a.sql"]) == ["a"])
        #expect(try select(["config.materialized:incremental"]) == ["c"])
        #expect(try select(["resource_type:test"]) == ["unique_c"])
        #expect(try select(["source:raw+"]) == ["a", "b", "c", "d", "events", "unique_c"])
        #expect(try select(["a+"], exclude: ["tag:pii", "c"]) == ["a", "b", "unique_c"])
        #expect(try select([]).count == 6, "nothing selected means everything")
    }

    @Test func testMethodsAndWarningsForCriteriaThatMatchNothing() throws {
        #expect(try select(["test_type:generic"]) == ["unique_c"])
        #expect(try select(["test_type:singular"]) == [])
        #expect(try select(["test_name:uniq*"]) == ["unique_c"])
        let resolution = try NodeSelector(graph: PlanGraph(Self.plan)).resolution(select: ["stg_x", "tag:nigthly", "b"], exclude: ["dd"])
        #expect(resolution.warnings == [
            "the selection criterion 'stg_x' does not match any node",
            "the selection criterion 'tag:nigthly' does not match any node; did you mean 'tag:nightly'?",
            "the selection criterion 'dd' does not match any node; did you mean 'd'?",
        ])
        #expect(resolution.selected == ["model.p.b"])
        let excluded = try NodeSelector(graph: PlanGraph(Self.plan)).resolution(select: [], exclude: ["c"])
        #expect(excluded.excluded == ["model.p.c"])
        #expect(excluded.selected.contains("test.p.unique_c"), "the selector itself leaves tests; the run leaves out tests of excluded nodes")
    }

    /// dbt's `--indirect-selection`, over unique_c (on c), rel_c_d (on c and d) and rel_c_b (on
    /// c and b, which is upstream of c).
    @Test func indirectSelectionModes() throws {
        var plan = Self.plan
        for (name, parents) in [("rel_c_d", ["c", "d"]), ("rel_c_b", ["c", "b"])] {
            plan.tests.append(CompiledTest(uniqueID: "test.p.\(name)", name: name, testName: "relationships", attachedNode: "model.p.c",
                                           column: "id", severity: .error, sql: "select 1", dependsOn: parents.map { "model.p.\($0)" }))
        }
        let graph = PlanGraph(plan)
        func tests(_ select: [String], _ mode: IndirectSelection) throws -> [String] {
            let resolution = try NodeSelector(graph: graph).resolution(select: select, exclude: [], indirect: mode)
            return plan.tests.filter { resolution.runs($0, graph: graph) }.map(\.name).sorted()
        }
        #expect(try tests(["c"], .eager) == ["rel_c_b", "rel_c_d", "unique_c"])
        #expect(try tests(["c"], .cautious) == ["unique_c"])
        #expect(try tests(["c", "d"], .cautious) == ["rel_c_d", "unique_c"])
        #expect(try tests(["c"], .buildable) == ["rel_c_b", "unique_c"], "b is built before c reads it")
        #expect(try tests(["d"], .buildable) == [], "c is neither selected nor upstream of d")
        #expect(try tests(["c"], .empty) == [])
        #expect(try tests(["c", "rel_c_d"], .empty) == ["rel_c_d"], "a test selected itself always runs")
        #expect(try tests(["b"], .eager) == ["rel_c_b"])
    }

    @Test func badSelectorsSayWhy() {
        #expect(throws: NodeSelector.Invalid.self) { try select(["colour:red"]) }
        #expect(throws: NodeSelector.Invalid.self) { try select(["tag:"]) }
        #expect(throws: NodeSelector.Invalid.self) { try select(["a,,b"]) }
        do {
            _ = try select(["colour:red"])
        } catch {
            #expect("\(error)".contains("unknown method 'colour'"))
        }
    }
}
