import FloeEngine
import FloeSemantic
import Foundation
import GraphQL
import OrderedCollections

/// One `cube` field of a GraphQL query as a Cube query: the members its selection asks for
/// (a time dimension at each granularity selected under it), its `where` and `orderBy` (at the
/// root and on each cube), `limit`, `offset`, `timezone`, `ungrouped`; and its rows shaped as the
/// selection is, keyed by each field's alias or name.
struct CubeGraphQLRequest {
    let schema: CubeGraphQLSchema
    var query = CubeQuery()
    /// Response key of each cube field → (the cube, its member selections).
    private(set) var selections: [(key: String, cube: CubeGraphQLSchema.CubeFields, members: [MemberSelection])] = []

    struct MemberSelection {
        var key: String
        var column: SemanticTables.Column
        /// For a time dimension: response key → granularity (`value` is the time itself).
        var times: [(key: String, granularity: String)]
    }

    init(schema: CubeGraphQLSchema, arguments: Map, info: GraphQLResolveInfo) throws {
        self.schema = schema
        let variables = info.variableValues.compactMapValues { $0 as? Map }
        let fragments = info.fragments
        func fields(_ set: SelectionSet?) -> [Field] {
            (set?.selections ?? []).flatMap { selection -> [Field] in
                switch selection {
                case let field as Field: [field]
                case let spread as FragmentSpread: fields(fragments[spread.name.value]?.selectionSet)
                case let inline as InlineFragment: fields(inline.selectionSet)
                default: []
                }
            }
        }
        for cubeField in fields(info.fieldASTs.first?.selectionSet) where cubeField.name.value != "__typename" {
            guard let cube = schema.cubes[cubeField.name.value] else { continue }
            var members: [MemberSelection] = []
            for memberField in fields(cubeField.selectionSet) where memberField.name.value != "__typename" {
                guard let column = cube.members[memberField.name.value] else { continue }
                let key = memberField.alias?.value ?? memberField.name.value
                var times: [(String, String)] = []
                if column.valueType == "time" {
                    for part in fields(memberField.selectionSet) where part.name.value != "__typename" {
                        times.append((part.alias?.value ?? part.name.value, part.name.value))
                    }
                }
                members.append(MemberSelection(key: key, column: column, times: times))
                add(column, times: times.map(\.1))
            }
            for argument in cubeField.arguments {
                let value = try valueFromASTUntyped(valueAST: argument.value, variables: variables)
                switch argument.name.value {
                case "where": query.filters += try filters(value, cube: cube)
                case "orderBy": try order(value, cube: cube)
                default: break
                }
            }
            selections.append((cubeField.alias?.value ?? cubeField.name.value, cube, members))
        }
        if let root = arguments["where"].dictionary { query.filters += try rootFilters(.dictionary(root)) }
        if let root = arguments["orderBy"].dictionary {
            for (name, value) in root where value.dictionary != nil {
                guard let cube = schema.cubes[name] else { continue }
                try order(value, cube: cube)
            }
        }
        if let limit = arguments["limit"].int { query.limit = limit }
        if let offset = arguments["offset"].int { query.offset = offset }
        if let timezone = arguments["timezone"].string { query.timezone = timezone }
        if let ungrouped = arguments["ungrouped"].bool { query.ungrouped = ungrouped }
    }

    private mutating func add(_ column: SemanticTables.Column, times: [String]) {
        switch column.kind {
        case .measure:
            if !query.measures.contains(column.member) { query.measures.append(column.member) }
        case .dimension("time"):
            for granularity in times {
                if granularity == "value" {
                    if !query.dimensions.contains(column.member) { query.dimensions.append(column.member) }
                } else if let part = DatePart(rawValue: granularity),
                          !query.timeDimensions.contains(where: { $0.dimension == column.member && $0.granularity == part }) {
                    query.timeDimensions.append(TimeDimensionQuery(dimension: column.member, granularity: part))
                }
            }
        default:
            if !query.dimensions.contains(column.member) { query.dimensions.append(column.member) }
        }
    }

    private mutating func order(_ value: Map, cube: CubeGraphQLSchema.CubeFields) throws {
        // Coerced input objects carry every field; the ones not given are null.
        for (name, direction) in value.dictionary ?? [:] where direction.string != nil {
            guard let column = cube.members[name] else { throw GraphQLError(message: "orderBy: \(cube.table.name) has no member \(name)") }
            query.order.append(OrderTerm(member: column.member, descending: direction.string == "desc"))
        }
    }

    private func rootFilters(_ value: Map) throws -> [QueryFilter] {
        var all: [QueryFilter] = []
        for (name, part) in value.dictionary ?? [:] where !part.isNull && !part.isUndefined {
            switch name {
            case "AND": all.append(.and(try (part.array ?? []).flatMap { try rootFilters($0) }))
            case "OR": all.append(.or(try (part.array ?? []).map { .and(try rootFilters($0)) }))
            default:
                guard let cube = schema.cubes[name] else { continue }
                all += try filters(part, cube: cube)
            }
        }
        return all
    }

    /// A cube's where input as Cube filters: each member's operators ANDed, `AND`/`OR` nested.
    private func filters(_ value: Map, cube: CubeGraphQLSchema.CubeFields) throws -> [QueryFilter] {
        var all: [QueryFilter] = []
        for (name, part) in value.dictionary ?? [:] where !part.isNull && !part.isUndefined {
            switch name {
            case "AND": all.append(.and(try (part.array ?? []).flatMap { try filters($0, cube: cube) }))
            case "OR": all.append(.or(try (part.array ?? []).map { .and(try filters($0, cube: cube)) }))
            default:
                guard let column = cube.members[name] else { throw GraphQLError(message: "where: \(cube.table.name) has no member \(name)") }
                for (operation, operand) in part.dictionary ?? [:] where !operand.isNull && !operand.isUndefined {
                    all.append(try filter(column.member, operation, operand))
                }
            }
        }
        return all
    }

    private func filter(_ member: String, _ operation: String, _ operand: Map) throws -> QueryFilter {
        let values = operand.array.map { $0.map(Self.text) } ?? [Self.text(operand)]
        switch operation {
        case "in": return .member(member, .equals, values)
        case "notIn": return .member(member, .notEquals, values)
        case "set": return .member(member, operand.bool == false ? .notSet : .set, [])
        default:
            guard let known = FilterOperator(rawValue: operation) else { throw GraphQLError(message: "where: unknown operator \(operation)") }
            return .member(member, known, values)
        }
    }

    static func text(_ value: Map) -> String {
        switch value {
        case .bool(let flag): flag ? "true" : "false"
        case .number(let number):
            number.doubleValue == number.doubleValue.rounded() && abs(number.doubleValue) < 1e15 ? String(Int64(number.doubleValue)) : "\(number.doubleValue)"
        case .string(let text): text
        default: ""
        }
    }

    /// The result's rows as the selection asks for them.
    func rows(_ result: LoadResult) -> [[String: any Sendable]] {
        result.data.map { row in
            var values: [String: JSONValue] = [:]
            for (key, value) in row { values[key] = value }
            var shaped: [String: any Sendable] = [:]
            for selection in selections {
                var members: [String: any Sendable] = [:]
                for member in selection.members {
                    if member.column.valueType == "time" {
                        var times: [String: any Sendable] = [:]
                        for (key, granularity) in member.times {
                            let path = granularity == "value" ? member.column.member : "\(member.column.member).\(granularity)"
                            times[key] = values[path]?.stringValue
                        }
                        members[member.key] = times
                    } else {
                        members[member.key] = Self.value(values[member.column.member], type: member.column.valueType)
                    }
                }
                shaped[selection.key] = members
            }
            return shaped
        }
    }

    private static func value(_ value: JSONValue?, type: String) -> (any Sendable)? {
        switch value {
        case .string(let text)?: type == "number" ? Double(text) : text
        case .bool(let flag)?: flag
        case .number(let text)?: Double(text)
        default: nil
        }
    }
}
