import FloeContract
import FloeCore
import FloeEngine
import FloeJinja
import FloeTemplates
import Foundation

/// The plan's leaves and what is compiled but never built: seeds (their columns inferred from the
/// CSV), sources, exposures and analyses.
extension DbtPlanAssembly {
    /// Seeds, sources, exposures and analyses.
    mutating func compileLeaves() {
        compileSeeds()
        compileSources()
        compileExposures()
        compileAnalyses()
    }

    // MARK: Seeds and sources

    private mutating func compileSeeds() {
        for slot in table.seeds {
            let (file, config) = (table[seed: slot].file, table[seed: slot].config)
            guard config.enabled, let (data, sha256) = read(file) else { continue }
            switch SeedInference.infer(Array(data)) {
            case .failure(let failure):
                let (line, message): (Int, String) = switch failure {
                case .empty: (1, "the seed file is empty; expected a header row")
                case .unterminatedQuote(let line): (line, "a quoted field is never closed")
                case .ragged(let line, let expected, let got): (line, "the row has \(got) fields, the header has \(expected)")
                }
                result.diagnostics.append(.error(at: SourceLocation(file: file.display, line: line, column: 1), message))
            case .success(let inferred):
                let described = Dictionary((properties.seeds[file.stem]?.columns ?? []).map { ($0.name, $0) }) { first, _ in first }
                let columns = zip(inferred.header, inferred.kinds).map { name, kind in
                    ColumnSpec(name: name, type: config.columnTypes[name] ?? request.dialect.typeName(for: kind),
                               description: described[name]?.description)
                }
                for name in config.columnTypes.keys.sorted() where !inferred.header.contains(name) {
                    result.diagnostics.append(.warning(at: .file(file.display), path: "column_types.\(name)",
                                                       "column_types names a column the seed does not have",
                                                       hint: Suggestions.didYouMean(name, in: inferred.header)))
                }
                result.seeds.append(CompiledSeed(
                    uniqueID: table[slot].uniqueID, name: file.stem, path: file.planPath, relation: table[slot].relation,
                    columns: columns, sha256: sha256, tags: config.tags))
            }
        }
    }

    private mutating func compileSources() {
        for (index, position, slot) in table.sourceTables(of: properties.sources) {
            let source = properties.sources[index], described = source.tables[position]
            result.sources.append(CompiledSource(
                uniqueID: table[slot].uniqueID, sourceName: source.name, name: described.properties.name, relation: table[slot].relation,
                columns: described.properties.columns.map { ColumnSpec(name: $0.name, type: $0.dataType, description: $0.description) }))
        }
        result.sources.sort { $0.uniqueID < $1.uniqueID }
    }

    /// Each analysis rendered as a model would be, and finished: compiled, never run.
    private mutating func compileAnalyses() {
        for file in files.analyses {
            guard let (data, _) = read(file) else { continue }
            let outcome = serialContext.render(source: String(decoding: data, as: UTF8.self), file: file.display, slot: nil,
                                               model: [("name", .string(file.stem)), ("resource_type", .string("analysis"))],
                                               base: NodeConfig(), incremental: false)
            if outcome.needsDatabase {
                result.diagnostics.append(.warning(at: .file(file.display), "analysis \(file.stem) queries the database while rendering; it is not compiled",
                                                   hint: "floe compiles without a connection; only models and tests are rendered at apply time"))
                continue
            }
            result.diagnostics += outcome.diagnostics
            guard outcome.error == nil else { continue }
            result.analyses.append(CompiledAnalysis(
                uniqueID: "analysis.\(file.package).\(file.stem)", name: file.stem, path: file.planPath,
                sql: finish(outcome.text, refs: outcome.refs).trimmingCharacters(in: .whitespacesAndNewlines), dependsOn: dependencies(outcome)))
        }
        result.analyses.sort { $0.uniqueID < $1.uniqueID }
    }

    /// Each exposure with the unique ids of what its `depends_on` names.
    private mutating func compileExposures() {
        for exposure in properties.exposures {
            var dependsOn: [String] = []
            for (written, location) in exposure.dependsOn {
                let (_, outcome) = serialContext.expression(GenericTestBuilder.relationExpression(written) ?? written, at: location, base: NodeConfig())
                if let error = outcome.error {
                    result.diagnostics.append(.error(at: location, "exposure '\(exposure.name)': \(error.message)",
                                                     hint: error.hint ?? "depends_on lists ref('model') or source('source', 'table')"))
                    continue
                }
                dependsOn += (outcome.refs + outcome.sources).map { table[$0.slot].uniqueID }
            }
            let path = planPath(ofProperties: exposure.location.file)
            result.exposures.append(CompiledExposure(
                uniqueID: "exposure.\(exposure.package).\(exposure.name)", name: exposure.name, type: exposure.type, path: path,
                owner: exposure.owner, url: exposure.url, description: exposure.description, dependsOn: dependsOn))
        }
        result.exposures.sort { $0.uniqueID < $1.uniqueID }
    }
}
