/// A declarative description of what a YAML (or JSON) document may hold.
///
/// One description drives both the located validation of the user's files (``ShapeValidator``)
/// and the JSON Schemas floe ships (``JSONSchemaWriter``), so the two cannot disagree.
public indirect enum Shape: Sendable {
    case string(StringRule = StringRule())
    case integer(minimum: Int? = nil, maximum: Int? = nil)
    case number(minimum: Double? = nil, maximum: Double? = nil)
    case boolean
    /// Any JSON/YAML scalar: string, number, boolean or null.
    case scalar
    /// Anything at all; still scanned for credentials where the file demands it.
    case any
    /// `{secret_ref: NAME, key: KEY}`: the only form a credential may take.
    case secret
    /// A plain string or a secret reference (a user name may be either).
    case stringOrSecret
    case list(Shape, minItems: Int = 0)
    /// A mapping from names to values of one shape (profiles by name, columns by name).
    case map(Shape, keys: StringRule = StringRule())
    case object(ObjectShape)
    /// Objects told apart by a `discriminator` field (`type: sqlite` vs `type: postgres`).
    case tagged(TaggedShape)
    /// A scalar form and a mapping form of the same thing (`email` or `{type: email, null_rate: 0.1}`).
    case scalarOrObject(scalar: Shape, object: Shape)
}

/// Constraints on a string.
public struct StringRule: Sendable {
    /// An anchored regular expression valid in both NSRegularExpression and ECMA 262.
    public var pattern: String?
    /// What the pattern means, for messages ("a name of letters, digits, _ and -").
    public var patternDescription: String?
    public var choices: [String]?
    public var minLength: Int?

    public init(pattern: String? = nil, meaning: String? = nil, choices: [String]? = nil, minLength: Int? = nil) {
        self.pattern = pattern
        self.patternDescription = meaning
        self.choices = choices
        self.minLength = minLength
    }

    public static func oneOf(_ choices: [String]) -> StringRule { StringRule(choices: choices) }

    /// Profile, environment and table names.
    public static let identifier = StringRule(
        pattern: "^[A-Za-z][A-Za-z0-9_-]*$",
        meaning: "a name that starts with a letter and holds only letters, digits, '_' and '-'")

    /// SQL table and column names: letters, digits and `_`, not starting with a digit.
    public static let sqlName = StringRule(
        pattern: "^[A-Za-z_][A-Za-z0-9_]*$",
        meaning: "a SQL name of letters, digits and '_' that does not start with a digit")

    public static let nonEmpty = StringRule(minLength: 1)
}

/// A field of an object shape.
public struct Field: Sendable {
    public var name: String
    public var shape: Shape
    public var required: Bool
    public var doc: String

    public init(_ name: String, _ shape: Shape, required: Bool = false, doc: String) {
        self.name = name
        self.shape = shape
        self.required = required
        self.doc = doc
    }

    public static func required(_ name: String, _ shape: Shape, _ doc: String) -> Field {
        Field(name, shape, required: true, doc: doc)
    }

    public static func optional(_ name: String, _ shape: Shape, _ doc: String) -> Field {
        Field(name, shape, required: false, doc: doc)
    }
}

/// A mapping with a fixed set of known keys; any other key is an error.
public struct ObjectShape: Sendable {
    public var title: String
    public var fields: [Field]

    public init(_ title: String, _ fields: [Field]) {
        self.title = title
        self.fields = fields
    }

    public func field(_ name: String) -> Field? { fields.first { $0.name == name } }
}

/// Variants of an object chosen by the value of one field.
public struct TaggedShape: Sendable {
    public var title: String
    public var discriminator: String
    /// Variant name → its fields (the discriminator itself is added automatically).
    public var variants: [(name: String, shape: ObjectShape)]

    public init(_ title: String, discriminator: String = "type", variants: [(String, ObjectShape)]) {
        self.title = title
        self.discriminator = discriminator
        self.variants = variants.map { (name: $0.0, shape: $0.1) }
    }

    public var variantNames: [String] { variants.map(\.name) }

    public func variant(_ name: String) -> ObjectShape? { variants.first { $0.name == name }?.shape }
}
