import ArgumentParser
import FloeColumnLineage
import FloeCompiler
import FloeConnect
import FloeContract
import FloeRuntime
import FloeCore
import FloeSQL
import FloeSemantic
import Foundation

/// `floe lineage`: column-level lineage from the project's compiled SQL.
struct LineageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "Show where a column comes from and what is derived from it, through the whole project and its cubes.",
        discussion: """
            COLUMN is NODE.COLUMN: a model, seed, snapshot or synthetic table (stg_orders.amount), a source \
            (raw.orders.id) or a cube's member (Orders.total_revenue). Without COLUMN, every column the analysis \
            read and its inputs. Models whose SQL cannot be analysed are named in warnings, never given a guessed \
            edge. Exit 2 for a column the project does not have, 4 when the project does not compile.
            """)

    @OptionGroup var project: ProjectOptions

    @Argument(help: ArgumentHelp("The column, as NODE.COLUMN.", valueName: "column"))
    var column: String?

    @Flag(help: "Only where the column comes from.")
    var upstream = false

    @Flag(help: "Only what is derived from the column.")
    var downstream = false

    @Option(help: "text: an indented tree; json: one object.")
    var format: Format = .text

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    func run() throws {
        let compiled = ProjectCompiler.compile(try project.compileOptions(command: "lineage"))
        Console.standardError.report(compiled.diagnostics.filter { $0.severity == .error })
        guard let declared = compiled.artifacts else { throw FloeExit(.invalidConfiguration) }
        let plan = RunnablePlan(withRollupsOf: declared).plan
        let lineage = ProjectColumnLineage(plan: plan, rendered: Self.lastRendering(of: plan, spec: project.spec))
        let graph = ColumnGraph(plan: plan, lineage: lineage)
        for warning in lineage.warnings { Console.standardError.line(warning.description) }
        guard let reference = column else {
            try printAll(graph, lineage, plan: plan)
            return
        }
        guard let start = graph.column(reference) else {
            let node = reference.split(separator: ".").dropLast().joined(separator: ".")
            let hint = Suggestions.didYouMean(node, in: graph.nodeNames).map { "; \($0)" } ?? ""
            Console.standardError.line("error: '\(reference)' is not a column of the project: expected NODE.COLUMN\(hint)")
            throw FloeExit(.usage)
        }
        let both = upstream == downstream
        let up = both || upstream ? graph.upstream(of: start) : []
        let down = both || downstream ? graph.downstream(of: start) : []
        let decided = graph.decidedBy(start)
        switch format {
        case .json:
            let steps = { (steps: [ColumnGraph.Step]) -> [[String: Any]] in
                steps.map { ["depth": $0.depth, "edge": $0.edge, "column": graph.display($0.column), "node": $0.column.node] }
            }
            var object: [String: Any] = ["column": graph.display(start), "node": start.node]
            if both || upstream { object["upstream"] = steps(up) }
            if both || downstream { object["downstream"] = steps(down) }
            object["decided_by"] = decided.map { ["column": graph.display($0.column), "edges": $0.kinds] }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            Console.standardOutput.line(String(decoding: data, as: UTF8.self))
        case .text:
            let unread = lineage.warnings.contains { $0.node == start.node }
            Console.standardOutput.line(graph.display(start) + (unread ? "  (no column lineage: see the warning above)" : ""))
            if both || upstream {
                Console.standardOutput.line("  from:" + (up.isEmpty ? " nothing upstream" : ""))
                for step in up { Console.standardOutput.line(line(step, graph, arrow: "←")) }
            }
            if both || downstream {
                Console.standardOutput.line("  into:" + (down.isEmpty ? " nothing downstream" : ""))
                for step in down { Console.standardOutput.line(line(step, graph, arrow: "→")) }
            }
            if !decided.isEmpty {
                Console.standardOutput.line("  rows decided by:")
                for entry in decided {
                    Console.standardOutput.line("    \(graph.display(entry.column))  \(entry.kinds.joined(separator: ", "))")
                }
            }
        }
    }

    /// The SQL the last run rendered for each model rendered at apply time, from the run results
    /// beside the plan (said on stderr, since it may be older than the files).
    static func lastRendering(of plan: CompiledArtifacts, spec: String) -> [String: String] {
        let late = Set(plan.models.filter { $0.renderAtApply == true }.map(\.uniqueID))
        let path = (CompileCommand.defaultOutput(forSpec: spec) as NSString).deletingLastPathComponent + "/floe_run_results.json"
        guard !late.isEmpty, let data = FileManager.default.contents(atPath: path),
              let results = try? JSONDecoder().decode(RunResults.self, from: data) else { return [:] }
        var rendered: [String: String] = [:]
        for result in results.results where late.contains(result.uniqueID) {
            if let sql = result.compiledCode, !sql.isEmpty { rendered[result.uniqueID] = sql }
        }
        if !rendered.isEmpty {
            Console.standardError.line("note: \(rendered.count) model\(rendered.count == 1 ? " is" : "s are") rendered at apply time: "
                + "their lineage is from the SQL the run of \(results.metadata.startedAt) rendered (\(path))")
        }
        return rendered
    }

    private func line(_ step: ColumnGraph.Step, _ graph: ColumnGraph, arrow: String) -> String {
        String(repeating: "  ", count: step.depth + 1) + "\(arrow) \(graph.display(step.column))  \(step.edge)" + (step.repeated ? "  (above)" : "")
    }

    /// Every analysed node's columns and their direct inputs; in JSON, every edge.
    private func printAll(_ graph: ColumnGraph, _ lineage: ProjectColumnLineage, plan: CompiledArtifacts) throws {
        let order = plan.models.map(\.uniqueID) + (plan.cubes ?? []).map { ProjectColumnLineage.cubeID($0.name) }
        if format == .json {
            func inputs(_ inputs: ColumnInputs) -> [[String: Any]] {
                inputs.sorted { $0.key < $1.key }.map { input, edges in
                    var entry: [String: Any] = ["column": graph.display(.init(node: input.relation, column: input.column)), "node": input.relation,
                                                "indirect": edges.indirect.sorted().map(\.rawValue)]
                    if let direct = edges.direct { entry["direct"] = direct.rawValue }
                    return entry
                }
            }
            let nodes: [[String: Any]] = order.compactMap { id in
                lineage.nodes[id].map { node in
                    ["node": id, "name": graph.names[id] ?? id, "dataset": inputs(node.dataset),
                     "columns": node.columns.map { ["name": $0.name, "inputs": inputs($0.inputs)] as [String: Any] }]
                }
            }
            let object: [String: Any] = ["nodes": nodes, "warnings": lineage.warnings.map(\.description)]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            Console.standardOutput.line(String(decoding: data, as: UTF8.self))
            return
        }
        for id in order {
            guard let node = lineage.nodes[id] else { continue }
            Console.standardOutput.line(graph.names[id] ?? id)
            for column in node.columns {
                let inputs = column.inputs.sorted { $0.key < $1.key }.compactMap { input, edges in
                    edges.direct.map { "\(graph.display(.init(node: input.relation, column: input.column))) \($0.rawValue)" }
                }
                Console.standardOutput.line("  \(column.name) ← " + (inputs.isEmpty ? "(no column)" : inputs.joined(separator: ", ")))
            }
        }
    }
}
