import Foundation
import Testing

/// PyPI's `gql`, unchanged, against `floe serve`'s GraphQL API on the built e-commerce demo: it
/// reads the schema by introspection and validates its queries against it; every answer equals
/// `/cubejs-api/v1/load`'s for the same question and token.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["FLOE_TEST_SQL_CLIENTS_PYTHON"] != nil,
                "no gql: ./scripts/test.sh installs it from PyPI and sets FLOE_TEST_SQL_CLIENTS_PYTHON"))
struct GraphQLClientTests {
    @Test func gqlIntrospectsAndGetsTheLoadAnswers() throws {
        let python = try #require(ProcessInfo.processInfo.environment["FLOE_TEST_SQL_CLIENTS_PYTHON"])
        let demo = try ServeCommandTests.builtDemo()
        let environment = ["FLOE_SECRET_CUBE_API_JWT_SECRET": ServeCommandTests.secret]
        let serve = try ServeProcess([], in: demo, environment: environment)
        defer { serve.stop() }
        let token = try FloeBinary.run(["serve", "--token", #"{"region": "EMEA"}"#], in: demo, environment: environment)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let script = FloeBinary.repositoryRoot.appendingPathComponent("Tests/FloeCLITests/Clients/graphql_client.py")
        let run = try FloeBinary.run(program: URL(fileURLWithPath: python), [script.path, String(serve.port), token])
        try #require(run.status == 0, "gql failed: \(run.stderr)\nthe server's log:\n\(serve.log)")
        let got = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let types = try #require(got["types"] as? [String])
        for name in ["Query", "Result", "OrdersMembers", "OrdersWhereInput", "OrdersOrderByInput", "RootWhereInput", "TimeDimension", "StringFilter",
                     "OrdersOverviewMembers"] {
            #expect(types.contains(name), "\(name) missing from \(types)")
        }
        for name in ["by_status", "monthly"] {
            let answers = try #require(got[name] as? [String: [[String?]]])
            #expect(answers["graphql"] == answers["load"] && answers["load"]?.isEmpty == false, "\(name): \(answers)")
        }
        #expect((got["view_or"] as? Int ?? 0) > 0)
        #expect((got["unknown_field"] as? String)?.contains("Cannot query field 'nope' on type 'OrdersMembers'") == true, "\(got["unknown_field"] ?? "")")
        #expect(got["bad_token"] as? Int == 403, "\(got["bad_token"] ?? "")")
    }
}
