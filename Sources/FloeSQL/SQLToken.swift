/// One token of SQL text as PostgreSQL reads it, with where it starts (a UTF-8 offset, for
/// error positions).
public struct SQLToken: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A name. Unquoted names are folded to lower case, as PostgreSQL folds them; `quoted`
        /// says whether it was written in double quotes (then it is never a keyword).
        case identifier(String, quoted: Bool)
        /// A string constant, escapes already resolved (`'it''s'`, `E'\n'`, `$$…$$`).
        case string(String)
        /// A numeric constant as written (`42`, `1.5`, `1e3`).
        case number(String)
        /// A bound parameter, `$1` is 1.
        case parameter(Int)
        /// An operator (`=`, `<>`, `||`, `::`, `~`, `!~*`, …).
        case op(String)
        /// `(`, `)`, `,`, `;`, `.`, `[`, `]`, `:`.
        case punctuation(Character)
        case end
    }

    public var kind: Kind
    /// The UTF-8 offset of its first byte in the statement.
    public var offset: Int
    /// The token as written (for messages: `syntax error at or near "FROM"`).
    public var written: String

    public init(_ kind: Kind, offset: Int, written: String = "") {
        self.kind = kind
        self.offset = offset
        self.written = written
    }

    /// The unquoted name in upper case when this is an unquoted identifier: what keyword
    /// comparisons use.
    public var keyword: String? {
        if case .identifier(let name, quoted: false) = kind { return name.uppercased() }
        return nil
    }

    /// The token as an error message quotes it (`syntax error at or near "FROM"`).
    public var text: String {
        switch kind {
        case .identifier(let name, let quoted): quoted ? "\"\(name)\"" : name
        case .string(let value): "'\(value)'"
        case .number(let value): value
        case .parameter(let index): "$\(index)"
        case .op(let op): op
        case .punctuation(let character): String(character)
        case .end: "end of input"
        }
    }
}
