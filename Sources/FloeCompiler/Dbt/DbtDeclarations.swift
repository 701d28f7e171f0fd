import FloeContract
import FloeCore
import FloeJinja
import FloeTemplates
import Foundation

/// The second phase: every model (snapshots among them), seed and source table given a slot in
/// the relation table that `ref()` and `source()` find them in by name, each model with its
/// properties; two nodes of one name are an error, properties of a model that does not exist a
/// warning.
struct DbtDeclarations {
    let table: SlotTable
    /// What `ref()` and `source()` find: every slot, its relation a placeholder the
    /// ``ModelFinisher`` writes in.
    let relations: DbtRelationTable
    let diagnostics: [Diagnostic]

    /// Gives every model, seed and source table its slot, and refuses two nodes of one name.
    static func declare(_ reading: DbtProjectReading, namespace: String) -> DbtDeclarations {
        let files = reading.files, properties = reading.properties
        var table = SlotTable()
        var relations = DbtRelationTable(resolved: false)
        var diagnostics: [Diagnostic] = []
        let versions = properties.modelVersions(files: files.models, diagnostics: &diagnostics)
        var byName: [String: ProjectFile] = [:]
        byName.reserveCapacity(files.models.count + files.seeds.count)
        for list in [files.models, files.seeds] {
            // A file that defines a version of a model is that model's, not a node named after the file.
            for file in list where versions[file] == nil {
                guard let earlier = byName[file.stem] else {
                    byName[file.stem] = file
                    continue
                }
                // Across projects, one of the two may be disabled (`+enabled: false` on a package's
                // model the root replaces): decided once configs are known (DbtPlacedProject).
                if earlier.package != file.package { continue }
                diagnostics.append(DbtDeclarations.sameName(file, earlier))
            }
        }
        let versionedNames = versions.models
        for file in files.models where versions[file] == nil && versionedNames.contains(file.stem) {
            diagnostics.append(.error(at: .file(file.display), "'\(file.stem)' is a versioned model: this file defines none of its versions",
                                      hint: "name it \(file.stem)_v<version>.sql, or point a version's `defined_in:` at it"))
        }
        for file in files.models {
            if let version = versions[file] {
                var slot = SlotTable.Slot(kind: .model, name: version.model, uniqueID: "model.\(file.package).\(version.model).v\(version.v)",
                                          package: file.package)
                slot.version = version.v
                slot.isLatestVersion = version.isLatest
                table.addModel(relations.addRef(version.model, package: file.package, version: version.v, latest: version.isLatest), slot,
                               SlotTable.ModelState(file: file, config: NodeConfig(), properties: version.properties))
                continue
            }
            table.addModel(relations.addRef(file.stem, package: file.package),
                           SlotTable.Slot(kind: .model, name: file.stem, uniqueID: "\(file.isSnapshot ? "snapshot" : "model").\(file.package).\(file.stem)",
                                          package: file.package),
                           SlotTable.ModelState(file: file, config: NodeConfig(), properties: properties.models[file.stem]))
        }
        for file in files.seeds {
            table.addSeed(relations.addRef(file.stem, package: file.package),
                          SlotTable.Slot(kind: .seed, name: file.stem, uniqueID: "seed.\(file.package).\(file.stem)", package: file.package),
                          file: file)
        }
        for source in properties.sources {
            for sourceTable in source.tables {
                table.addSource(relations.addSource(source.name, table: sourceTable.properties.name, package: source.package),
                                SlotTable.Slot(kind: .source, name: "\(source.name).\(sourceTable.properties.name)",
                                               uniqueID: "source.\(source.package).\(source.name).\(sourceTable.properties.name)",
                                               relation: Relation(schema: source.schema ?? namespace, name: sourceTable.identifier ?? sourceTable.properties.name),
                                               package: source.package))
            }
        }
        let modelNames = Set(files.models.map(\.stem)).union(versionedNames)
        for name in properties.models.keys.sorted() where !modelNames.contains(name) {
            let described = properties.models[name]!
            diagnostics.append(.warning(at: described.location, "properties describe a model '\(name)' that does not exist",
                                        hint: Suggestions.didYouMean(name, in: files.models.map(\.stem))))
        }
        return DbtDeclarations(table: table, relations: relations, diagnostics: diagnostics)
    }

    /// Two nodes of one name: an error at the later.
    static func sameName(_ file: ProjectFile, _ earlier: ProjectFile) -> Diagnostic {
        .error(at: .file(file.display), "two nodes are named '\(file.stem)'",
               hint: "the other is \(earlier.display); rename one of them (ref() finds nodes by name)")
    }
}
