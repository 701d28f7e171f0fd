/// SQL text cut into pieces that together are the text, byte for byte — the tokens, and the
/// whitespace and comments between them — for the engines' rewrites (PostgreSQL's `::` casts for
/// SQLite, SQLite's aggregates for PostgreSQL) and for splitting statements, which change some
/// tokens and must keep everything else as written. One tokenizer, the parser's, reads SQL
/// everywhere in floe.
public struct SQLPiece: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case space
        /// `-- …` or `/* … */`.
        case comment
        case token(SQLToken.Kind)
        /// What the tokenizer cannot read: a character no token starts with (one byte, such as a
        /// template's `{`), or an unterminated string, quoted name or comment (the rest of the text).
        case unreadable
    }

    public var kind: Kind
    /// Where it is in the text's UTF-8 bytes.
    public var range: Range<Int>
    public var text: String

    /// Whitespace or a comment: what sits between tokens.
    public var isTrivia: Bool {
        switch kind {
        case .space, .comment: true
        default: false
        }
    }

    /// The punctuation character it is, if it is one (`(`, `)`, `,`, `;`, `.`).
    public var punctuation: Character? {
        if case .token(.punctuation(let character)) = kind { return character }
        return nil
    }

    /// An unquoted name in lower case (`median`, `within`), if it is one.
    public var word: String? {
        if case .token(.identifier(let name, quoted: false)) = kind { return name }
        return nil
    }
}

extension SQLLexer {
    /// Every piece of `text`, in order, covering it whole (see ``SQLPiece``).
    public static func pieces(_ text: String, flavor: SQLFlavor = .postgres) -> [SQLPiece] {
        var lexer = SQLLexer(text, flavor: flavor)
        var pieces: [SQLPiece] = []
        func add(_ kind: SQLPiece.Kind, from start: Int) {
            pieces.append(SQLPiece(kind: kind, range: start..<lexer.index, text: lexer.text(start..<lexer.index)))
        }
        while let byte = lexer.peek() {
            let start = lexer.index
            if Self.isSpace(byte) {
                while let next = lexer.peek(), Self.isSpace(next) { lexer.index += 1 }
                add(.space, from: start)
            } else if byte == 0x2D, lexer.peek(1) == 0x2D {
                while let next = lexer.peek(), next != 0x0A { lexer.index += 1 }
                add(.comment, from: start)
            } else if byte == 0x2F, lexer.peek(1) == 0x2A {
                do {
                    try lexer.skipSpaceAndComments()
                    add(.comment, from: start)
                } catch {
                    lexer.index = lexer.bytes.count
                    add(.unreadable, from: start)
                }
            } else {
                do {
                    let token = try lexer.next()
                    add(.token(token.kind), from: start)
                } catch {
                    // A stray character is one piece; an unterminated construct takes the rest.
                    lexer.index = error.message.hasPrefix("unexpected character") ? start + Self.characterLength(byte) : lexer.bytes.count
                    add(.unreadable, from: start)
                }
            }
        }
        return pieces
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C
    }

    /// The bytes of the UTF-8 character a byte starts.
    private static func characterLength(_ byte: UInt8) -> Int {
        switch byte {
        case 0xF0...: 4
        case 0xE0...: 3
        case 0xC0...: 2
        default: 1
        }
    }
}
