import FloeJinja
import FloeTemplates
import Crypto
import FloeContract
import FloeCore
import FloeEngine
import Foundation

/// What the dbt project is compiled for.
struct DbtCompileRequest {
    /// The directory that holds dbt_project.yml.
    var root: URL
    /// The project directory as messages print it and as the plan records it, each empty or ending in `/`.
    var displayPrefix: String
    var planPrefix: String
    var dialect: any SQLDialect
    /// The environment's name (`target.name`) and namespace (`target.schema`, the default schema).
    var targetName: String
    var namespace: String
    /// The compute profile's `database` (`target.database`); empty where the engine has none.
    var database = ""
    /// floe.yaml's vars and `--vars`, over the project's own.
    var vars: [String: ConfigInput]
    var environment: [String: String]
    var compiledAt: String
    /// dbt's `flags` for the command compiling.
    var flags = TemplateFlags()
}

/// The project's part of the plan.
struct DbtCompileResult {
    var models: [CompiledModel] = []
    var seeds: [CompiledSeed] = []
    var sources: [CompiledSource] = []
    var tests: [CompiledTest] = []
    /// The templates of the models rendered at apply time; nil when there are none.
    var templates: TemplateLibrary?
    /// `on-run-start`/`on-run-end`, rendered; nil when the project has none.
    var hooks: RunHooks?
    var exposures: [CompiledExposure] = []
    var analyses: [CompiledAnalysis] = []
    /// dbt's semantic layer definitions, turned into cubes once every project's models are known.
    var semantic = DbtSemanticDefinitions()
    /// Every file read, for the plan's input hashes.
    var inputs: [InputFile] = []
    var diagnostics: [Diagnostic] = []
    /// What the project defines beyond the plan (macros, docs blocks, semantic definitions).
    var description = DbtProjectDescription()
}

/// What every phase of the dbt core after the declarations reads and none changes: the request,
/// what was read, and the render inputs and the serial render context made from them.
struct DbtCompileContext {
    let request: DbtCompileRequest
    let reading: DbtProjectReading
    /// What every render context is made from; render workers take isolated copies.
    let inputs: DbtRenderInputs
    /// Renders what is rendered one at a time (configs, descriptions, hooks, analyses).
    let serialContext: DbtRenderContext
}

/// A phase of the dbt core after the declarations (``DbtConfiguredProject``,
/// ``DbtRenderedProject``, ``DbtPlacedProject``, ``DbtPlanAssembly``): each is a value made from
/// the one before, with what it works out and nothing optional.
protocol DbtCompilePhase {
    var context: DbtCompileContext { get }
}

extension DbtCompilePhase {
    var request: DbtCompileRequest { context.request }
    var project: DbtProjectFile { context.reading.project }
    var files: DbtFiles { context.reading.files }
    /// The macro files that parsed, as text: each render worker parses its own copy.
    var macroFiles: [MacroSource] { context.reading.macroFiles }
    var inputs: DbtRenderInputs { context.inputs }
    var serialContext: DbtRenderContext { context.serialContext }
}

/// Reads a dbt project and compiles it into plan nodes, phase by phase: reading
/// (``DbtProjectReading``), declarations (``DbtDeclarations``), configs
/// (``DbtConfiguredProject``), rendering (``DbtRenderedProject``), relations and the graph
/// (``DbtPlacedProject``), then plan nodes and tests (``DbtPlanAssembly``).
enum DbtProjectCompiler {
    static func compile(_ request: DbtCompileRequest) -> DbtCompileResult {
        let (reading, diagnostics) = DbtProjectReading.read(request)
        guard let reading else {
            var result = DbtCompileResult()
            result.diagnostics = diagnostics
            return result
        }
        let declarations = DbtDeclarations.declare(reading, namespace: request.namespace)
        guard !(reading.diagnostics + declarations.diagnostics).hasErrors else {
            var result = DbtCompileResult()
            result.inputs = reading.inputs
            result.semantic = reading.properties.semantic
            result.description = reading.description
            result.diagnostics = reading.diagnostics + declarations.diagnostics + reading.macroParseErrors
            reading.foldPackageWarnings(&result.diagnostics, displayPrefix: request.displayPrefix)
            _ = reading.prefetch.finish()
            return deduplicated(result)
        }
        let placed = DbtPlacedProject(DbtRenderedProject(DbtConfiguredProject(request, reading: reading, declarations: declarations)))
        var result = placed.result
        if !placed.result.diagnostics.hasErrors {
            var assembly = DbtPlanAssembly(placed)
            assembly.compile(singular: placed.singularTests, configs: placed.configs)
            result = assembly.result
        }
        _ = reading.prefetch.finish()
        result.description = reading.description
        reading.foldPackageWarnings(&result.diagnostics, displayPrefix: request.displayPrefix)
        let compiled = deduplicated(result)
        BackgroundRelease.release(placed)
        return compiled
    }

    /// Each diagnostic once, in the order first found.
    private static func deduplicated(_ result: DbtCompileResult) -> DbtCompileResult {
        var result = result
        var seen = Set<Diagnostic>()
        result.diagnostics = result.diagnostics.filter { seen.insert($0).inserted }
        return result
    }

    /// What is rendered at apply time is a model's SQL only: anything else that queries the
    /// database while rendering is an error at its file.
    static func queriesTheDatabase(_ file: String, what: String) -> Diagnostic {
        .error(at: .file(file), "\(what) queries the database while rendering (run_query, statement, adapter.get_columns_in_relation…)",
               hint: "only a model's SQL may: it is rendered at apply time; compute the value in the SQL, or pass it as a var")
    }
}
