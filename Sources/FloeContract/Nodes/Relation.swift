/// A table in the warehouse: a schema (the namespace, or namespace plus a custom schema) and a name.
public struct Relation: Codable, Sendable, Hashable, CustomStringConvertible {
    public var schema: String
    public var name: String

    public init(schema: String, name: String) {
        self.schema = schema
        self.name = name
    }

    public var description: String { "\(schema).\(name)" }
}

/// A column name and, where known, its SQL type.
public struct ColumnSpec: Codable, Sendable, Equatable {
    public var name: String
    public var type: String?
    public var description: String?

    public init(name: String, type: String? = nil, description: String? = nil) {
        self.name = name
        self.type = type
        self.description = description
    }
}

extension Relation: CanonicalJSONWritable {
    func write(to writer: inout CanonicalJSONWriter, depth: Int) {
        var object = writer.openObject(depth: depth)
        writer.field("name", name, in: &object)
        writer.field("schema", schema, in: &object)
        writer.close(object)
    }
}

extension ColumnSpec: CanonicalJSONWritable {
    func write(to writer: inout CanonicalJSONWriter, depth: Int) {
        var object = writer.openObject(depth: depth)
        writer.field("description", description, in: &object)
        writer.field("name", name, in: &object)
        writer.field("type", type, in: &object)
        writer.close(object)
    }
}
