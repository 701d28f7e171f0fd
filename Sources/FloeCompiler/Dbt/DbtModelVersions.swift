import FloeContract
import FloeCore
import FloeTemplates
import FloeYAML

/// One entry of a model's `versions:` (dbt's model versions).
struct VersionProperties: Sendable {
    /// The version identifier as written (`1`, `2.1`, `beta`).
    var v: String
    var location: SourceLocation
    /// The file that defines it (without `.sql`); default `<model>_v<v>`.
    var definedIn: String?
    /// `columns:` of the version: which of the model's columns it keeps (`include`, nil for all,
    /// minus `exclude`), and columns of its own (replacing the model's of the same name).
    var include: [String]?
    var exclude: [String] = []
    var columns: [ColumnProperties] = []
    var config: [ConfigEntry] = []
}

/// A model file that defines a version of a versioned model.
struct ModelVersion: Sendable {
    var model: String
    var v: String
    var isLatest: Bool
    /// The model's properties as this version has them: its columns, its config over the model's.
    var properties: NodeProperties
}

/// The model files that define versions, found by file (its project and name).
struct ModelVersions {
    private var byFile: [String: ModelVersion] = [:]

    subscript(_ file: ProjectFile) -> ModelVersion? {
        get { byFile[Self.key(file)] }
        set { byFile[Self.key(file)] = newValue }
    }

    /// The versioned models' names.
    var models: Set<String> { Set(byFile.values.map(\.model)) }

    private static func key(_ file: ProjectFile) -> String { file.package + "/" + file.stem }
}

extension DbtProperties {
    /// A model's `versions:` list.
    mutating func versions(_ value: YAMLValue?, path: String) -> [VersionProperties] {
        var found: [VersionProperties] = []
        for (index, item) in list(value, path: path).enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard item.entries != nil, let v = item["v"], let text = v.scalarText, !v.isNull else {
                diagnostics.append(.error(at: item.location, path: itemPath + ".v", "a version needs its identifier, `v:`", hint: "such as `- v: 2`"))
                continue
            }
            var version = VersionProperties(v: text, location: v.location, definedIn: string(item["defined_in"], path: itemPath + ".defined_in"))
            version.config = config(item["config"], path: itemPath + ".config")
            for (columnIndex, column) in list(item["columns"], path: itemPath + ".columns").enumerated() {
                let columnPath = "\(itemPath).columns[\(columnIndex)]"
                if column["include"] != nil || column["exclude"] != nil {
                    if let include = column["include"] {
                        version.include = include.string == "all" || include.string == "*" ? nil
                            : list(include, path: columnPath + ".include").compactMap { string($0, path: columnPath + ".include") }
                    }
                    version.exclude = list(column["exclude"], path: columnPath + ".exclude").compactMap { string($0, path: columnPath + ".exclude") }
                    continue
                }
                guard let name = requiredName(column, path: columnPath) else { continue }
                version.columns.append(ColumnProperties(
                    name: name, description: string(column["description"], path: columnPath + ".description"),
                    dataType: string(column["data_type"], path: columnPath + ".data_type"), tests: tests(column, column: name, path: columnPath),
                    constraints: constraints(column["constraints"], path: columnPath + ".constraints")))
            }
            found.append(version)
        }
        return found
    }

    /// The model files that define versions of versioned models, by file stem and package: each
    /// version's `defined_in` or `<model>_v<v>`, or for the latest version the model's own name.
    /// A version without a file is an error at its `v:`, as is a latest_version that is not one.
    func modelVersions(files: [ProjectFile], diagnostics: inout [Diagnostic]) -> ModelVersions {
        var found = ModelVersions()
        guard models.values.contains(where: { !$0.versions.isEmpty }) else { return found }
        var stems: [String: [String: ProjectFile]] = [:]
        for file in files where !file.isSnapshot { stems[file.package, default: [:]][file.stem] = file }
        for name in models.keys.sorted() {
            let model = models[name]!
            guard !model.versions.isEmpty else { continue }
            let identifiers = model.versions.map(\.v)
            let latest = model.latestVersion ?? Self.largest(identifiers)
            guard identifiers.contains(latest) else {
                diagnostics.append(.error(at: model.location, path: "latest_version", "model '\(name)': latest_version \(latest) is not one of its versions (\(identifiers.joined(separator: ", ")))",
                                          hint: "add `- v: \(latest)` under versions, or set latest_version to one of them"))
                continue
            }
            for version in model.versions {
                let stem = version.definedIn ?? "\(name)_v\(version.v)"
                let candidates = stems.values.compactMap { $0[stem] } + (version.v == latest ? stems.values.compactMap { $0[name] } : [])
                guard let file = candidates.first else {
                    diagnostics.append(.error(at: version.location, path: "versions", "version \(version.v) of model '\(name)' has no file: expected \(stem).sql",
                                              hint: "name the file \(stem).sql, or point `defined_in:` at the file that defines it"))
                    continue
                }
                found[file] = ModelVersion(model: name, v: version.v, isLatest: version.v == latest,
                                                                    properties: model.version(version))
            }
        }
        return found
    }

    /// dbt's default latest version: the numerically greatest when every identifier is a number,
    /// else the alphabetically last.
    static func largest(_ identifiers: [String]) -> String {
        let numbers = identifiers.compactMap(Double.init)
        if numbers.count == identifiers.count, let top = zip(identifiers, numbers).max(by: { $0.1 < $1.1 }) { return top.0 }
        return identifiers.max() ?? ""
    }
}

extension NodeProperties {
    /// The properties one version of a versioned model has: the model's columns it includes and
    /// its own, its config over the model's; named `<model>_v<v>` for its tests' names, as dbt
    /// names them.
    func version(_ version: VersionProperties) -> NodeProperties {
        var derived = self
        derived.name = "\(name)_v\(version.v)"
        let excluded = Set(version.exclude)
        var columns = self.columns.filter { column in
            (version.include.map { $0.contains(column.name) } ?? true) && !excluded.contains(column.name)
        }
        for own in version.columns {
            if let index = columns.firstIndex(where: { $0.name == own.name }) { columns[index] = own } else { columns.append(own) }
        }
        derived.columns = columns
        derived.config = config + version.config
        derived.versions = []
        return derived
    }
}

extension DbtPlanAssembly {
    /// dbt 1.12's latest version pointer: a view named after a versioned model (or the pointer's
    /// `alias`) over its latest version, made after that version builds, in the same transaction
    /// (as statements after its post-hooks). On when the model's `latest_version_pointer` says so,
    /// or the project's `flags: {latest_version_pointer_enabled_by_default: true}`. A name another
    /// node's relation has is an error.
    mutating func latestVersionPointer(_ id: SlotID, materialized: Materialization) -> [String] {
        let slot = table[id]
        guard slot.isLatestVersion, materialized != .ephemeral else { return [] }
        let config = table[model: id].config.latestVersionPointer
        guard config?.enabled ?? project.latestVersionPointerByDefault else { return [] }
        let pointer = Relation(schema: slot.relation.schema, name: config?.alias ?? slot.name)
        if let other = table.all.first(where: { $0 != id && table[$0].relation == pointer }) {
            result.diagnostics.append(.error(at: .file(table[model: id].file.display), path: "config.latest_version_pointer",
                                             "the latest version pointer of '\(slot.name)' would be \(pointer), which \(table[other].uniqueID) is built as",
                                             hint: "give the pointer another name with latest_version_pointer: {alias: ...}, or rename the other node"))
            return []
        }
        let dialect = request.dialect
        return [dialect.drop(pointer, kind: .view), dialect.createView(pointer, as: "select * from \(dialect.relation(slot.relation))")]
    }
}
