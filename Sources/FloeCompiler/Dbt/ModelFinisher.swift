import FloeContract
import FloeJinja
import FloeTemplates
import Crypto
import FloeEngine
import Foundation

/// Turns rendered models into their plan SQL once every relation is known: replaces the relation
/// placeholders, puts the ephemeral models a model uses in front as CTEs, and lists what it depends
/// on. It holds plain copies of what it reads, so that each worker can have its own
/// (``isolated()``): workers on two cores retaining the same strings stall on each other.
struct ModelFinisher: @unchecked Sendable {
    /// By slot (``SlotID/index``): the relation as SQL names it (or its CTE's name, for an ephemeral model), its
    /// schema, its identifier, and its unique id.
    var relations: [String]
    var schemas: [String]
    var identifiers: [String]
    /// By slot: the identifier alone, quoted, for views that may not name their own schema.
    var unqualified: [String]
    var uniqueIDs: [String]
    var ephemeral: [Bool]
    /// By slot, for ephemeral models only: their name, what they rendered and the slots they refer to.
    var ephemeralRenders: [SlotID: (name: String, text: String, refs: [SlotID])]
    /// The plan's dialect, for the functions it spells its own way (``SQLDialect/nativeFunctions(_:)``).
    var dialect: any SQLDialect

    /// A finisher that knows no relation, until the relations are placed.
    static func empty(dialect: any SQLDialect) -> ModelFinisher {
        ModelFinisher(relations: [], schemas: [], identifiers: [], unqualified: [], uniqueIDs: [], ephemeral: [], ephemeralRenders: [:],
                      dialect: dialect)
    }

    /// What one model's finishing gives.
    struct Finished: @unchecked Sendable {
        var sql: String
        var incrementalSQL: String?
        /// Unique ids of the nodes it depends on, sorted, and their slots in the same order.
        var dependsOn: [String]
        var dependsOnSlots: [SlotID]
        /// SHA-256 fed with the model's SQL, its incremental SQL and the separators after them:
        /// the start of its fingerprint, which the config and the upstream fingerprints complete.
        var fingerprintStart: SHA256
    }

    /// A model's rendered text(s) and the slots it refers to.
    struct Job {
        var text: String
        var refs: [SlotID]
        var sources: [SlotID]
        var incremental: (text: String, refs: [SlotID])?
        /// For a view on an engine whose views may not name their own schema
        /// (``SQLDialect/viewsQualifyTheirOwnSchema``): its schema, whose relations it names unqualified.
        var viewSchema: String?
        /// For a microbatch model: by slot, the `event_time` of each input read one batch at a
        /// time (``SQLDialect/batchInput(_:eventTime:)``).
        var batched: [SlotID: String] = [:]
    }

    func finish(_ job: Job) -> Finished {
        let sql = finish(job.text, refs: job.refs, viewSchema: job.viewSchema, batched: job.batched)
        let incrementalSQL = job.incremental.map { finish($0.text, refs: $0.refs, batched: job.batched) }
        var hasher = SHA256()
        ModelFingerprintRecipe.feedSQL(sql, incrementalSQL) { hasher.update(bufferPointer: $0) }
        let slots = dependencySlots(job.refs + job.sources)
        return Finished(sql: sql, incrementalSQL: incrementalSQL, dependsOn: slots.map { uniqueIDs[$0.index] }, dependsOnSlots: slots,
                        fingerprintStart: hasher)
    }

    /// Placeholders replaced, and the ephemeral models it uses (directly or through other
    /// ephemerals) put in front as CTEs. Relations in `viewSchema` are named without it.
    func finish(_ text: String, refs: [SlotID], viewSchema: String? = nil, batched: [SlotID: String] = [:]) -> String {
        var sql = substitute(text, viewSchema: viewSchema, batched: batched)
        if !batched.isEmpty { sql = batchInputs(sql, batched: batched) }
        var ctes: [(name: String, sql: String)] = []
        var included = Set<SlotID>()
        func include(_ slot: SlotID) {
            guard ephemeral[slot.index], !included.contains(slot), let render = ephemeralRenders[slot] else { return }
            included.insert(slot)
            for used in render.refs { include(used) }
            ctes.append((render.name, substitute(render.text, viewSchema: viewSchema)))
        }
        for slot in refs { include(slot) }
        return dialect.nativeFunctions(EphemeralInliner.inline(sql, ctes: ctes))
    }

    func substitute(_ text: String, viewSchema: String? = nil, batched: [SlotID: String] = [:]) -> String {
        // Locals, not properties, in the closures here: reading a property through the captured
        // struct copies the array (a retain and a release) at every use.
        let relations = relations, schemas = schemas, identifiers = identifiers, unqualified = unqualified, dialect = dialect
        return RelationPlaceholder.substitute(text) { id, part in
            let slot = id.index
            guard slot < relations.count else { return nil }
            return switch part {
            case .relation where batched[id] != nil: "\u{1}batch \(slot)\u{1}"
            case .relation: viewSchema != nil && schemas[slot] == viewSchema ? unqualified[slot] : relations[slot]
            case .schema: schemas[slot]
            case .identifier: identifiers[slot]
            }
        }
    }

    /// Words after a relation in FROM that are not its alias.
    static let clauseWords: Set<String> = [
        "where", "join", "left", "right", "inner", "full", "cross", "natural", "on", "using", "group", "order", "limit", "offset",
        "union", "except", "intersect", "having", "window", "fetch", "lateral", "qualify",
    ]

    /// Each microbatch input (a `\u{1}batch N\u{1}` mark) as its windowed SELECT; named after its
    /// table when the SQL gives it no alias, as PostgreSQL needs a subquery in FROM to have one.
    func batchInputs(_ sql: String, batched: [SlotID: String]) -> String {
        var output = ""
        var rest = Substring(sql)
        while let open = rest.range(of: "\u{1}batch ") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "\u{1}"), let slot = Int(rest[open.upperBound..<close]),
                  let eventTime = batched.first(where: { $0.key.index == slot })?.value else { break }
            rest = rest[rest.index(after: close)...]
            output += dialect.batchInput(relations[slot], eventTime: eventTime)
            let next = rest.drop { $0 == " " || $0 == "\n" || $0 == "\t" }.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "\"" }
            let word = next.lowercased()
            if next.isEmpty || Self.clauseWords.contains(word) {
                output += " as " + dialect.quoteIdentifier(identifiers[slot])
            }
        }
        return output + rest
    }

    /// Unique ids of the slots, sorted, each once.
    func dependencies(_ slots: [SlotID]) -> [String] {
        dependencySlots(slots).map { uniqueIDs[$0.index] }
    }

    /// The slots, each once, in the order of their unique ids. A model refers to a few: a linear
    /// search finds repeats sooner than a set could be built.
    func dependencySlots(_ slots: [SlotID]) -> [SlotID] {
        var distinct: [SlotID] = []
        distinct.reserveCapacity(slots.count)
        for slot in slots where !distinct.contains(slot) { distinct.append(slot) }
        let uniqueIDs = uniqueIDs
        if distinct.count > 1 { distinct.sort { uniqueIDs[$0.index] < uniqueIDs[$1.index] } }
        return distinct
    }

    /// The same values with storage of their own.
    func isolated() -> ModelFinisher {
        ModelFinisher(
            relations: relations.map(\.isolated), schemas: schemas.map(\.isolated), identifiers: identifiers.map(\.isolated),
            unqualified: unqualified.map(\.isolated),
            uniqueIDs: uniqueIDs.map(\.isolated), ephemeral: ephemeral,
            ephemeralRenders: ephemeralRenders.mapValues { ($0.name.isolated, $0.text.isolated, $0.refs) }, dialect: dialect)
    }
}
