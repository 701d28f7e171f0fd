import FloeJinja
import FloeContract

/// What a template's `ref()`, `source()` and `this` find, filled by name. The compiler fills it
/// with every model, seed and source table of the project, their relations left as placeholders
/// it writes in once configs have placed them; the executor fills it with what one template's
/// compile referred to, and `this`, each with its relation. A relation's position in the table is
/// what a ``RenderOutcome``'s uses (``SlotUse/slot``) name; the table numbers them, no caller does.
public struct DbtRelationTable: Sendable {
    private struct Entry: Sendable {
        var package: String
        var relation: Relation?
    }

    private var entries: [Entry] = []
    private var refs: [String: SlotID] = [:]
    /// A versioned model's versions, by name then version identifier (`ref('m', v=2)`).
    private var versions: [String: [String: SlotID]] = [:]
    private var sources: [String: [String: SlotID]] = [:]

    /// Every relation is known (at apply time): relations print as themselves, not as placeholders.
    public let resolved: Bool

    public init(resolved: Bool) {
        self.resolved = resolved
    }

    /// A model or seed `ref(name)` finds (the first of a name, when two share one), defined in
    /// `package`; its position.
    @discardableResult
    public mutating func addRef(_ name: String, package: String, relation: Relation? = nil, version: String? = nil, latest: Bool = true) -> SlotID {
        let slot = SlotID(entries.count)
        if let version { versions[name, default: [:]][version] = slot }
        // An unpinned ref finds a versioned model's latest version.
        if latest, refs[name] == nil || (version != nil && versions[name] != nil) { refs[name] = slot }
        entries.append(Entry(package: package, relation: relation))
        return slot
    }

    /// A source table `source(source, table)` finds; its position.
    @discardableResult
    public mutating func addSource(_ source: String, table: String, package: String, relation: Relation? = nil) -> SlotID {
        let slot = SlotID(entries.count)
        sources[source, default: [:]][table] = slot
        entries.append(Entry(package: package, relation: relation))
        return slot
    }

    /// A relation no name finds (`this` at apply time); its position.
    public mutating func addUnnamed(_ relation: Relation, package: String) -> SlotID {
        entries.append(Entry(package: package, relation: relation))
        return SlotID(entries.count - 1)
    }

    func ref(_ name: String) -> SlotID? { refs[name] }
    func versions(of name: String) -> [String: SlotID]? { versions[name] }
    var refNames: Dictionary<String, SlotID>.Keys { refs.keys }
    func tables(of source: String) -> [String: SlotID]? { sources[source] }
    var sourceNames: Dictionary<String, [String: SlotID]>.Keys { sources.keys }
    func package(at slot: SlotID) -> String { entries[slot.index].package }
    func relation(at slot: SlotID) -> Relation? { entries[slot.index].relation }

    /// A copy that shares no reference-counted storage with this one (``DbtRenderInputs/isolated()``).
    package func isolated() -> DbtRelationTable {
        var copy = DbtRelationTable(resolved: resolved)
        copy.entries = entries.map { Entry(package: $0.package.isolated, relation: $0.relation) }
        copy.refs = Dictionary(uniqueKeysWithValues: refs.map { ($0.key.isolated, $0.value) })
        copy.versions = Dictionary(uniqueKeysWithValues: versions.map { model in
            (model.key.isolated, Dictionary(uniqueKeysWithValues: model.value.map { ($0.key.isolated, $0.value) }))
        })
        copy.sources = Dictionary(uniqueKeysWithValues: sources.map { source in
            (source.key.isolated, Dictionary(uniqueKeysWithValues: source.value.map { ($0.key.isolated, $0.value) }))
        })
        return copy
    }
}

/// A relation's number in a ``DbtRelationTable``: what `ref()`, `source()` and `this` resolved
/// to. Only the table makes them (in the order relations are added), so a number is never worked
/// out by arithmetic elsewhere; `index` is its position, for tables kept beside it in that order.
public struct SlotID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let index: Int

    init(_ index: Int) {
        self.index = index
    }

    public static func < (left: SlotID, right: SlotID) -> Bool { left.index < right.index }
    public var description: String { "slot \(index)" }
}
