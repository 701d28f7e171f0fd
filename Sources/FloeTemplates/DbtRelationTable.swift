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
    private var refs: [String: Int] = [:]
    private var sources: [String: [String: Int]] = [:]

    /// Every relation is known (at apply time): relations print as themselves, not as placeholders.
    public let resolved: Bool

    public init(resolved: Bool) {
        self.resolved = resolved
    }

    /// A model or seed `ref(name)` finds (the first of a name, when two share one), defined in
    /// `package`; its position.
    @discardableResult
    public mutating func addRef(_ name: String, package: String, relation: Relation? = nil) -> Int {
        if refs[name] == nil { refs[name] = entries.count }
        entries.append(Entry(package: package, relation: relation))
        return entries.count - 1
    }

    /// A source table `source(source, table)` finds; its position.
    @discardableResult
    public mutating func addSource(_ source: String, table: String, package: String, relation: Relation? = nil) -> Int {
        sources[source, default: [:]][table] = entries.count
        entries.append(Entry(package: package, relation: relation))
        return entries.count - 1
    }

    /// A relation no name finds (`this` at apply time); its position.
    public mutating func addUnnamed(_ relation: Relation, package: String) -> Int {
        entries.append(Entry(package: package, relation: relation))
        return entries.count - 1
    }

    func ref(_ name: String) -> Int? { refs[name] }
    var refNames: Dictionary<String, Int>.Keys { refs.keys }
    func tables(of source: String) -> [String: Int]? { sources[source] }
    var sourceNames: Dictionary<String, [String: Int]>.Keys { sources.keys }
    func package(at position: Int) -> String { entries[position].package }
    func relation(at position: Int) -> Relation? { entries[position].relation }

    /// A copy that shares no reference-counted storage with this one (``DbtRenderInputs/isolated()``).
    package func isolated() -> DbtRelationTable {
        var copy = DbtRelationTable(resolved: resolved)
        copy.entries = entries.map { Entry(package: $0.package.isolated, relation: $0.relation) }
        copy.refs = Dictionary(uniqueKeysWithValues: refs.map { ($0.key.isolated, $0.value) })
        copy.sources = Dictionary(uniqueKeysWithValues: sources.map { source in
            (source.key.isolated, Dictionary(uniqueKeysWithValues: source.value.map { ($0.key.isolated, $0.value) }))
        })
        return copy
    }
}
