import FloeContract
import FloeCore
import FloeJinja
import FloeTemplates
import FloeYAML
import Foundation

/// The first phase of compiling a dbt project: dbt_project.yml, the installed packages, the
/// project's file lists, its properties YAML, macros and docs blocks, read and parsed, each file
/// read recorded as an input of the plan. The model files themselves are read in the background
/// (``prefetch``) for the rendering phase.
struct DbtProjectReading {
    let project: DbtProjectFile
    /// The installed packages' project files, by package name.
    let packages: [String: DbtProjectFile]
    /// Where each installed package's files are, as messages name them (`dbt_packages/dbt_utils/`).
    let packageDisplayPrefixes: [String]
    /// Where each installed package is, as the plan names it, by package name.
    var packagePlanPrefixes: [String: String] = [:]
    /// The project's and the packages' files; snapshots, and those properties define, among the models.
    let files: DbtFiles
    let properties: DbtProperties
    /// The macro files that parsed, as text: each render worker parses its own copy.
    let macroFiles: [MacroSource]
    /// The errors of the macro files that do not parse, reported after the others found so far.
    let macroParseErrors: [Diagnostic]
    /// The docs blocks of the project's markdown files, by name.
    let docs: [String: String]
    /// The macros, docs blocks and semantic definitions, for dbt's artifacts and the docs site.
    var description = DbtProjectDescription()
    /// Reads and parses the model files (in `files.models` order) until the rendering takes them.
    let prefetch: ModelPrefetch
    /// The files read, in the order they were.
    let inputs: [InputFile]
    let diagnostics: [Diagnostic]

    /// Reads the project under `request.root`; nil, with the problems, when dbt_project.yml is
    /// missing or does not load.
    static func read(_ request: DbtCompileRequest) -> (reading: DbtProjectReading?, diagnostics: [Diagnostic]) {
        var log = InputLog()
        let projectURL = request.root.appendingPathComponent("dbt_project.yml")
        let (loaded, projectDiagnostics) = DbtProjectFile.load(from: projectURL, displayPath: request.displayPrefix + "dbt_project.yml")
        log.diagnostics += projectDiagnostics
        guard let project = loaded else { return (nil, log.diagnostics) }
        log.record(planPath: request.planPrefix + "dbt_project.yml", bytes: project.bytes)
        var files = DbtFiles(project: project, root: request.root, displayPrefix: request.displayPrefix, planPrefix: request.planPrefix)

        // Every installed package's files after the root project's: its macros, models, seeds,
        // properties and tests are compiled with the project's, as dbt does.
        let (installed, packageDiagnostics) = InstalledPackages.find(for: project, root: request.root, displayPrefix: request.displayPrefix,
                                                                     planPrefix: request.planPrefix)
        log.diagnostics += packageDiagnostics
        var packages: [String: DbtProjectFile] = [:]
        var packageDisplayPrefixes: [String] = []
        var packagePlanPrefixes: [String: String] = [:]
        for package in installed {
            packagePlanPrefixes[package.project.name] = package.planPrefix
            log.record(planPath: package.planPrefix + "dbt_project.yml", bytes: package.project.bytes)
            files.append(DbtFiles(project: package.project, root: package.root, displayPrefix: package.displayPrefix,
                                  planPrefix: package.planPrefix))
            packages[package.project.name] = package.project
            packageDisplayPrefixes.append(package.displayPrefix)
        }
        // A snapshot is compiled as a model is; its materialization keeps its history.
        // A snapshot is named by its block, whatever its file is called, as in dbt.
        for index in files.snapshots.indices {
            switch DbtProjectCompiler.snapshotName(files.snapshots[index]) {
            case .success(let name): files.snapshots[index].stem = name
            case .failure(let problem): log.diagnostics.append(problem.diagnostic)
            }
        }
        files.models += files.snapshots
        let prefetch = ModelPrefetch(files.models)
        prefetch.start()
        for file in files.pythonModels {
            log.diagnostics.append(.warning(at: .file(file.display), "Python models are not supported; '\(file.stem)' is skipped"))
        }
        let properties = readProperties(&files, log: &log)
        var description = DbtProjectDescription()
        description.projectName = project.name
        let (macroFiles, macroParseErrors) = readMacros(files.macros, log: &log, into: &description)
        let docs = readDocs(files.docs, log: &log, into: &description)
        description.semantic = properties.semantic
        var reading = DbtProjectReading(
            project: project, packages: packages, packageDisplayPrefixes: packageDisplayPrefixes, files: files, properties: properties,
            macroFiles: macroFiles, macroParseErrors: macroParseErrors, docs: docs, prefetch: prefetch, inputs: log.inputs,
            diagnostics: log.diagnostics)
        reading.packagePlanPrefixes = packagePlanPrefixes
        reading.description = description
        return (reading, log.diagnostics)
    }

    /// The properties files, each read, hashed and parsed on whichever core is free, then taken
    /// in order; the snapshots they define join the models.
    private static func readProperties(_ files: inout DbtFiles, log: inout InputLog) -> DbtProperties {
        let propertyFiles = Shared(value: files.properties)
        let loaded = Parallel.map(count: propertyFiles.value.count) {
            { index -> (sha256: String, parsed: (YAMLValue?, [Diagnostic]))? in
                let file = propertyFiles.value[index]
                guard let data = FileManager.default.contents(atPath: file.path) else { return nil }
                return (InputHasher.sha256(data), DbtProperties.load(file, data: data))
            }
        }
        var properties = DbtProperties()
        for (file, outcome) in zip(propertyFiles.value, loaded) {
            guard let (sha256, parsed) = outcome else {
                log.diagnostics.append(.error(at: .file(file.display), "cannot read the file"))
                continue
            }
            log.record(planPath: file.planPath, sha256: sha256)
            properties.read(parsed, package: file.package, planPath: file.planPath)
            for (name, relation) in properties.definedSnapshots {
                var snapshot = file
                snapshot.stem = name
                snapshot.isSnapshot = true
                snapshot.inlineSource = "select * from {{ \(relation) }}"
                files.models.append(snapshot)
            }
            properties.definedSnapshots = []
        }
        log.diagnostics += properties.diagnostics
        return properties
    }

    /// The macro files that parse, as text; a name defined twice in one package is an error (each
    /// package is a namespace of its own). Returns the errors of those that do not parse apart.
    private static func readMacros(_ files: [ProjectFile], log: inout InputLog,
                                   into description: inout DbtProjectDescription) -> ([MacroSource], [Diagnostic]) {
        var macroFiles: [MacroSource] = []
        var parseErrors: [Diagnostic] = []
        var definedAt: [String: SourceLocation] = [:]
        for file in files {
            guard let (data, _) = log.read(file) else { continue }
            do {
                let template = try JinjaTemplate(String(decoding: data, as: UTF8.self), file: file.display)
                for (name, location) in template.macroDefinitions {
                    if let earlier = definedAt[file.package + "." + name] {
                        log.diagnostics.append(.error(at: location, "macro '\(name)' is defined twice", hint: "the other definition is at \(earlier)"))
                    }
                    definedAt[file.package + "." + name] = location
                }
                let text = String(decoding: data, as: UTF8.self)
                macroFiles.append(MacroSource(text: text, file: file.display, package: file.package))
                for block in MacroBlocks.read(text) {
                    description.macros.append(DbtProjectDescription.Macro(
                        uniqueID: "macro.\(file.package).\(block.name)", name: block.name, package: file.package,
                        originalFilePath: file.relative, sql: block.text, arguments: block.arguments))
                }
            } catch {
                parseErrors.append(error.diagnostic)
            }
        }
        return (macroFiles, parseErrors)
    }

    /// The docs blocks of the project's markdown files; their text reaches the plan through
    /// descriptions, so each file read is an input.
    private static func readDocs(_ files: [ProjectFile], log: inout InputLog, into description: inout DbtProjectDescription) -> [String: String] {
        var docs: [String: String] = [:]
        var definedAt: [String: SourceLocation] = [:]
        for file in files {
            guard let (data, _) = log.read(file) else { continue }
            let (blocks, diagnostics) = DocsBlocks.read(String(decoding: data, as: UTF8.self), file: file.display)
            log.diagnostics += diagnostics
            for block in blocks {
                if let first = definedAt[block.name] {
                    log.diagnostics.append(.error(at: block.location, "docs block '\(block.name)' is defined twice", hint: "the other is at \(first)"))
                    continue
                }
                definedAt[block.name] = block.location
                docs[block.name] = block.text
                description.docs.append(DbtProjectDescription.DocsBlock(
                    uniqueID: "doc.\(file.package).\(block.name)", name: block.name, package: file.package,
                    originalFilePath: file.relative, text: block.text))
            }
        }
        return docs
    }

    /// Warnings located in an installed package's files, which its users cannot act on, folded
    /// into one that counts them; errors stay, as they stop the compile.
    func foldPackageWarnings(_ diagnostics: inout [Diagnostic], displayPrefix: String) {
        guard !packageDisplayPrefixes.isEmpty else { return }
        var folded = 0
        diagnostics.removeAll { diagnostic in
            guard diagnostic.severity == .warning,
                  packageDisplayPrefixes.contains(where: { diagnostic.location.file.hasPrefix($0) }) else { return false }
            folded += 1
            return true
        }
        if folded > 0 {
            diagnostics.append(.warning(at: .file(displayPrefix + project.packagesInstallPath),
                                        "\(counted(folded, "warning")) in installed packages' files not shown",
                                        hint: "they concern the packages' own files; `floe compile` on a package's own project shows them"))
        }
    }
}

/// The files a phase read (the plan's inputs, with their SHA-256) and the problems it found.
struct InputLog {
    var inputs: [InputFile] = []
    var diagnostics: [Diagnostic] = []

    /// Adds a file read to the inputs; returns its SHA-256.
    @discardableResult
    mutating func record(planPath: String, bytes: Data) -> String {
        let sha256 = InputHasher.sha256(bytes)
        record(planPath: planPath, sha256: sha256)
        return sha256
    }

    /// Adds a file read, and hashed, elsewhere (on a worker) to the inputs.
    mutating func record(planPath: String, sha256: String) {
        inputs.append(InputFile(path: planPath, sha256: sha256))
    }

    /// The file's bytes and their SHA-256, recorded as an input; nil (with an error) when unreadable.
    mutating func read(_ file: ProjectFile) -> (data: Data, sha256: String)? {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            diagnostics.append(.error(at: .file(file.display), "cannot read the file"))
            return nil
        }
        return (data, record(planPath: file.planPath, bytes: data))
    }
}
