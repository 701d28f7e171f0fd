import FloeSemantic
import Foundation
import GraphQL
import OrderedCollections

/// Cube's GraphQL schema over the cubes and views a security context may see:
///
///     type Query { cube(where: RootWhereInput, orderBy: RootOrderByInput, limit: Int, offset: Int,
///                       timezone: String, renewQuery: Boolean, ungrouped: Boolean): [Result!]! }
///     type Result { orders(where: OrdersWhereInput, orderBy: OrdersOrderByInput): OrdersMembers! … }
///     type OrdersMembers { count: Float  status: String  createdAt: TimeDimension … }
///
/// Cube and member names are camel-cased as Cube's GraphQL API writes them (`total_revenue` is
/// `totalRevenue`, `OrderItems` is `orderItems`). Resolving reads the query's selection (see
/// ``CubeGraphQLRequest``), so one `cube` field is one Cube query.
struct CubeGraphQLSchema: @unchecked Sendable {
    let schema: GraphQLSchema
    /// The GraphQL field name of each cube or view, and of each of their members.
    let cubes: [String: CubeFields]

    struct CubeFields {
        var table: SemanticTables.Table
        /// Member field name → the table's column.
        var members: [String: SemanticTables.Column]
    }

    static let granularities = ["second", "minute", "hour", "day", "week", "month", "quarter", "year"]

    /// `total_revenue` → `totalRevenue`, `OrderItems` → `orderItems`, `Customers_region` → `customersRegion`.
    static func fieldName(_ name: String) -> String {
        let parts = name.split(separator: "_").filter { !$0.isEmpty }
        guard let first = parts.first else { return name }
        let head = first.prefix(1).lowercased() + first.dropFirst()
        return head + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// A type name: the field name with a capital.
    static func typeName(_ name: String) -> String {
        let field = fieldName(name)
        return field.prefix(1).uppercased() + field.dropFirst()
    }

    init(tables: SemanticTables, resolve: @escaping GraphQLFieldResolve) throws {
        let orderBy = try GraphQLEnumType(name: "OrderBy", values: ["asc": GraphQLEnumValue(value: "asc"), "desc": GraphQLEnumValue(value: "desc")])
        let dateTime = try GraphQLScalarType(name: "DateTime", description: "A time as Cube writes it: 2024-01-01T00:00:00.000",
                                             serialize: { value in .string("\(value)") })
        func filter(_ name: String, _ type: any GraphQLInputType, _ operators: [String], lists: [String]) throws -> GraphQLInputObjectType {
            var fields: InputObjectFieldMap = [:]
            for op in operators { fields[op] = InputObjectField(type: type) }
            for op in lists { fields[op] = InputObjectField(type: GraphQLList(type)) }
            fields["set"] = InputObjectField(type: GraphQLBoolean)
            return try GraphQLInputObjectType(name: name, fields: fields)
        }
        let stringFilter = try filter("StringFilter", GraphQLString,
                                      ["equals", "notEquals", "contains", "notContains", "startsWith", "notStartsWith", "endsWith", "notEndsWith"],
                                      lists: ["in", "notIn"])
        let floatFilter = try filter("FloatFilter", GraphQLFloat, ["equals", "notEquals", "gt", "lt", "gte", "lte"], lists: ["in", "notIn"])
        let dateTimeFilter = try filter("DateTimeFilter", GraphQLString,
                                        ["equals", "notEquals", "beforeDate", "beforeOrOnDate", "afterDate", "afterOrOnDate"],
                                        lists: ["in", "notIn", "inDateRange", "notInDateRange"])
        let booleanFilter = try filter("BooleanFilter", GraphQLBoolean, ["equals", "notEquals"], lists: [])
        var timeFields: GraphQLFieldMap = ["value": GraphQLField(type: dateTime, resolve: Self.fromSource)]
        for granularity in Self.granularities { timeFields[granularity] = GraphQLField(type: dateTime, resolve: Self.fromSource) }
        let timeDimension = try GraphQLObjectType(name: "TimeDimension", fields: timeFields)

        var resultFields: GraphQLFieldMap = [:]
        var rootWhere: InputObjectFieldMap = [:]
        var rootOrder: InputObjectFieldMap = [:]
        var cubes: [String: CubeFields] = [:]
        var whereTypes: [GraphQLInputObjectType] = []
        for table in tables.tables {
            let field = Self.fieldName(table.name), type = Self.typeName(table.name)
            var members: GraphQLFieldMap = [:]
            var whereFields: InputObjectFieldMap = [:]
            var orderFields: InputObjectFieldMap = [:]
            var byField: [String: SemanticTables.Column] = [:]
            for column in table.columns where column.kind != .segment {
                let name = Self.fieldName(column.name)
                guard byField[name] == nil else { continue }
                byField[name] = column
                let (output, input): (any GraphQLOutputType, any GraphQLInputType) = switch column.valueType {
                case "number": (GraphQLFloat, floatFilter)
                case "boolean": (GraphQLBoolean, booleanFilter)
                case "time": (timeDimension, dateTimeFilter)
                default: (GraphQLString, stringFilter)
                }
                members[name] = GraphQLField(type: output, description: column.description, resolve: Self.fromSource)
                whereFields[name] = InputObjectField(type: input)
                orderFields[name] = InputObjectField(type: orderBy)
            }
            guard !members.isEmpty else { continue }
            let whereType = try Self.recursiveWhere("\(type)WhereInput", whereFields)
            whereTypes.append(whereType)
            let orderType = try GraphQLInputObjectType(name: "\(type)OrderByInput", fields: orderFields)
            let membersType = try GraphQLObjectType(name: "\(type)Members", description: table.description, fields: members)
            resultFields[field] = GraphQLField(type: GraphQLNonNull(membersType), description: table.description,
                                               args: ["where": GraphQLArgument(type: whereType), "orderBy": GraphQLArgument(type: orderType)],
                                               resolve: Self.fromSource)
            rootWhere[field] = InputObjectField(type: whereType)
            rootOrder[field] = InputObjectField(type: orderType)
            cubes[field] = CubeFields(table: table, members: byField)
        }
        let rootWhereType = try Self.recursiveWhere("RootWhereInput", rootWhere)
        let rootOrderType = try GraphQLInputObjectType(name: "RootOrderByInput", fields: rootOrder)
        if resultFields.isEmpty {
            resultFields["_empty"] = GraphQLField(type: GraphQLString, description: "the security context sees no cube", resolve: Self.fromSource)
        }
        let result = try GraphQLObjectType(name: "Result", fields: resultFields)
        let query = try GraphQLObjectType(name: "Query", fields: [
            "cube": GraphQLField(
                type: GraphQLNonNull(GraphQLList(GraphQLNonNull(result))),
                description: "One Cube query: the members selected below, filtered by where, ordered by orderBy",
                args: [
                    "where": GraphQLArgument(type: rootWhereType), "orderBy": GraphQLArgument(type: rootOrderType),
                    "limit": GraphQLArgument(type: GraphQLInt), "offset": GraphQLArgument(type: GraphQLInt),
                    "timezone": GraphQLArgument(type: GraphQLString), "renewQuery": GraphQLArgument(type: GraphQLBoolean),
                    "ungrouped": GraphQLArgument(type: GraphQLBoolean),
                ],
                resolve: resolve),
        ])
        schema = try GraphQLSchema(query: query, types: [dateTime, rootWhereType] + whereTypes)
        _ = Self.inputValueDeprecation
        self.cubes = cubes
    }

    /// GraphQLSwift 4.3.0 declares `__InputValue.isDeprecated` (non-null) without a resolver, and
    /// its argument and input-field definitions have no such property, so an introspection query
    /// that asks for it (gql's and GraphiQL's do) fails with "Cannot return null for non-nullable
    /// field". Done once, before the first schema answers: the field resolves from
    /// `deprecationReason`, as the specification says.
    private static let inputValueDeprecation: Void = {
        let probe = try? GraphQLSchema(query: GraphQLObjectType(name: "Probe", fields: ["probe": GraphQLField(type: GraphQLString)]))
        guard let inputValue = probe?.getType(name: "__InputValue") as? GraphQLObjectType else { return }
        let original = inputValue.fields
        inputValue.fields = {
            var fields = try original()
            fields["isDeprecated"] = GraphQLField(type: GraphQLNonNull(GraphQLBoolean)) { source, _, _, _ in
                switch source {
                case let argument as GraphQLArgumentDefinition: argument.deprecationReason != nil
                case let field as InputObjectFieldDefinition: field.deprecationReason != nil
                default: false
                }
            }
            return fields
        }
    }()

    /// A where input with `AND` and `OR`: lists of itself.
    private static func recursiveWhere(_ name: String, _ fields: InputObjectFieldMap) throws -> GraphQLInputObjectType {
        final class Itself: @unchecked Sendable { var type: GraphQLInputObjectType? }
        let itself = Itself()
        let type = try GraphQLInputObjectType(name: name, fields: {
            var all = fields
            guard let type = itself.type else { return all }
            all["AND"] = InputObjectField(type: GraphQLList(GraphQLNonNull(type)))
            all["OR"] = InputObjectField(type: GraphQLList(GraphQLNonNull(type)))
            return all
        })
        itself.type = type
        return type
    }

    /// Every field below `cube` reads its value from the row the `cube` resolver made, by the
    /// key it is asked under (its alias, else its name).
    static let fromSource: GraphQLFieldResolve = { source, _, _, info in
        let key = info.fieldASTs.first?.alias?.value ?? info.fieldName
        return (source as? [String: any Sendable])?[key] ?? nil
    }
}
