import ArgumentParser
import FloeConnect
import FloeEngine
import FloeRuntime
import FloeSemantic
import Foundation

/// `floe query`: one Cube query over the plan's cubes, answered from the warehouse.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Answer a Cube query (JSON) over the plan's cubes.",
        usage: "floe query [<artifacts.json>] <query> [--format <format>] [--sql] [--project-dir <dir>] [project flags]",
        discussion: """
            QUERY is Cube's REST query JSON, given as text or as @file.json, e.g. \
            '{"measures":["Orders.count"],"dimensions":["Orders.status"]}'. \
            Exit codes: 2 for a query the cubes cannot answer, 1 when the warehouse refuses it \
            (not built yet), 5 and 6 as for apply.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, csv
    }

    @Argument(help: ArgumentHelp(
        "[artifacts.json] QUERY: a plan (default: the project compiled first, into target/artifacts.json), then the query as JSON text or @file.json.",
        valueName: "query"))
    var arguments: [String] = []

    @Option(help: "table for people; json for Cube's /load response; csv for programs.")
    var format: Format = .table

    @Flag(help: "Print the generated SQL and its bound values instead of running it.")
    var sql = false

    @Option(help: ArgumentHelp("The directory of floe.yaml (default: the parent of the plan's target/ directory).", valueName: "dir"))
    var projectDir: String?

    var artifacts: String? { arguments.count == 2 ? arguments[0] : nil }

    @OptionGroup var project: ProjectOptions

    func validate() throws {
        guard (1...2).contains(arguments.count) else {
            throw ValidationError("give the query: floe query [artifacts.json] '{\"measures\": [\"Orders.count\"]}'")
        }
    }

    func run() throws {
        let (plan, path) = try CurrentPlan.load(named: artifacts, project: project, command: "query")
        let query: CubeQuery
        let runner: QueryRunner
        do {
            query = try CubeQuery(json: try Self.readQuery(arguments.last ?? ""))
            runner = try QueryRunner(plan: plan)
        } catch {
            Console.standardError.line("error: \(error.description)")
            throw FloeExit(FloeExitCode(query: error))
        }
        let connection: (any EngineConnection)?
        do {
            connection = try PlanConnection.open(
                plan, projectDirectory: projectDir ?? PlanFile.projectDirectory(forPlan: path),
                environment: ProcessInfo.processInfo.environment).connection
        } catch {
            // --sql still shows the SQL that would run on the models.
            guard sql else {
                Console.standardError.line("error: \(error.description)")
                throw FloeExit(FloeExitCode(error))
            }
            connection = nil
        }
        let rollups = connection.map { PreAggregationState.current(plan, connection: $0) } ?? []
        if sql {
            do {
                let generated = try runner.generate(query, rollups: rollups)
                if let used = generated.preAggregation { Console.standardOutput.line("-- answered from the rollup \(used)") }
                Console.standardOutput.write(generated.sql + ";\n")
                for (index, value) in generated.parameters.enumerated() {
                    let dialect = runner.compiler.dialect
                    let shown = if case .text(let text) = value { dialect.stringLiteral(text) } else { value.displayText ?? "null" }
                    Console.standardOutput.line("-- \(dialect.parameter(index + 1)) = \(shown)")
                }
            } catch {
                Console.standardError.line("error: \(error.description)")
                throw FloeExit(FloeExitCode(query: error))
            }
            return
        }
        // Without --sql, a connection that failed has ended the command above.
        guard let connection else { return }
        let result: LoadResult
        do {
            result = try runner.load(query, on: connection, rollups: rollups)
        } catch {
            Console.standardError.line("error: \(error.description)")
            if let failed = error.sql { Console.standardError.line("the SQL that failed:\n\(failed)") }
            throw FloeExit(FloeExitCode(query: error))
        }
        switch format {
        case .json: Console.standardOutput.line(result.json.text)
        case .table: Console.standardOutput.write(RowFormatter.table(Self.cells(result)))
        case .csv: Console.standardOutput.write(RowFormatter.csv(Self.cells(result)))
        }
    }

    /// The query text: the argument itself, or the file after `@`.
    static func readQuery(_ argument: String) throws(SemanticError) -> JSONValue {
        var text = argument
        if argument.hasPrefix("@") {
            let path = String(argument.dropFirst())
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SemanticError(.badQuery, "cannot read the query file \(path)")
            }
            text = String(decoding: data, as: UTF8.self)
        }
        do {
            return try JSONValue.parse(text)
        } catch {
            throw SemanticError(.badQuery, "the query is not JSON: \(error.description)")
        }
    }

    /// The rows with Cube's keys as columns and Cube's formatted values (time members once, by
    /// their granularity key).
    static func cells(_ result: LoadResult) -> ResultSet {
        let columns = result.generated.columns.map { $0.keys[0] }
        let rows = result.data.map { object in
            object.filter { columns.contains($0.0) }.map { _, value -> SQLValue in
                switch value {
                case .string(let text): .text(text)
                case .bool(let flag): .text(flag ? "true" : "false")
                case .number(let text): .text(text)
                default: .null
                }
            }
        }
        return ResultSet(columns: columns, rows: rows)
    }
}
