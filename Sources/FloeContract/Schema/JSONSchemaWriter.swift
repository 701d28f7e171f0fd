/// Writes a ``Shape`` as a JSON Schema (draft 2020-12) that editors and CI validators understand.
public enum JSONSchemaWriter {
    public static let draft = "https://json-schema.org/draft/2020-12/schema"

    /// A complete schema document for a file: `$schema`, `$id`, `title`, `description`, `$defs`.
    public static func document(id: String, title: String, description: String, root: Shape) -> JSONDocument {
        var schema = schema(for: root)
        schema["$schema"] = .string(draft)
        schema["$id"] = .string(id)
        schema["title"] = .string(title)
        schema["description"] = .string(description)
        schema["$defs"] = ["secret_ref": secretReference]
        return schema
    }

    static let secretReference: JSONDocument = [
        "type": "object",
        "description": "A credential, resolved at run time from FLOE_SECRET_<NAME>_<KEY> or <mount>/<NAME>/<KEY>.",
        "properties": [
            "secret_ref": ["type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$"],
            "key": ["type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$"],
        ],
        "required": ["secret_ref", "key"],
        "additionalProperties": false,
    ]

    public static func schema(for shape: Shape) -> JSONDocument {
        switch shape {
        case .string(let rule):
            return string(rule)
        case .integer(let minimum, let maximum):
            var schema: JSONDocument = ["type": "integer"]
            if let minimum { schema["minimum"] = .integer(minimum) }
            if let maximum { schema["maximum"] = .integer(maximum) }
            return schema
        case .number(let minimum, let maximum):
            var schema: JSONDocument = ["type": "number"]
            if let minimum { schema["minimum"] = .number(minimum) }
            if let maximum { schema["maximum"] = .number(maximum) }
            return schema
        case .boolean:
            return ["type": "boolean"]
        case .scalar:
            return ["type": ["string", "number", "boolean", "null"]]
        case .any:
            return [:]
        case .secret:
            return ["$ref": "#/$defs/secret_ref"]
        case .stringOrSecret:
            return ["anyOf": [["type": "string"], ["$ref": "#/$defs/secret_ref"]]]
        case .list(let item, let minItems):
            var schema: JSONDocument = ["type": "array", "items": schema(for: item)]
            if minItems > 0 { schema["minItems"] = .integer(minItems) }
            return schema
        case .map(let value, let keys):
            var schema: JSONDocument = ["type": "object", "additionalProperties": schema(for: value)]
            let names = string(keys)
            if names != ["type": "string"] { schema["propertyNames"] = names }
            return schema
        case .object(let object):
            return self.object(object, discriminator: nil)
        case .tagged(let tagged):
            let names = JSONDocument.array(tagged.variantNames.map(JSONDocument.string))
            let branches: [JSONDocument] = tagged.variants.map { variant in
                [
                    "if": ["properties": [tagged.discriminator: ["const": .string(variant.name)]],
                           "required": [.string(tagged.discriminator)]],
                    "then": self.object(variant.shape, discriminator: (tagged.discriminator, variant.name)),
                ]
            }
            return [
                "type": "object",
                "title": .string(tagged.title),
                "required": [.string(tagged.discriminator)],
                "properties": [tagged.discriminator: ["enum": names]],
                "allOf": .array(branches),
            ]
        case .scalarOrObject(let scalar, let object):
            return ["anyOf": [schema(for: scalar), schema(for: object)]]
        }
    }

    private static func string(_ rule: StringRule) -> JSONDocument {
        var schema: JSONDocument = ["type": "string"]
        if let choices = rule.choices { schema["enum"] = .array(choices.map(JSONDocument.string)) }
        if let pattern = rule.pattern { schema["pattern"] = .string(pattern) }
        if let minLength = rule.minLength { schema["minLength"] = .integer(minLength) }
        return schema
    }

    private static func object(_ object: ObjectShape, discriminator: (field: String, value: String)?) -> JSONDocument {
        var properties: [String: JSONDocument] = [:]
        for field in object.fields {
            var property = schema(for: field.shape)
            if case .object = property { property["description"] = .string(field.doc) }
            properties[field.name] = property
        }
        var required = object.fields.filter(\.required).map { JSONDocument.string($0.name) }
        if let discriminator {
            properties[discriminator.field] = ["const": .string(discriminator.value)]
            required.insert(.string(discriminator.field), at: 0)
        }
        var schema: JSONDocument = [
            "type": "object",
            "title": .string(object.title),
            "properties": .object(properties),
            "additionalProperties": false,
        ]
        if !required.isEmpty { schema["required"] = .array(required) }
        return schema
    }
}
