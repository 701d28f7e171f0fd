import FloeCompiler
import FloeContract
import FloeCore
import Foundation
import Testing

@Suite struct CompileTests {
    /// The plan's timestamp is formatted by hand; it matches Foundation's formatter everywhere,
    /// leap days, centuries and dates before 1970 included.
    @Test func compileTimestampsMatchFoundationsFormatter() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'"
        #expect(CompileTimestamp.iso8601(Date(timeIntervalSince1970: 1_700_000_000)) == "2023-11-14T22:13:20Z")
        #expect(CompileTimestamp.iso8601(Date(timeIntervalSince1970: 951_782_400.9)) == "2000-02-29T00:00:00Z")
        var seconds = -2_208_988_800  // 1900-01-01
        while seconds < 4_102_444_800 {  // 2100-01-01
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            #expect(CompileTimestamp.iso8601(date) == formatter.string(from: date), "at \(seconds)")
            seconds += 7_919_993  // a prime number of seconds: every month, day and hour comes up
        }
    }

    @Test func sameInputsGiveTheSameBytes() throws {
        let project = try TestProject()
        let first = try #require(project.compile().json)
        let second = try #require(project.compile().json)
        #expect(first == second)
    }

    @Test func testEnvironmentGetsAFreshNamespaceEachCompile() throws {
        let project = try TestProject()
        let first = project.compile(environment: "test", uuid: "aaaa").artifacts?.environment.namespace
        let second = project.compile(environment: "test", uuid: "bbbb").artifacts?.environment.namespace
        #expect(first == "floe-test-aaaa")
        #expect(second == "floe-test-bbbb")
    }

    @Test func theDefaultUUIDIsRandom() throws {
        let project = try TestProject()
        func namespace() -> String? {
            ProjectCompiler.compile(CompileOptions(specPath: project.specPath, platformPath: project.platformPath,
                                                   environment: "test")).artifacts?.environment.namespace
        }
        let first = try #require(namespace())
        #expect(first.hasPrefix("floe-test-"))
        #expect(first != namespace())
    }

    @Test func environmentSubstitutesItsNameAndRemapsProfiles() throws {
        let project = try TestProject()
        let dev = try #require(project.compile(environment: "dev").artifacts)
        #expect(dev.environment == ResolvedEnvironment(name: "dev", namespace: "floe-dev"))
        #expect(dev.profiles.compute.type == "sqlite")
        let prod = try #require(project.compile(environment: "prod").artifacts)
        #expect(prod.profiles.compute.name == "warehouse")
        #expect(prod.profiles.compute.logicalName == "default")
        #expect(prod.profiles.compute.settings["password"] == .secret(SecretReference(name: "warehouse-db", key: "password")))
        #expect(prod.secretReferences == [SecretReference(name: "warehouse-db", key: "password")])
    }

    @Test func overridesReplaceProfileSettingsInTheirEnvironmentOnly() throws {
        let project = try TestProject(platform: TestProject.platform + """
              staging:
                namespace: floe-staging
                overrides:
                  compute:
                    default: { path: ".floe/staging-copy.db" }

            """)
        #expect(project.compile(environment: "staging").artifacts?.profiles.compute.string("path") == ".floe/staging-copy.db")
        #expect(project.compile(environment: "dev").artifacts?.profiles.compute.string("path") == ".floe/{environment}.db")
    }

    @Test func storageAndCatalogDefaultWhenThePlatformDeclaresNone() throws {
        let project = try TestProject(platform: """
            version: "1"
            compute:
              default: { type: sqlite, path: db.sqlite }

            """)
        let plan = try #require(project.compile(environment: "anything").artifacts)
        #expect(plan.environment.namespace == "anything")
        #expect(plan.profiles.storage.type == "local")
        #expect(plan.profiles.catalog.type == "none")
    }

    @Test func metadataRecordsEveryInputWithItsHash() throws {
        let project = try TestProject()
        let plan = try #require(project.compile().artifacts)
        #expect(plan.metadata.inputs.map(\.path) == ["floe.yaml", "platform.yaml"])
        #expect(plan.metadata.inputs.allSatisfy { $0.sha256.count == 64 })
        #expect(plan.metadata.compiledAt == "2023-11-14T22:13:20Z")
        #expect(plan.metadata.toolVersion == FloeVersion.current)
        let before = plan.metadata.inputsSHA256
        try project.write("floe.yaml", TestProject.floe + "description: changed\n")
        #expect(project.compile().artifacts?.metadata.inputsSHA256 != before)
    }

    @Test func planDecodesWithTheContractAlone() throws {
        let project = try TestProject()
        let output = project.compile()
        let json = try #require(output.json)
        #expect(try CompiledArtifacts.decode(json) == output.artifacts)
    }

    /// Random-looking data in SQL is not refused; a key is, with a way out for data the scan
    /// mistakes, which never lets a key of a known format through.
    @Test func thePlansSecretScanTellsDataFromKeys() throws {
        func project(_ sql: String, floeExtra: String = "") throws -> TestProject {
            try TestProject.dbt(["models/keys.sql": sql], floeExtra: floeExtra)
        }
        let data = try project("""
            select md5(id) as k from t where md5(id) = 'd41d8cd98f00b204e9800998ecf8427e'
              and payment = 'pi_3MtwBwLkdIwHu7ix28a3tqPa' and link = 'aHR0cHM6Ly9leGFtcGxlLmNvbS9wYXRoL3RvL3BhZ2U/cT0x'
            """)
        #expect(data.messages().isEmpty, "\(data.messages())")

        let key = try project("select 'k9QhZ2xR7vTq4WbN8sLp3JdY6FmA1cEu' as api_key")
        let refused = key.messages()
        #expect(refused.count == 1)
        #expect(refused.first?.contains("models[0].sql (in model.shop.keys) looks like a long random-looking string") == true, "\(refused)")
        #expect(refused.first?.contains("list the node under floe.yaml's secret_scan: {allow: [...]}") == true)

        let allowed = try project("select 'k9QhZ2xR7vTq4WbN8sLp3JdY6FmA1cEu' as sample_id", floeExtra: "secret_scan:\n  allow: [keys]\n")
        #expect(allowed.messages().isEmpty, "\(allowed.messages())")
        let stillRefused = try project("select 'AKIAIOSFODNN7EXAMPLE' as key_id", floeExtra: "secret_scan:\n  allow: [model.shop.keys]\n")
        #expect(stillRefused.messages().first?.contains("looks like an AWS access key id") == true)
    }

    @Test func secretValuesInTheEnvironmentNeverReachThePlan() throws {
        let marker = "marker-7f3a-do-not-leak"
        let environment = ["FLOE_SECRET_WAREHOUSE_DB_PASSWORD": marker]
        let clean = try TestProject()
        let plan = try #require(clean.compile(environment: "prod", processEnvironment: environment).json)
        #expect(!String(decoding: plan, as: UTF8.self).contains(marker))

        // A platform team that pasted the value itself somewhere is stopped before anything is written.
        let leaky = try TestProject(platform: TestProject.platform.replacingOccurrences(of: "database: analytics", with: "database: \(marker)"))
        let output = leaky.compile(environment: "prod", processEnvironment: environment)
        #expect(output.json == nil)
        let messages = leaky.messages(environment: "prod", processEnvironment: environment)
        #expect(messages.count == 1)
        #expect(messages[0].contains("refusing to write a plan with a secret in it: profiles.compute.settings.database contains the value of a FLOE_SECRET_* variable"))
        #expect(!messages.joined().contains(marker))
    }

    /// The plan's last check reads every string of the JSON, escaped or not, in parallel pieces:
    /// a key in a model's SQL is found wherever it sits among many models.
    @Test func aSecretLookingValueInAModelStopsThePlan() throws {
        var files: [String: String] = [:]
        for index in 0..<300 { files["models/m_\(index).sql"] = "select \(index) as id\n" }
        files["models/m_150.sql"] = "select 1 as id\n-- \"AKIAIOSFODNN7EXAMPLE\"\n"
        files["models/m_299.sql"] = "select 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U' as t"
        let project = try TestProject.dbt(files)
        #expect(project.compile().json == nil)
        let messages = project.messages()
        #expect(messages.contains { $0.contains(".sql (in model.shop.m_150) looks like an AWS access key id") }, "\(messages)")
        #expect(messages.contains { $0.contains(".sql (in model.shop.m_299) looks like a JSON Web Token") }, "\(messages)")
        #expect(!messages.joined().contains("AKIAIOSFODNN7EXAMPLE"))
        // The SHA-256 fingerprints are long hex words; they are ours and not reported.
        #expect(!messages.joined().contains("fingerprint"))
    }

    @Test func syntheticTablesAreCarriedIntoThePlan() throws {
        let project = try TestProject(floe: TestProject.floe + """
            synthetic:
              customers:
                rows: 100
                columns:
                  id: sequence
                  region: { type: choice, values: [NA, EMEA], weights: [3, 1], null_rate: 0.1 }
                quality: { duplicate_rate: 0.01 }

            """)
        let table = try #require(project.compile().artifacts?.synthetic.first)
        #expect(table.name == "customers")
        #expect(table.seed == 42)
        #expect(table.columns.map(\.generator) == ["sequence", "choice"])
        #expect(table.columns[1].options["null_rate"] == .number(0.1))
        #expect(table.quality.duplicateRate == 0.01)
    }
}

/// The plan's SQL is written in the compute engine's dialect: an environment whose compute
/// profile has none cannot be compiled, and the error says where and which types can.
@Suite struct ComputeDialectTests {
    @Test func aComputeTypeWithoutADialectIsALocatedError() throws {
        let platform = TestProject.platform
            .replacingOccurrences(of: "\nstorage:", with: "\n  duck: { type: duckdb, path: \":memory:\" }\nstorage:")
            .replacingOccurrences(of: "  test: { namespace: \"floe-test-{uuid}\" }", with: "  test: { namespace: \"floe-test-{uuid}\" }\n  lake: { namespace: lake, compute: { default: duck } }")
        let project = try TestProject(platform: platform)
        #expect(project.messages(environment: "dev").isEmpty, "only the environment compiled matters")
        #expect(project.messages(environment: "lake") == [
            "platform.yaml:12:17: error: compute.duck.type: compute profile 'duck' has type 'duckdb', and floe has no SQL dialect for it; "
                + "floe writes SQL for sqlite, postgres and spark\n  hint: give environment 'lake' a compute profile of type sqlite, postgres or spark",
        ])
    }

    /// Spark's metastore names databases with letters, digits and _ only: a namespace with a
    /// dash is refused at compile, where platform.yaml says it, with the name that would do.
    @Test func aNamespaceSparkCannotNameIsALocatedError() throws {
        let platform = TestProject.platform
            .replacingOccurrences(of: "\nstorage:", with: "\n  cluster: { type: spark, host: spark.internal }\nstorage:")
            .replacingOccurrences(of: "  test: { namespace: \"floe-test-{uuid}\" }",
                                  with: "  test: { namespace: \"floe-test-{uuid}\" }\n  lake: { namespace: floe-lake, compute: { default: cluster } }"
                                      + "\n  lake2: { namespace: floe_lake, compute: { default: cluster } }")
        let project = try TestProject(platform: platform)
        #expect(project.messages(environment: "lake") == [
            "platform.yaml:23:22: error: environments.lake.namespace: namespace 'floe-lake' is not a schema name spark takes: letters, digits and _ only"
                + "\n  hint: name it 'floe_lake'",
        ])
        #expect(project.messages(environment: "lake2").isEmpty)
    }
}
