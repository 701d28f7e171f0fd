import FloeContract
import FloeCore
import FloeJinja
import FloeTemplates
import Foundation

/// The second phase: every model (snapshots among them), seed and source table numbered as a
/// slot that `ref()` and `source()` find by name, each model with its properties; two nodes of
/// one name are an error, properties of a model that does not exist a warning.
struct DbtDeclarations {
    let slots: [DbtProjectCompiler.Slot]
    /// By model, in slot order (a model's slot is its position here).
    let models: [DbtProjectCompiler.ModelState]
    let diagnostics: [Diagnostic]

    /// Numbers every model, seed and source table, and refuses two nodes of one name.
    static func declare(_ reading: DbtProjectReading, namespace: String) -> DbtDeclarations {
        let files = reading.files, properties = reading.properties
        var slots: [DbtProjectCompiler.Slot] = []
        var models: [DbtProjectCompiler.ModelState] = []
        var diagnostics: [Diagnostic] = []
        var byName: [String: String] = [:]
        byName.reserveCapacity(files.models.count + files.seeds.count)
        for list in [files.models, files.seeds] {
            for file in list {
                if let earlier = byName.updateValue(file.display, forKey: file.stem) {
                    byName[file.stem] = earlier
                    diagnostics.append(.error(at: .file(file.display), "two nodes are named '\(file.stem)'",
                                              hint: "the other is \(earlier); rename one of them (ref() finds nodes by name)"))
                }
            }
        }
        slots.reserveCapacity(files.models.count + files.seeds.count)
        models.reserveCapacity(files.models.count)
        for file in files.models {
            slots.append(DbtProjectCompiler.Slot(kind: .model, name: file.stem,
                                                 uniqueID: "\(file.isSnapshot ? "snapshot" : "model").\(file.package).\(file.stem)",
                                                 package: file.package))
            models.append(DbtProjectCompiler.ModelState(file: file, config: NodeConfig(), properties: properties.models[file.stem]))
        }
        for file in files.seeds {
            slots.append(DbtProjectCompiler.Slot(kind: .seed, name: file.stem, uniqueID: "seed.\(file.package).\(file.stem)", package: file.package))
        }
        for source in properties.sources {
            for table in source.tables {
                slots.append(DbtProjectCompiler.Slot(kind: .source, name: "\(source.name).\(table.properties.name)",
                                                     uniqueID: "source.\(source.package).\(source.name).\(table.properties.name)",
                                                     relation: Relation(schema: source.schema ?? namespace, name: table.identifier ?? table.properties.name),
                                                     package: source.package))
            }
        }
        let modelNames = Set(files.models.map(\.stem))
        for name in properties.models.keys.sorted() where !modelNames.contains(name) {
            let described = properties.models[name]!
            diagnostics.append(.warning(at: described.location, "properties describe a model '\(name)' that does not exist",
                                        hint: Suggestions.didYouMean(name, in: files.models.map(\.stem))))
        }
        return DbtDeclarations(slots: slots, models: models, diagnostics: diagnostics)
    }

    /// What `ref()` and `source()` find: every slot, in slot order, so a relation's position in
    /// the table is its slot (its relation a placeholder the ``ModelFinisher`` writes in).
    var relationTable: DbtRelationTable {
        var table = DbtRelationTable(resolved: false)
        for slot in slots {
            if slot.kind == .source {
                let parts = slot.name.split(separator: ".", maxSplits: 1).map(String.init)
                table.addSource(parts[0], table: parts[1], package: slot.package)
            } else {
                table.addRef(slot.name, package: slot.package)
            }
        }
        return table
    }
}
