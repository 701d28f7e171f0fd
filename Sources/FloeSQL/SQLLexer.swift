/// Splits SQL text into tokens the way PostgreSQL's scanner does: `--` and nested `/* */`
/// comments, `'…'` strings with doubled quotes, `E'…'` strings with backslash escapes,
/// `$tag$…$tag$` dollar quoting, `"…"` identifiers, unquoted names folded to lower case,
/// `$n` parameters and multi-character operators.
public struct SQLLexer {
    /// Characters PostgreSQL allows in an operator.
    private static let operatorBytes: Set<UInt8> = Set("+-*/<>=~!@#%^&|`?".utf8)

    let bytes: [UInt8]
    private let flavor: SQLFlavor
    var index = 0

    public init(_ text: String, flavor: SQLFlavor = .postgres) {
        bytes = Array(text.utf8)
        self.flavor = flavor
    }

    /// Every token, ending with `.end`.
    public static func tokens(_ text: String, flavor: SQLFlavor = .postgres) throws(SQLSyntaxError) -> [SQLToken] {
        var lexer = SQLLexer(text, flavor: flavor)
        var tokens: [SQLToken] = []
        while true {
            var token = try lexer.next()
            token.written = lexer.text(token.offset..<lexer.index)
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    func peek(_ ahead: Int = 0) -> UInt8? {
        index + ahead < bytes.count ? bytes[index + ahead] : nil
    }

    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte == 0x5F || byte >= 0x80
    }

    private static func isIdentifierPart(_ byte: UInt8) -> Bool {
        isIdentifierStart(byte) || isDigit(byte) || byte == 0x24
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    public mutating func next() throws(SQLSyntaxError) -> SQLToken {
        try skipSpaceAndComments()
        let start = index
        guard let byte = peek() else { return SQLToken(.end, offset: start) }
        // E'…' / e'…': backslash escapes.
        if (byte == 0x45 || byte == 0x65), peek(1) == 0x27 {
            index += 1
            return SQLToken(.string(try quoted(escapes: true)), offset: start)
        }
        if byte == 0x27 { return SQLToken(.string(try quoted(escapes: false)), offset: start) }
        if byte == 0x22 { return SQLToken(.identifier(try quotedIdentifier(), quoted: true), offset: start) }
        if byte == 0x60, flavor.backtickIdentifiers {
            return SQLToken(.identifier(try quotedIdentifier(closing: 0x60), quoted: true), offset: start)
        }
        if Self.isIdentifierStart(byte) {
            while let next = peek(), Self.isIdentifierPart(next) { index += 1 }
            return SQLToken(.identifier(text(start..<index).lowercased(), quoted: false), offset: start)
        }
        if Self.isDigit(byte) || (byte == 0x2E && peek(1).map(Self.isDigit) == true) {
            return SQLToken(.number(number()), offset: start)
        }
        if byte == 0x24 {
            if let next = peek(1), Self.isDigit(next) {
                index += 1
                while let digit = peek(), Self.isDigit(digit) { index += 1 }
                guard let number = Int(text(start + 1..<index)), number > 0, number <= 65_535 else {
                    throw SQLSyntaxError("there is no parameter \(text(start..<index))", offset: start)
                }
                return SQLToken(.parameter(number), offset: start)
            }
            if let value = try dollarQuoted() { return SQLToken(.string(value), offset: start) }
        }
        if "(),;[]".utf8.contains(byte) {
            index += 1
            return SQLToken(.punctuation(Character(UnicodeScalar(byte))), offset: start)
        }
        if byte == 0x3A {
            if peek(1) == 0x3A {
                index += 2
                return SQLToken(.op("::"), offset: start)
            }
            index += 1
            return SQLToken(.punctuation(":"), offset: start)
        }
        if byte == 0x2E {
            index += 1
            return SQLToken(.punctuation("."), offset: start)
        }
        if Self.operatorBytes.contains(byte) { return SQLToken(.op(operatorText()), offset: start) }
        throw SQLSyntaxError("unexpected character '\(Character(UnicodeScalar(byte)))'", offset: start)
    }

    mutating func skipSpaceAndComments() throws(SQLSyntaxError) {
        while let byte = peek() {
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C {
                index += 1
            } else if byte == 0x2D, peek(1) == 0x2D {
                while let next = peek(), next != 0x0A { index += 1 }
            } else if byte == 0x2F, peek(1) == 0x2A {
                let start = index
                var depth = 0
                repeat {
                    guard let next = peek() else { throw SQLSyntaxError("unterminated /* comment", offset: start) }
                    if next == 0x2F, peek(1) == 0x2A {
                        depth += 1
                        index += 2
                    } else if next == 0x2A, peek(1) == 0x2F {
                        depth -= 1
                        index += 2
                    } else {
                        index += 1
                    }
                } while depth > 0
            } else {
                return
            }
        }
    }

    private mutating func quoted(escapes: Bool) throws(SQLSyntaxError) -> String {
        let start = index
        index += 1
        var value: [UInt8] = []
        while true {
            guard let byte = peek() else { throw SQLSyntaxError("unterminated quoted string", offset: start) }
            index += 1
            if byte == 0x27 {
                if peek() == 0x27 {
                    value.append(0x27)
                    index += 1
                    continue
                }
                return String(decoding: value, as: UTF8.self)
            }
            if escapes, byte == 0x5C, let escaped = peek() {
                index += 1
                switch escaped {
                case 0x6E: value.append(0x0A)
                case 0x74: value.append(0x09)
                case 0x72: value.append(0x0D)
                case 0x62: value.append(0x08)
                case 0x66: value.append(0x0C)
                default: value.append(escaped)
                }
                continue
            }
            value.append(byte)
        }
    }

    /// `"…"` (or `` `…` ``), a doubled closing quote standing for itself.
    private mutating func quotedIdentifier(closing: UInt8 = 0x22) throws(SQLSyntaxError) -> String {
        let start = index
        index += 1
        var value: [UInt8] = []
        while true {
            guard let byte = peek() else { throw SQLSyntaxError("unterminated quoted identifier", offset: start) }
            index += 1
            if byte == closing {
                if peek() == closing {
                    value.append(closing)
                    index += 1
                    continue
                }
                guard !value.isEmpty else { throw SQLSyntaxError("zero-length delimited identifier", offset: start) }
                return String(decoding: value, as: UTF8.self)
            }
            value.append(byte)
        }
    }

    /// `$tag$…$tag$`; nil (nothing read) when the `$` starts no tag.
    private mutating func dollarQuoted() throws(SQLSyntaxError) -> String? {
        let start = index
        var end = index + 1
        while end < bytes.count, bytes[end] != 0x24 {
            guard Self.isIdentifierPart(bytes[end]), bytes[end] != 0x24 else { return nil }
            end += 1
        }
        guard end < bytes.count else { return nil }
        let tag = Array(bytes[start...end])
        index = end + 1
        let bodyStart = index
        while index + tag.count <= bytes.count {
            if Array(bytes[index..<index + tag.count]) == tag {
                let body = text(bodyStart..<index)
                index += tag.count
                return body
            }
            index += 1
        }
        throw SQLSyntaxError("unterminated dollar-quoted string", offset: start)
    }

    private mutating func number() -> String {
        let start = index
        while let byte = peek(), Self.isDigit(byte) { index += 1 }
        if peek() == 0x2E, peek(1) != 0x2E {
            index += 1
            while let byte = peek(), Self.isDigit(byte) { index += 1 }
        }
        if let byte = peek(), byte == 0x65 || byte == 0x45 {
            let mark = index
            index += 1
            if let sign = peek(), sign == 0x2B || sign == 0x2D { index += 1 }
            if let digit = peek(), Self.isDigit(digit) {
                while let digit = peek(), Self.isDigit(digit) { index += 1 }
            } else {
                index = mark
            }
        }
        return text(start..<index)
    }

    /// The longest run of operator characters, cut as PostgreSQL cuts it: a run does not end in
    /// `+` or `-` unless it holds one of `~!@#%^&|`?` (so `a=-1` is `=` then `-`), and `--` or
    /// `/*` inside it starts a comment.
    private mutating func operatorText() -> String {
        let start = index
        var end = index
        while end < bytes.count, Self.operatorBytes.contains(bytes[end]) {
            if end > start, (bytes[end - 1] == 0x2D && bytes[end] == 0x2D) || (bytes[end - 1] == 0x2F && bytes[end] == 0x2A) {
                end -= 1
                break
            }
            end += 1
        }
        if end - start > 1 {
            let special: Set<UInt8> = Set("~!@#%^&|`?".utf8)
            if !bytes[start..<end].contains(where: special.contains) {
                while end - start > 1, bytes[end - 1] == 0x2B || bytes[end - 1] == 0x2D { end -= 1 }
            }
        }
        index = max(end, start + 1)
        return text(start..<index)
    }
}

/// SQL the parser cannot read: the message, and the UTF-8 offset it points at.
public struct SQLSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int

    public init(_ message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { message }
}
