import FloeContract
import FloeCore
import FloeEngine
import FloeJinja
import FloeTemplates
import FloeYAML
import Foundation

/// What to compile: the two files, the environment, and the facts of the moment.
public struct CompileOptions: Sendable {
    /// floe.yaml, as the user named it (messages use this text).
    public var specPath: String
    /// platform.yaml, as given or as found.
    public var platformPath: String
    public var environment: String
    public var compiledAt: Date
    /// The process environment: `FLOE_SECRET_*` values are checked for in the plan.
    public var processEnvironment: [String: String]
    /// Makes the `{uuid}` of a namespace; tests pin it.
    public var makeUUID: @Sendable () -> String
    /// `--vars`: a YAML mapping that overrides floe.yaml's and dbt_project.yml's vars.
    public var vars: String?
    /// The command compiling (dbt's `flags.WHICH`: `compile`, `run`, `build`, …) and whether it
    /// rebuilds from scratch (`flags.FULL_REFRESH`), for templates that ask.
    public var command: String
    public var fullRefresh: Bool

    public init(
        specPath: String, platformPath: String, environment: String, compiledAt: Date = Date(),
        processEnvironment: [String: String] = ProcessInfo.processInfo.environment,
        makeUUID: @escaping @Sendable () -> String = { UUID().uuidString.lowercased() }, vars: String? = nil,
        command: String = "compile", fullRefresh: Bool = false
    ) {
        self.command = command
        self.fullRefresh = fullRefresh
        self.vars = vars
        self.specPath = specPath
        self.platformPath = platformPath
        self.environment = environment
        self.compiledAt = compiledAt
        self.processEnvironment = processEnvironment
        self.makeUUID = makeUUID
    }
}

/// The result of a compile: the plan and its bytes when there were no errors, and every diagnostic.
public struct CompileOutput: Sendable {
    public var artifacts: CompiledArtifacts?
    /// The plan's bytes, in the pieces they were encoded in (to write to a file).
    public var encoded: EncodedDocument?
    public var diagnostics: [Diagnostic]
    /// The dbt projects' macros, docs blocks and semantic definitions (nil without a plan), for
    /// dbt's artifacts and the docs site.
    public var dbt: DbtProjectDescription?

    init(artifacts: CompiledArtifacts?, encoded: EncodedDocument?, diagnostics: [Diagnostic], dbt: DbtProjectDescription? = nil) {
        self.artifacts = artifacts
        self.encoded = encoded
        self.diagnostics = diagnostics
        self.dbt = dbt
    }

    /// The plan's bytes in one piece.
    public var json: Data? { encoded?.data }
}

/// platform.yaml + floe.yaml → ``CompiledArtifacts``. Reads files; never opens a database.
public enum ProjectCompiler {
    public static func compile(_ options: CompileOptions) -> CompileOutput {
        let specURL = URL(fileURLWithPath: options.specPath)
        let platformURL = URL(fileURLWithPath: options.platformPath)
        let loader = YAMLLoader()
        var diagnostics: [Diagnostic] = []

        let floe = loader.load(contentsOf: specURL, displayPath: options.specPath)
        let platform = loader.load(contentsOf: platformURL, displayPath: options.platformPath)
        diagnostics += floe.diagnostics + platform.diagnostics

        let floeRoot = checked(floe.value, file: options.specPath, shape: FloeShape.root, loaded: floe.bytes != nil,
                               extraChecks: CredentialScan.scan, into: &diagnostics)
        let platformRoot = checked(platform.value, file: options.platformPath, shape: PlatformShape.root,
                                   loaded: platform.bytes != nil, extraChecks: { _ in [] }, into: &diagnostics)
        guard let floeRoot, let platformRoot else {
            return CompileOutput(artifacts: nil, encoded: nil, diagnostics: diagnostics)
        }

        let spec = FloeSpec(file: options.specPath, root: floeRoot)
        let platformSpec = PlatformSpec(file: options.platformPath, root: platformRoot)
        var resolver = EnvironmentResolver(platform: platformSpec)
        resolver.makeUUID = options.makeUUID
        diagnostics += resolver.checkPlatform()
        let resolution = resolver.resolve(environmentNamed: options.environment, for: spec)
        diagnostics += resolution.diagnostics
        let synthetic = SyntheticSpec.tables(from: floeRoot)
        diagnostics += synthetic.diagnostics
        let specDirectory = specURL.deletingLastPathComponent()
        diagnostics += ProjectPaths.check(spec, relativeTo: specDirectory)
        diagnostics += cronDiagnostics(floeRoot, file: options.specPath)
        let cliVars = CommandLineVars.parse(options.vars)
        diagnostics += cliVars.diagnostics

        // The dbt projects are compiled even when floe.yaml or platform.yaml has errors, so that
        // one run reports every problem of every file; then no plan is made. Until the
        // environment resolves, its name stands in for the namespace, and SQLite for the dialect.
        let compiledAt = CompileTimestamp.iso8601(options.compiledAt)
        var project = DbtCompileResult()
        var vars: [String: ConfigInput] = [:]
        for entry in floeRoot["vars"]?.entries ?? [] { vars[entry.key] = ConfigInput(entry.value) }
        vars.merge(cliVars.vars) { _, new in new }
        let computeType = resolution.profiles[.compute]?.type
        // A compute type without a dialect is an error of the resolution (EnvironmentResolver);
        // SQLite stands in until then, so the dbt project's own problems are reported too.
        let dialect = computeType.flatMap { SQLDialects.named($0) } ?? SQLiteDialect()
        let targetName = resolution.environment?.name ?? options.environment
        let namespace = resolution.environment?.namespace ?? options.environment
        for transform in spec.transforms where transform.type == "dbt" {
            let root = specDirectory.appendingPathComponent(transform.path)
            // A missing project was reported above, at the transform's line.
            guard FileManager.default.fileExists(atPath: root.appendingPathComponent("dbt_project.yml").path) else { continue }
            var request = DbtCompileRequest(
                root: root,
                displayPrefix: DisplayPath.join(DisplayPath.directory(of: options.specPath), transform.path),
                planPrefix: DisplayPath.join("", transform.path),
                dialect: dialect, targetName: targetName, namespace: namespace, vars: vars,
                environment: options.processEnvironment, compiledAt: compiledAt,
                flags: TemplateFlags(which: options.command, fullRefresh: options.fullRefresh))
            request.database = resolution.profiles[.compute]?.string("database") ?? ""
            let compiled = DbtProjectCompiler.compile(request)
            project.models += compiled.models
            project.seeds += compiled.seeds
            project.sources += compiled.sources
            project.tests += compiled.tests
            project.inputs += compiled.inputs
            project.diagnostics += compiled.diagnostics
            project.exposures += compiled.exposures
            project.analyses += compiled.analyses
            project.semantic.models += compiled.semantic.models
            project.semantic.metrics += compiled.semantic.metrics
            project.semantic.savedQueries += compiled.semantic.savedQueries
            project.description.append(compiled.description)
            if let hooks = compiled.hooks {
                project.hooks = RunHooks(onRunStart: (project.hooks?.onRunStart ?? []) + hooks.onRunStart,
                                         onRunEnd: (project.hooks?.onRunEnd ?? []) + hooks.onRunEnd)
            }
            if let templates = compiled.templates {
                if project.templates != nil {
                    project.diagnostics.append(.error(at: transform.location, path: "transforms",
                                                      "two dbt projects have models rendered at apply time",
                                                      hint: "one dbt project per product may query the database while rendering"))
                }
                project.templates = templates
            }
        }
        diagnostics += project.diagnostics
        var cubes: [CompiledCube] = []
        var views: [CompiledView] = []
        if !project.diagnostics.hasErrors {
            // dbt's semantic models and the Cube files' cubes are one semantic layer, checked together.
            var readCubes: [CubeFileReader.ReadCube] = []
            var readViews: [CubeViewReader.ReadView] = []
            var unreadable: Set<String> = []
            if !project.semantic.isEmpty {
                var layer = DbtSemanticLayer(definitions: project.semantic, models: project.models, dialect: dialect)
                layer.build()
                diagnostics += layer.diagnostics
                readCubes += layer.cubes
                readViews += layer.views
            }
            if let semantic = spec.semanticPath {
                var reader = CubeFileReader(
                    directory: specDirectory.appendingPathComponent(semantic.path),
                    displayPrefix: DisplayPath.join(DisplayPath.directory(of: options.specPath), semantic.path),
                    planPrefix: DisplayPath.join("", semantic.path), models: project.models, dialect: dialect)
                reader.readAll()
                diagnostics += reader.diagnostics
                project.inputs += reader.inputs
                readCubes += reader.cubes
                readViews += reader.views
                unreadable = reader.unreadable
            }
            diagnostics += CubeValidator.validate(readCubes, unreadable: unreadable)
            cubes = readCubes.map(\.cube).sorted { $0.name < $1.name }
            let resolvedViews = CubeViewReader.resolve(readViews, cubes: cubes, unreadable: unreadable)
            diagnostics += resolvedViews.diagnostics
            views = resolvedViews.views
        }
        guard !diagnostics.hasErrors, let environment = resolution.environment,
              let compute = resolution.profiles[.compute], let storage = resolution.profiles[.storage],
              let catalog = resolution.profiles[.catalog]
        else {
            return CompileOutput(artifacts: nil, encoded: nil, diagnostics: diagnostics)
        }

        var inputs = project.inputs + [
            InputFile(path: RelativePath.from(directory: specDirectory, to: specURL), sha256: InputHasher.sha256(floe.bytes!)),
            InputFile(path: RelativePath.from(directory: specDirectory, to: platformURL),
                      sha256: InputHasher.sha256(platform.bytes!)),
        ]
        inputs.sort { $0.path < $1.path }
        let artifacts = CompiledArtifacts(
            metadata: ArtifactMetadata(
                tool: "floe", toolVersion: FloeVersion.current, compiledAt: compiledAt,
                inputs: inputs, inputsSHA256: InputHasher.combined(inputs)),
            product: ProductInfo(
                name: spec.name, version: spec.version, description: spec.description, owner: spec.owner,
                vars: spec.vars, schedule: spec.schedule, retention: spec.retention, demo: spec.demo,
                snapshots: spec.snapshots),
            environment: environment,
            profiles: ResolvedProfiles(compute: compute, storage: storage, catalog: catalog),
            observability: platformSpec.observability,
            secrets: SecretSettings(mount: platformSpec.secretsMount),
            semantic: platformSpec.semantic,
            transforms: spec.transforms.map { TransformSource(type: $0.type, path: $0.path) },
            synthetic: synthetic.tables,
            seeds: project.seeds, sources: project.sources, models: project.models, tests: project.tests,
            cubes: cubes.isEmpty ? nil : cubes, views: views.isEmpty ? nil : views, templates: project.templates, hooks: project.hooks,
            exposures: project.exposures.isEmpty ? nil : project.exposures,
            analyses: project.analyses.isEmpty ? nil : project.analyses)

        let encoded: EncodedDocument
        let flagged: Bool
        do {
            (encoded, flagged) = try artifacts.encoded(inspecting: PlanSecretScan.inspector)
        } catch {
            diagnostics.append(.error(at: .file(options.specPath), "internal error: the plan could not be encoded"))
            return CompileOutput(artifacts: nil, encoded: nil, diagnostics: diagnostics)
        }
        let findings = PlanSecretScan.findings(in: encoded, flagged: flagged, environment: options.processEnvironment,
                                               allowing: spec.secretScanAllow)
        if !findings.isEmpty {
            diagnostics += findings.map {
                .error(at: .file(options.specPath), "refusing to write a plan with a secret in it: \($0)",
                       hint: "move the value into platform.yaml as a secret reference; if it is data, not a key, "
                           + "list the node under floe.yaml's secret_scan: {allow: [...]}")
            }
            return CompileOutput(artifacts: nil, encoded: nil, diagnostics: diagnostics)
        }
        return CompileOutput(artifacts: artifacts, encoded: encoded, diagnostics: diagnostics, dbt: project.description)
    }

    /// Shape-checks a loaded document (plus `extraChecks`) and returns it when it is a mapping.
    /// Where a credential was found at a location, other complaints about that spot are dropped:
    /// "unknown key 'password'" adds nothing to "floe.yaml must not hold credentials".
    private static func checked(
        _ value: YAMLValue?, file: String, shape: ObjectShape, loaded: Bool,
        extraChecks: (YAMLValue) -> [Diagnostic], into diagnostics: inout [Diagnostic]
    ) -> YAMLValue? {
        guard loaded else { return nil }
        guard let value else {
            if !diagnostics.contains(where: { $0.location.file == file }) {
                diagnostics.append(.error(at: .file(file), "the file is empty; expected \(shape.title)'s fields",
                                          hint: "required: \(shape.fields.filter(\.required).map(\.name).joined(separator: ", "))"))
            }
            return nil
        }
        let priority = extraChecks(value)
        let flagged = Set(priority.map(\.location))
        let shapeDiagnostics = ShapeValidator.validate(value, against: .object(shape)).filter { !flagged.contains($0.location) }
        diagnostics += priority + shapeDiagnostics
        return value.entries != nil ? value : nil
    }

    /// `schedule.cron` and `demo.schedule.cron` parse as cron (the shape checks only their form),
    /// and `schedule.timezone` names a time zone.
    static func cronDiagnostics(_ root: YAMLValue, file: String) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for (path, value) in [("schedule.cron", root["schedule"]?["cron"]), ("demo.schedule.cron", root["demo"]?["schedule"]?["cron"])] {
            guard let value, let text = value.string else { continue }
            do {
                _ = try CronSchedule(text)
            } catch {
                diagnostics.append(.error(at: value.location, path: path, "'\(text)' is not a cron schedule: \(error.description)",
                                          hint: "five fields, minute hour day-of-month month day-of-week: \"*/5 * * * *\", \"0 9-17 * * mon-fri\""))
            }
        }
        if let zone = root["schedule"]?["timezone"], let name = zone.string, TimeZone(identifier: name) == nil {
            let suggestion = Suggestions.closest(to: name, in: TimeZone.knownTimeZoneIdentifiers).map { "; did you mean '\($0)'?" } ?? ""
            diagnostics.append(.error(at: zone.location, path: "schedule.timezone", "'\(name)' is not a time zone\(suggestion)",
                                      hint: "an IANA time zone name, such as \"UTC\", \"Europe/Berlin\" or \"America/New_York\""))
        }
        return diagnostics
    }
}
