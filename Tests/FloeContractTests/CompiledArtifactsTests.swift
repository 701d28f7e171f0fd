import FloeContract
import Foundation
import Testing

@Suite struct CompiledArtifactsTests {
    static func sample() -> CompiledArtifacts {
        CompiledArtifacts(
            metadata: ArtifactMetadata(tool: "floe", toolVersion: "0.1.0", compiledAt: "2024-01-01T00:00:00Z",
                                       inputs: [InputFile(path: "floe.yaml", sha256: String(repeating: "a", count: 64))],
                                       inputsSHA256: String(repeating: "b", count: 64)),
            product: ProductInfo(name: "shop", version: "1.0.0", vars: ["regions": .list([.string("NA"), .string("EMEA")])]),
            environment: ResolvedEnvironment(name: "dev", namespace: "floe-dev"),
            profiles: ResolvedProfiles(
                compute: ResolvedProfile(logicalName: "default", name: "warehouse", type: "postgres", settings: [
                    "host": .string("db"), "port": .integer(5432),
                    "password": .secret(SecretReference(name: "warehouse-db", key: "password")),
                ]),
                storage: ResolvedProfile(logicalName: "default", name: "default", type: "local", settings: ["path": .string(".floe")]),
                catalog: ResolvedProfile(logicalName: "default", name: "default", type: "none", settings: [:])),
            observability: ObservabilitySettings(),
            secrets: SecretSettings(),
            semantic: SemanticSettings(apiSecret: SecretReference(name: "cube-api", key: "jwt_secret")),
            transforms: [TransformSource(type: "dbt", path: "dbt")])
    }

    @Test func roundTripsThroughJSON() throws {
        let plan = Self.sample()
        #expect(try CompiledArtifacts.decode(plan.encoded()) == plan)
    }

    @Test func encodingIsByteStableWithSortedKeysAndSecretReferences() throws {
        let text = String(decoding: try Self.sample().encoded(), as: UTF8.self)
        #expect(try Self.sample().encoded() == Self.sample().encoded())
        #expect(text.contains("\"password\" : {\n          \"key\" : \"password\",\n          \"secret_ref\" : \"warehouse-db\"\n        }"))
        #expect(text.hasSuffix("}\n"))
        #expect(text.firstRange(of: "\"environment\"")!.lowerBound < text.firstRange(of: "\"metadata\"")!.lowerBound)
    }

    @Test func listsEverySecretReferenceOnce() {
        #expect(Self.sample().secretReferences == [
            SecretReference(name: "warehouse-db", key: "password"), SecretReference(name: "cube-api", key: "jwt_secret"),
        ])
    }

    @Test func refusesAnotherMajorVersion() throws {
        var json = String(decoding: try Self.sample().encoded(), as: UTF8.self)
        json = json.replacingOccurrences(of: "\"version\" : \"\(CompiledArtifacts.currentVersion)\"\n}", with: "\"version\" : \"3.0.0\"\n}")
        #expect(throws: ContractError.incompatibleVersion(
            found: ContractVersion(major: 3, minor: 0, patch: 0), supported: CompiledArtifacts.currentVersion)) {
            try CompiledArtifacts.decode(Data(json.utf8))
        }
        // A 1.x plan may lack what 2.0 added and could be misread (a model rendered at apply time).
        let older = json.replacingOccurrences(of: "\"version\" : \"3.0.0\"\n}", with: "\"version\" : \"1.3.0\"\n}")
        #expect(throws: ContractError.incompatibleVersion(
            found: ContractVersion(major: 1, minor: 3, patch: 0), supported: CompiledArtifacts.currentVersion)) {
            try CompiledArtifacts.decode(Data(older.utf8))
        }
    }

    @Test func acceptsANewerMinorVersion() throws {
        var json = String(decoding: try Self.sample().encoded(), as: UTF8.self)
        json = json.replacingOccurrences(of: "\"version\" : \"\(CompiledArtifacts.currentVersion)\"\n}", with: "\"version\" : \"2.7.0\"\n}")
        #expect(try CompiledArtifacts.decode(Data(json.utf8)).version == ContractVersion(major: 2, minor: 7, patch: 0))
    }

    @Test func explainsMalformedPlans() throws {
        #expect(throws: ContractError.malformed("the file is not JSON (cut short, or edited by hand?)")) {
            try CompiledArtifacts.decode(Data("nope".utf8))
        }
        let whole = try Self.sample().encoded()
        #expect(throws: ContractError.malformed("the file is not JSON (cut short, or edited by hand?)")) {
            try CompiledArtifacts.decode(whole.prefix(whole.count / 2))
        }
        var withModel = Self.sample()
        withModel.models = [CompiledModel(uniqueID: "model.p.m", name: "m", path: "m.sql", materialized: .table,
                                          relation: Relation(schema: "ns", name: "m"), sql: "select 1", fingerprint: "")]
        var materializedView = String(decoding: try withModel.encoded(), as: UTF8.self)
        materializedView = materializedView.replacingOccurrences(of: "\"materialized\" : \"table\"", with: "\"materialized\" : \"materialized_view\"")
        #expect(throws: ContractError.malformed(
            "bad value at models[0].materialized: 'materialized_view' is not one of 'view', 'table', 'incremental', 'ephemeral', 'snapshot'")) {
            try CompiledArtifacts.decode(Data(materializedView.utf8))
        }
        #expect(throws: ContractError.malformed("missing field 'metadata' at the top level")) {
            try CompiledArtifacts.decode(Data(#"{"version": "2.0.0"}"#.utf8))
        }
    }

    @Test func secretReferencesNameTheirEnvironmentVariableAndFile() {
        let reference = SecretReference(name: "warehouse-db", key: "password")
        #expect(reference.environmentVariable == "FLOE_SECRET_WAREHOUSE_DB_PASSWORD")
        #expect(reference.filePath(mount: "/var/run/secrets/floe/") == "/var/run/secrets/floe/warehouse-db/password")
    }
}
