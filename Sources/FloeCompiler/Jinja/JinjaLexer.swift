import FloeCore

/// One token of a template: literal text, a delimiter, or a piece of an expression.
struct JinjaToken: Equatable {
    enum Kind: Equatable {
        case text(String)
        case outputStart, outputEnd      // {{ }}
        case statementStart, statementEnd  // {% %}
        case name(String)
        case string(String)
        case integer(Int)
        case number(Double)
        case symbol(String)
        case end
    }

    var kind: Kind
    var line: Int
    var column: Int
}

/// Splits a template into tokens, applying `{%-`/`-%}` whitespace control and dropping comments.
struct JinjaLexer {
    let file: String
    /// UTF-8: every delimiter and operator is ASCII, and text is copied out in slices.
    private let scalars: [UInt8]
    private var index = 0
    private var line = 1
    private var column = 1
    private(set) var tokens: [JinjaToken] = []
    /// Each token's meaning to the expression grammar, in step with `tokens`: worked out here from
    /// the bytes, so the parser never compares token texts to find its operators.
    private(set) var operators: [JinjaOperator] = []

    init(_ source: String, file: String) {
        self.file = file
        scalars = Array(source.utf8)
        // About one token per 8 bytes in dbt models; a guess that spares most regrowth.
        tokens.reserveCapacity(scalars.count / 8 + 4)
        operators.reserveCapacity(scalars.count / 8 + 4)
    }

    static func tokenize(_ source: String, file: String) throws(TemplateError) -> (tokens: [JinjaToken], operators: [JinjaOperator]) {
        var lexer = JinjaLexer(source, file: file)
        try lexer.run()
        return (lexer.tokens, lexer.operators)
    }

    private mutating func append(_ kind: JinjaToken.Kind, _ line: Int, _ column: Int, operator: JinjaOperator = .other) {
        tokens.append(JinjaToken(kind: kind, line: line, column: column))
        operators.append(`operator`)
    }

    /// ASCII letters; any non-ASCII byte counts as a letter, so names may use other scripts.
    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) }
        return true
    }

    /// The byte at `offset` as a scalar (exact for ASCII, which is all the lexer compares against).
    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < scalars.count ? Unicode.Scalar(scalars[index + offset]) : nil
    }

    /// Columns count characters, so UTF-8 continuation bytes do not move the column.
    private mutating func advance() {
        let byte = scalars[index]
        if byte == 0x0a { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        index += 1
    }

    private func location(_ line: Int, _ column: Int) -> SourceLocation {
        SourceLocation(file: file, line: line, column: column)
    }

    private mutating func run() throws(TemplateError) {
        var text: [UInt8] = []
        var textLine = line, textColumn = column
        var stripNextLeading = false

        func flush(stripTrailing: Bool) {
            var value = String(decoding: text, as: UTF8.self)
            if stripNextLeading { value = String(value.drop { $0.isWhitespace }) }
            if stripTrailing { while value.last?.isWhitespace == true { value.removeLast() } }
            if !value.isEmpty { append(.text(value), textLine, textColumn) }
            text.removeAll(keepingCapacity: true)
            stripNextLeading = false
        }

        while let scalar = peek() {
            guard scalar == "{", let next = peek(1), next == "{" || next == "%" || next == "#" else {
                // Plain text up to the next `{`, in one piece.
                if text.isEmpty { textLine = line; textColumn = column }
                let start = index
                advance()
                while index < scalars.count, scalars[index] != 0x7b { advance() }
                text.append(contentsOf: scalars[start..<index])
                continue
            }
            let startLine = line, startColumn = column
            let stripBefore = peek(2) == "-"
            flush(stripTrailing: stripBefore)
            advance(); advance()
            if stripBefore { advance() }
            switch next {
            case "#":
                stripNextLeading = try skipComment(startLine, startColumn)
            case "%" where isRawBlock():
                let (raw, strip) = try readRaw(startLine, startColumn)
                append(.text(raw), startLine, startColumn)
                stripNextLeading = strip
            default:
                let isOutput = next == "{"
                append(isOutput ? .outputStart : .statementStart, startLine, startColumn)
                stripNextLeading = try lexExpression(closing: isOutput ? "}" : "%", openedAt: (startLine, startColumn))
            }
            textLine = line; textColumn = column
        }
        flush(stripTrailing: false)
        append(.end, line, column)
    }

    /// Skips to `#}`; returns whether it ended with `-#}`.
    private mutating func skipComment(_ startLine: Int, _ startColumn: Int) throws(TemplateError) -> Bool {
        while let scalar = peek() {
            if scalar == "#", peek(1) == "}" {
                let strip = index > 0 && scalars[index - 1] == 0x2d
                advance(); advance()
                return strip
            }
            advance()
        }
        throw TemplateError("unclosed comment '{#'", at: location(startLine, startColumn), hint: "close it with '#}'")
    }

    private func isRawBlock() -> Bool {
        var offset = 0
        while let scalar = peek(offset), scalar == " " || scalar == "-" { offset += 1 }
        let word = String(decoding: scalars[min(scalars.count, index + offset)..<min(scalars.count, index + offset + 3)], as: UTF8.self)
        guard word == "raw" else { return false }
        var after = offset + 3
        while let scalar = peek(after), scalar == " " || scalar == "-" { after += 1 }
        return peek(after) == "%" && peek(after + 1) == "}"
    }

    /// `{% raw %}…{% endraw %}`: the text between, untouched.
    private mutating func readRaw(_ startLine: Int, _ startColumn: Int) throws(TemplateError) -> (String, Bool) {
        while let scalar = peek(), !(scalar == "%" && peek(1) == "}") { advance() }
        advance(); advance()
        var raw: [UInt8] = []
        while index < scalars.count {
            if peek() == "{", peek(1) == "%" {
                var offset = 2
                while let scalar = peek(offset), scalar == " " || scalar == "-" { offset += 1 }
                let word = String(decoding: scalars[min(scalars.count, index + offset)..<min(scalars.count, index + offset + 6)], as: UTF8.self)
                if word == "endraw" {
                    while let scalar = peek(), !(scalar == "%" && peek(1) == "}") { advance() }
                    let strip = scalars[index - 1] == 0x2d
                    advance(); advance()
                    return (String(decoding: raw, as: UTF8.self), strip)
                }
            }
            raw.append(scalars[index])
            advance()
        }
        throw TemplateError("unclosed '{% raw %}'", at: location(startLine, startColumn), hint: "close it with '{% endraw %}'")
    }

    /// Lexes an expression up to `}}` or `%}`; returns whether the closing had a `-`.
    private mutating func lexExpression(closing: Unicode.Scalar, openedAt: (Int, Int)) throws(TemplateError) -> Bool {
        let endKind: JinjaToken.Kind = closing == "}" ? .outputEnd : .statementEnd
        var depth = 0
        while let scalar = peek() {
            let tokenLine = line, tokenColumn = column
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" { advance(); continue }
            if depth == 0 {
                if scalar == "-", peek(1) == closing, peek(2) == "}" {
                    advance(); advance(); advance()
                    append(endKind, tokenLine, tokenColumn)
                    return true
                }
                if scalar == closing, peek(1) == "}" {
                    advance(); advance()
                    append(endKind, tokenLine, tokenColumn)
                    return false
                }
            }
            let kind: JinjaToken.Kind
            var code = JinjaOperator.other
            if Self.isLetter(scalar) || scalar == "_" {
                let start = index
                while let next = peek(), Self.isLetter(next) || next == "_" || ("0"..."9").contains(next) { advance() }
                kind = .name(String(decoding: scalars[start..<index], as: UTF8.self))
                code = JinjaOperator(keyword: scalars[start..<index])
            } else if ("0"..."9").contains(scalar) {
                var digits = String.UnicodeScalarView()
                var isFloat = false
                while let next = peek(), ("0"..."9").contains(next) || next == "_"
                    || (next == "." && !isFloat && peek(1).map { ("0"..."9").contains($0) } == true) {
                    if next == "." { isFloat = true }
                    if next != "_" { digits.append(next) }
                    advance()
                }
                let text = String(digits)
                kind = isFloat ? .number(Double(text) ?? 0) : .integer(Int(text) ?? 0)
            } else if scalar == "'" || scalar == "\"" {
                kind = .string(try readString(quote: scalar))
            } else {
                if let next = peek(1), let two = Self.twoCharacterSymbol(scalar, next) {
                    advance(); advance()
                    kind = .symbol(two)
                    code = JinjaOperator(symbol: scalars[index - 2..<index])
                } else if let one = Self.oneCharacterSymbol(scalar) {
                    if scalar == "(" || scalar == "[" || scalar == "{" { depth += 1 }
                    if scalar == ")" || scalar == "]" || scalar == "}" { depth = max(0, depth - 1) }
                    advance()
                    kind = .symbol(one)
                    code = JinjaOperator(symbol: scalars[index - 1..<index])
                } else {
                    throw TemplateError("unexpected character '\(scalar)'", at: location(tokenLine, tokenColumn))
                }
            }
            append(kind, tokenLine, tokenColumn, operator: code)
        }
        let opener = closing == "}" ? "{{" : "{%"
        let closer = closing == "}" ? "}}" : "%}"
        throw TemplateError("unclosed '\(opener)'", at: location(openedAt.0, openedAt.1), hint: "close it with '\(closer)'")
    }

    /// `==`, `!=`, `<=`, `>=`, `//` and `**`.
    private static func twoCharacterSymbol(_ first: Unicode.Scalar, _ second: Unicode.Scalar) -> String? {
        switch (first, second) {
        case ("=", "="): return "=="
        case ("!", "="): return "!="
        case ("<", "="): return "<="
        case (">", "="): return ">="
        case ("/", "/"): return "//"
        case ("*", "*"): return "**"
        default: return nil
        }
    }

    private static let oneCharacterSymbols: [String?] = (0..<128).map { byte in
        "+-*/%~<>=()[]{},.:|".utf8.contains(UInt8(byte)) ? String(UnicodeScalar(UInt8(byte))) : nil
    }

    private static func oneCharacterSymbol(_ scalar: Unicode.Scalar) -> String? {
        scalar.value < 128 ? oneCharacterSymbols[Int(scalar.value)] : nil
    }

    private mutating func readString(quote: Unicode.Scalar) throws(TemplateError) -> String {
        let startLine = line, startColumn = column
        advance()
        // Most strings have no escapes and no line breaks: taken as one slice.
        let quoteByte = UInt8(quote.value)
        var end = index
        while end < scalars.count, scalars[end] != quoteByte, scalars[end] != 0x5c, scalars[end] != 0x0a { end += 1 }
        if end < scalars.count, scalars[end] == quoteByte {
            let value = String(decoding: scalars[index..<end], as: UTF8.self)
            while index <= end { advance() }
            return value
        }
        var value: [UInt8] = []
        while let scalar = peek() {
            let byte = scalars[index]
            advance()
            if scalar == quote { return String(decoding: value, as: UTF8.self) }
            if scalar == "\\", let escaped = peek() {
                advance()
                switch escaped {
                case "n": value.append(0x0a)
                case "t": value.append(0x09)
                case "r": value.append(0x0d)
                case "\\", "'", "\"": value.append(UInt8(escaped.value))
                default: value.append(0x5c); value.append(UInt8(escaped.value))
                }
                continue
            }
            value.append(byte)
        }
        throw TemplateError("unclosed string", at: location(startLine, startColumn), hint: "close it with \(quote)")
    }
}
