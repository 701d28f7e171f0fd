import FloeContract
import FloeJinja
import FloeTemplates

/// Every model (snapshots among them), seed and source table of the project, by the ``SlotID``
/// the relation table gave it for `ref()` and `source()`, with each model's compile state and
/// each seed's file and config beside its slot. Where a slot sits in storage is this type's
/// business alone: the phases ask by id, and walk ``models``, ``seeds`` or ``sources``.
struct SlotTable {
    /// A model, seed or source: anything `ref()` or `source()` can point at.
    struct Slot {
        enum Kind { case model, seed, source }
        var kind: Kind
        var name: String
        var uniqueID: String

        /// How a template names it: `ref('orders')`, or `source('shop', 'orders')`.
        var callExpression: String {
            kind == .source ? "source('\(name.split(separator: ".", maxSplits: 1).joined(separator: "', '"))')" : "ref('\(name)')"
        }
        var relation = Relation(schema: "", name: "")
        /// The project that defines it: the root project or an installed package.
        var package: String
        var enabled = true
        var ephemeral = false
        /// A versioned model's version identifier (dbt's model versions), and whether it is the
        /// latest, which an unpinned `ref()` finds.
        var version: String?
        var isLatestVersion = false
    }

    /// A model as the phases work it out: its file, config, properties and renderings.
    struct ModelState {
        var file: ProjectFile
        var config: NodeConfig
        var properties: NodeProperties?
        var render = RenderOutcome()
        var incrementalRender: RenderOutcome?
        /// The file's text, so the incremental rendering need not read it again.
        var source = ""
        /// Its template queries the database: `render` is dbt's parse rendering (`execute` false),
        /// and the model is rendered at apply time.
        var renderAtApply = false
        /// Its pre- or post-hooks query the database: they are rendered at apply time with it.
        var hooksAtApply = false
    }

    /// A seed's file and its config (the folder tree's, then its properties file's).
    struct SeedState {
        var file: ProjectFile
        var config = NodeConfig()
    }

    private var slots: [Slot] = []
    private var modelStates: [ModelState] = []
    private var seedStates: [SeedState] = []
    /// The models in file order, then the seeds in `DbtFiles.seeds` order, then the source tables.
    private(set) var models: [SlotID] = []
    private(set) var seeds: [SlotID] = []
    private(set) var sources: [SlotID] = []
    /// Every slot, in the relation table's order.
    private(set) var all: [SlotID] = []

    /// Adds a model: models come first, so a model's state is found at its slot's position.
    mutating func addModel(_ id: SlotID, _ slot: Slot, _ state: ModelState) {
        precondition(seeds.isEmpty && sources.isEmpty, "models are added before seeds and sources")
        append(id, slot)
        models.append(id)
        modelStates.append(state)
    }

    mutating func addSeed(_ id: SlotID, _ slot: Slot, file: ProjectFile) {
        precondition(sources.isEmpty, "seeds are added before sources")
        append(id, slot)
        seeds.append(id)
        seedStates.append(SeedState(file: file))
    }

    mutating func addSource(_ id: SlotID, _ slot: Slot) {
        append(id, slot)
        sources.append(id)
    }

    /// The table's order is the relation table's: each id is the next position.
    private mutating func append(_ id: SlotID, _ slot: Slot) {
        precondition(id.index == slots.count, "slots are added in the relation table's order")
        slots.append(slot)
        all.append(id)
    }

    // `_read` lends the stored value: reading one field does not copy (and retain) the whole.
    subscript(id: SlotID) -> Slot {
        _read { yield slots[id.index] }
        _modify { yield &slots[id.index] }
    }

    /// A model's state; `id` must be a model's.
    subscript(model id: SlotID) -> ModelState {
        _read { yield modelStates[id.index] }
        _modify { yield &modelStates[id.index] }
    }

    /// A seed's file and config; `id` must be a seed's.
    subscript(seed id: SlotID) -> SeedState {
        _read { yield seedStates[id.index - modelStates.count] }
        _modify { yield &seedStates[id.index - modelStates.count] }
    }

    /// A model's or seed's file; `id` must be one's.
    func file(of id: SlotID) -> ProjectFile {
        self[id].kind == .model ? self[model: id].file : self[seed: id].file
    }

    /// A model's or seed's config; `id` must be one's.
    func config(of id: SlotID) -> NodeConfig {
        self[id].kind == .model ? self[model: id].config : self[seed: id].config
    }

    /// Each source table of `sources` with its slot: the slots were given in the order of the
    /// sources and their tables (``DbtDeclarations``), which this walks again.
    func sourceTables(of sources: [SourceProperties]) -> [(source: Int, table: Int, slot: SlotID)] {
        var slots = self.sources.makeIterator()
        return sources.indices.flatMap { source in
            sources[source].tables.indices.map { table in
                guard let slot = slots.next() else { preconditionFailure("a source table without a slot") }
                return (source, table, slot)
            }
        }
    }

    /// Every slot's value of `property`, in the relation table's order (what the
    /// ``ModelFinisher`` and the dependency graph index by ``SlotID/index``).
    func map<Value>(_ property: (Slot) -> Value) -> [Value] {
        slots.map(property)
    }

    /// A model's or seed's node as dbt's templates see it.
    func nodeFields(_ slot: SlotID) -> [(String, JinjaValue)] {
        let isModel = self[slot].kind == .model
        let file = file(of: slot), config = config(of: slot)
        let resourceType = !isModel ? "seed" : file.isSnapshot ? "snapshot" : "model"
        // The file's name: what follows its last `/` (found backwards; a generic split costs more than the rest here).
        let name = file.relative.lastIndex(of: "/").map { String(file.relative[file.relative.index(after: $0)...]) } ?? file.relative
        let path = (file.folders + [name]).joined(separator: "/")
        var settings: [(String, JinjaValue)] = [
            ("materialized", .string(isModel ? config.materialized?.rawValue ?? "view" : "seed")),
            ("tags", .list(config.tags.map(JinjaValue.string))), ("enabled", .bool(config.enabled)),
            ("schema", config.schema.map(JinjaValue.string) ?? .none), ("alias", config.alias.map(JinjaValue.string) ?? .none),
        ]
        for key in config.extra.keys.sorted() where !settings.contains(where: { $0.0 == key }) {
            settings.append((key, config.extra[key]!.jinja))
        }
        return [
            ("name", .string(self[slot].name)), ("unique_id", .string(self[slot].uniqueID)),
            ("resource_type", .string(resourceType)), ("package_name", .string(file.package)),
            ("original_file_path", .string(file.relative)), ("path", .string(path)),
            ("fqn", .list(([file.package] + file.folders + [self[slot].name] + (self[slot].version.map { ["v" + $0] } ?? []))
                .map(JinjaValue.string))),
            ("config", .dict(settings)), ("tags", .list(config.tags.map(JinjaValue.string))),
        ] + versionFields(slot)
    }

    /// A versioned model's `version` and `latest_version`, as dbt's node has them; none for others.
    private func versionFields(_ slot: SlotID) -> [(String, JinjaValue)] {
        guard let version = self[slot].version else { return [] }
        let latest = models.first { self[$0].name == self[slot].name && self[$0].isLatestVersion }.flatMap { self[$0].version }
        return [("version", .string(version)), ("latest_version", latest.map(JinjaValue.string) ?? .none)]
    }
}
