import FloeCompiler
import FloeCore
import Foundation
import Testing

/// Each kind of diagnostic, with its exact text.
@Suite struct DiagnosticsTests {
    @Test func unknownKeyGetsDidYouMean() throws {
        let project = try TestProject(floe: TestProject.floe + "transfroms: []\n")
        #expect(project.messages() == [
            "floe.yaml:3:1: error: transfroms: unknown key 'transfroms' in floe.yaml\n  hint: did you mean 'transforms'?",
        ])
    }

    @Test func unknownKeyWithNothingCloseListsTheKeys() throws {
        let project = try TestProject(floe: TestProject.floe + "semantic: { path: cubes, flavour: x }\n", files: ["cubes/.keep": ""])
        #expect(project.messages() == [
            "floe.yaml:3:26: error: semantic.flavour: unknown key 'flavour' in semantic\n  hint: expected one of: path",
        ])
    }

    @Test func wrongTypeSaysWhatWasExpectedAndWhatWasFound() throws {
        let project = try TestProject(floe: TestProject.floe + """
            synthetic:
              orders:
                rows: many
                columns: { id: sequence }

            """)
        #expect(project.messages() == [
            "floe.yaml:5:11: error: synthetic.orders.rows: expected an integer, got a string",
        ])
    }

    @Test func numberWhereTextIsExpectedSuggestsQuoting() throws {
        let project = try TestProject(floe: "name: shop\nversion: 1\n")
        #expect(project.messages() == [
            "floe.yaml:2:10: error: version: expected a string, got an integer\n  hint: quote it if you mean the text: \"1\"",
        ])
    }

    @Test func missingRequiredFieldPointsAtTheMapping() throws {
        let project = try TestProject(floe: "version: \"1.0.0\"\n")
        #expect(project.messages() == [
            "floe.yaml:1:1: error: missing required field 'name' in floe.yaml\n  hint: add `name:` (the data product's name)",
        ])
    }

    @Test func badEnumValueListsChoicesAndSuggests() throws {
        let platform = TestProject.platform.replacingOccurrences(of: "type: sqlite", with: "type: sqlit")
        let project = try TestProject(platform: platform)
        #expect(project.messages() == [
            "platform.yaml:4:11: error: compute.default.type: unknown type 'sqlit' for a compute profile; expected one of sqlite, postgres, spark, duckdb, trino, snowflake or bigquery\n  hint: did you mean 'sqlite'?",
        ])
    }

    @Test func plainCredentialInPlatformMustBeASecretReferenceAndIsNeverEchoed() throws {
        let platform = TestProject.platform.replacingOccurrences(
            of: "password: { secret_ref: warehouse-db, key: password }", with: "password: correct-horse-battery")
        let project = try TestProject(platform: platform)
        let messages = project.messages()
        #expect(messages == [
            "platform.yaml:11:15: error: compute.warehouse.password: a credential must be a secret reference, not a plain value\n  hint: write `{ secret_ref: NAME, key: KEY }`; the value is read at run time from FLOE_SECRET_<NAME>_<KEY> or the file <mount>/<NAME>/<KEY>",
        ])
        #expect(!messages.joined().contains("correct-horse"))
    }

    @Test func secretReferenceNeedsBothParts() throws {
        let platform = TestProject.platform.replacingOccurrences(
            of: "password: { secret_ref: warehouse-db, key: password }", with: "password: { secret_ref: warehouse-db, kee: x }")
        let project = try TestProject(platform: platform)
        let messages = project.messages()
        #expect(messages.count == 2)
        #expect(messages[0].hasPrefix("platform.yaml:11:15: error: compute.warehouse.password: missing required field 'key' in a secret reference"))
        #expect(messages[1] == "platform.yaml:11:43: error: compute.warehouse.password.kee: unknown key 'kee' in a secret reference\n  hint: did you mean 'key'?")
    }

    @Test func passwordInFloeYamlIsRefusedWithItsLine() throws {
        let project = try TestProject(floe: TestProject.floe + "password: hunter2hunter2\n")
        let messages = project.messages()
        #expect(messages == [
            "floe.yaml:3:1: error: password: floe.yaml must not hold credentials: 'password' is a credential\n  hint: credentials belong in platform.yaml as a secret reference ({secret_ref: NAME, key: KEY}) on a profile; floe.yaml names the profile (compute: NAME)",
        ])
        #expect(!messages.joined().contains("hunter2"))
    }

    @Test func endpointInFloeYamlIsRefused() throws {
        let project = try TestProject(floe: TestProject.floe + "endpoint: http://db:5432\n")
        #expect(project.messages() == [
            "floe.yaml:3:1: error: endpoint: floe.yaml must not name a host or endpoint: 'endpoint' belongs in platform.yaml\n  hint: hosts and endpoints belong in a platform.yaml profile; floe.yaml names the profile (compute: NAME, storage: NAME, catalog: NAME)",
        ])
    }

    @Test func secretLookingValuesAndSecretReferencesInFloeYamlAreRefused() throws {
        let project = try TestProject(floe: TestProject.floe + """
            vars:
              key_id: AKIAIOSFODNN7EXAMPLE
              dsn_like: "postgres://admin:pw@db/app"
              nested: { secret_ref: warehouse-db, key: password }
              cert: "-----BEGIN PRIVATE KEY-----"

            """)
        #expect(project.messages().map { $0.components(separatedBy: "\n")[0] } == [
            "floe.yaml:4:11: error: vars.key_id: floe.yaml must not hold secrets: this value looks like an AWS access key id",
            "floe.yaml:5:13: error: vars.dsn_like: floe.yaml must not hold credentials: this value is a URL with a user name or password in it",
            "floe.yaml:6:13: error: vars.nested.secret_ref: floe.yaml must not hold secret references: 'secret_ref' belongs on a platform.yaml profile",
            "floe.yaml:7:9: error: vars.cert: floe.yaml must not hold secrets: this value looks like a PEM private key or certificate block",
        ])
    }

    @Test func syntheticColumnNamesAreDataNotSettings() throws {
        let project = try TestProject(floe: TestProject.floe + """
            synthetic:
              customers:
                rows: 10
                columns: { id: sequence, address: city, host: company, email: email }

            """)
        #expect(project.messages() == [])
    }

    @Test func unknownLogicalNameListsTheProfiles() throws {
        let project = try TestProject(floe: TestProject.floe + "compute: defualt\n")
        #expect(project.messages() == [
            "floe.yaml:3:10: error: compute: floe.yaml names compute profile 'defualt', which platform.yaml does not define (compute profiles: default, warehouse)\n  hint: did you mean 'default'?",
        ])
    }

    @Test func unknownEnvironmentGetsDidYouMean() throws {
        let project = try TestProject()
        #expect(project.messages(environment: "prd") == [
            "platform.yaml:16:1: error: environments: environment 'prd' is not defined in platform.yaml; environments: dev, prod, test\n  hint: did you mean 'prod'?",
        ])
    }

    @Test func environmentRemapToAMissingProfileIsReportedAtTheRemap() throws {
        let platform = TestProject.platform.replacingOccurrences(of: "compute: { default: warehouse }", with: "compute: { default: warehous }")
        let project = try TestProject(platform: platform)
        #expect(project.messages() == [
            "platform.yaml:20:25: error: environments.prod.compute.default: environment 'prod' maps compute 'default' to compute profile 'warehous', which platform.yaml does not define (compute profiles: default, warehouse)\n  hint: did you mean 'warehouse'?",
        ])
    }

    @Test func overridesAreCheckedAgainstTheProfileType() throws {
        let platform = TestProject.platform + """
              staging:
                namespace: floe-staging
                overrides:
                  compute:
                    warehouse: { port: "5433", colour: blue }
                    wharehouse: { port: 1 }

            """
        let project = try TestProject(platform: platform)
        #expect(project.messages() == [
            "platform.yaml:26:28: error: environments.staging.overrides.compute.warehouse.port: expected an integer, got a string\n  hint: remove the quotes: 5433 is a number only without them",
            "platform.yaml:26:36: error: environments.staging.overrides.compute.warehouse.colour: unknown key 'colour' in a postgres compute profile\n  hint: expected one of: host, port, database, user, password, sslmode, connect_timeout, schema, threads, type",
            "platform.yaml:27:9: error: environments.staging.overrides.compute.wharehouse: environment 'staging' overrides compute profile 'wharehouse', which platform.yaml does not define (compute profiles: default, warehouse)\n  hint: did you mean 'warehouse'?",
        ])
    }

    @Test func unknownNamespacePlaceholderIsReported() throws {
        let platform = TestProject.platform.replacingOccurrences(of: "floe-{environment}", with: "floe-{enviroment}")
        let project = try TestProject(platform: platform)
        #expect(project.messages() == [
            "platform.yaml:17:21: error: environments.dev.namespace: unknown placeholder '{enviroment}' in namespace\n  hint: did you mean '{environment}'?",
        ])
    }

    @Test func everyErrorOfBothFilesIsReportedInOneRun() throws {
        let platform = TestProject.platform
            .replacingOccurrences(of: "type: sqlite", with: "type: sqlit")
            .replacingOccurrences(of: "version: \"1\"", with: "version: \"2\"")
        let project = try TestProject(platform: platform, floe: "name: 1shop\nversion: \"1.0.0\"\nowner: \npassword: x\n")
        let messages = project.messages()
        #expect(messages.count == 5)
        #expect(Set(messages.map { $0.components(separatedBy: ":")[0] }) == ["floe.yaml", "platform.yaml"])
    }

    /// floe.yaml, platform.yaml and a model each with a mistake: all three in one run.
    @Test func everyFileIsReportedEvenWhenTheSpecHasErrors() throws {
        let project = try TestProject.dbt(["models/m.sql": "select {{ nope() }}"],
                                          floeExtra: "colour: blue\n")
        try project.write("platform.yaml", TestProject.platform.replacingOccurrences(of: "type: sqlite", with: "type: sqlite\n    shade: red"))
        let messages = project.messages()
        #expect(messages.count == 3, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("dbt/models/m.sql:1:11: error: unknown macro or function 'nope'") })
        #expect(messages.contains { $0.hasPrefix("floe.yaml:") && $0.contains("unknown key 'colour'") })
        #expect(messages.contains { $0.hasPrefix("platform.yaml:") && $0.contains("unknown key 'shade'") })
    }

    @Test func syntheticExpressionsAreChecked() throws {
        let project = try TestProject(floe: TestProject.floe + """
            synthetic:
              items:
                rows: 10
                columns:
                  quantity: {type: integer, min: 1, max: 5}
                  subtotal: {type: expression, expression: "quantiy * 2"}
                  broken: {type: expression, expression: "quantity *"}
                  a: {type: expression, expression: "b + 1"}
                  b: {type: expression, expression: "a - 1"}

            """)
        let messages = project.messages()
        #expect(messages.contains { $0.contains("subtotal.expression: no column 'quantiy' in this table") && $0.contains("did you mean") })
        #expect(messages.contains { $0.contains("broken.expression: the expression ends early (at character 11 of the expression)") })
        #expect(messages.contains { $0.contains("columns.a.expression: 'a' depends on itself") })
        #expect(messages.contains { $0.contains("columns.b.expression: 'b' depends on itself") })
        #expect(messages.count == 4, "\(messages)")
    }

    @Test func childTablesAreChecked() throws {
        let project = try TestProject(floe: TestProject.floe + """
            synthetic:
              orders:
                rows: 10
                columns: {order_id: sequence}
              items:
                rows: 5
                per_parent: {table: order, min: 3, max: 1}
                columns:
                  order_id: {type: parent, column: id}
              loose:
                columns:
                  order_id: {type: parent, column: order_id}

            """)
        let messages = project.messages()
        #expect(messages.contains { $0.contains("synthetic.items.rows: `rows` and `per_parent` both given") })
        #expect(messages.contains { $0.contains("per_parent.table: no other synthetic table named 'order'") && $0.contains("did you mean 'orders'") })
        #expect(messages.contains { $0.contains("per_parent.max: max is below min") })
        #expect(messages.contains { $0.contains("synthetic.loose: a synthetic table needs `rows` or `per_parent`") })
        #expect(messages.contains { $0.contains("synthetic.loose.columns.order_id: a parent column needs the table's per_parent") })
        #expect(messages.count == 5, "\(messages)")
    }

    @Test func missingDbtProjectIsReported() throws {
        let project = try TestProject(floe: TestProject.floe + "transforms: [{ type: dbt, path: dbt }]\n", files: ["dbt/README": "x"])
        #expect(project.messages() == [
            "floe.yaml:3:33: error: transforms[0].path: 'dbt' has no dbt_project.yml\n  hint: point `path` at the directory that holds dbt_project.yml",
        ])
    }

    @Test func syntheticReferencesAreChecked() throws {
        let project = try TestProject(floe: TestProject.floe + """
            synthetic:
              customers:
                rows: 10
                columns: { id: sequence }
              orders:
                rows: 10
                columns:
                  customer_id: { type: reference, table: customers, column: customer_id }
                  status: { type: choice, values: [a, b], weights: [1] }

            """)
        #expect(project.messages() == [
            "floe.yaml:10:65: error: synthetic.orders.columns.customer_id.column: synthetic table 'customers' has no column 'customer_id'\n  hint: columns: id",
            "floe.yaml:11:56: error: synthetic.orders.columns.status.weights: 1 weight for 2 values\n  hint: give one weight per value, in the same order",
        ])
    }
}

/// Input that would crash or hang a careless parser gets one clear error.
@Suite struct HostileInputTests {
    @Test func emptyFileSaysWhatIsRequired() throws {
        let project = try TestProject(floe: "")
        #expect(project.messages() == ["floe.yaml:1:1: error: the file is empty; expected floe.yaml's fields\n  hint: required: name, version"])
    }

    @Test func binaryGarbageIsNotText() throws {
        let project = try TestProject()
        try Data([0xFF, 0xFE, 0x00, 0x81, 0x9F, 0x00]).write(to: URL(fileURLWithPath: project.specPath))
        #expect(project.messages() == [
            "floe.yaml:1:1: error: the file is not UTF-8 text\n  hint: save it as UTF-8; it may be a binary file given by mistake",
        ])
    }

    @Test func controlCharactersAreRefused() throws {
        let project = try TestProject(floe: "name: a\u{01}b\nversion: \"1.0.0\"\n")
        #expect(project.messages().first?.hasPrefix("floe.yaml:1:8: error: the file contains a control character (U+1)") == true)
    }

    @Test func aliasBombIsStopped() throws {
        var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for level in 1...9 { lines.append("a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]") }
        let project = try TestProject(floe: lines.joined(separator: "\n") + "\nname: shop\nversion: \"1.0.0\"\n")
        #expect(project.messages().first?.hasPrefix("floe.yaml:1:1: error: the document expands to more than 1000000 nodes") == true)
    }

    @Test func deepNestingIsRefusedBeforeParsing() throws {
        let project = try TestProject(floe: "name: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n")
        #expect(project.messages() == ["floe.yaml:1:1: error: the document is nested too deeply (more than 512 levels)"])
    }

    @Test func hugeFileIsRefusedWithoutReadingIt() throws {
        let project = try TestProject()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: project.specPath))
        try handle.truncate(atOffset: 100 * 1024 * 1024)
        try handle.close()
        #expect(project.messages() == [
            "floe.yaml:1:1: error: the file is too large (100 MiB; the limit is 16 MiB)\n  hint: a configuration file is a few kilobytes; check that this is the right file",
        ])
    }

    @Test func syntaxErrorsPointAtTheProblem() throws {
        let project = try TestProject(floe: "name: [shop\nversion: \"1.0.0\"\n")
        let messages = project.messages()
        #expect(messages.count == 1)
        #expect(messages[0].hasPrefix("floe.yaml:2:8: error: invalid YAML: did not find expected ',' or ']'"))
    }

    @Test func duplicateKeysAreReported() throws {
        let project = try TestProject(floe: "name: a\nname: b\nversion: \"1.0.0\"\n")
        #expect(project.messages().first?.contains("duplicate key 'name'") == true)
    }

    @Test func topLevelListIsTheWrongShape() throws {
        let project = try TestProject(floe: "- a\n- b\n")
        #expect(project.messages() == ["floe.yaml:1:1: error: expected a mapping (floe.yaml), got a list"])
    }

    @Test func mergeKeysWork() throws {
        let merged = TestProject.platform.replacingOccurrences(of: """
              warehouse:
                type: postgres
                host: db.internal
                database: analytics
                user: floe
            """, with: """
              base: &pg { type: postgres, host: db.internal, database: analytics, user: floe }
              warehouse:
                <<: *pg
            """)
        let project = try TestProject(platform: merged, floe: TestProject.floe)
        let output = project.compile(environment: "prod")
        #expect(output.diagnostics.isEmpty)
        #expect(output.artifacts?.profiles.compute.string("host") == "db.internal")
        #expect(output.artifacts?.profiles.compute.settings["password"]?.secretValue?.name == "warehouse-db")
    }
}
