import FloeCore
import Foundation

/// One token of a template: what kind it is, where it starts, and the bytes of the source it
/// covers. Tokens hold no strings: the parser makes a string only of what it keeps (names,
/// literals, text), and tests keywords and symbols against the bytes.
struct JinjaToken {
    enum Kind: UInt8 {
        /// Literal text, after whitespace control.
        case text
        case outputStart, outputEnd      // {{ }}
        case statementStart, statementEnd  // {% %}
        case name
        /// A string literal's bytes between its quotes; `escapedString` when they hold a backslash
        /// escape still to be decoded (``JinjaLexer/unescape(_:)``).
        case string, escapedString
        /// Digits, with any `_` separators still in them.
        case integer, number
        case symbol
        case end
    }

    var kind: Kind
    var line: Int32
    var column: Int32
    /// The token's bytes are `source[start..<end]`.
    var start: Int32
    var end: Int32
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

    init(_ source: [UInt8], file: String) {
        self.file = file
        scalars = source
        // dbt models run to a token per 5 to 8 bytes: room for one per 4 spares the regrowth
        // (a copy of every token so far) that a tighter guess cost most files.
        tokens.reserveCapacity(scalars.count / 4 + 16)
        operators.reserveCapacity(scalars.count / 4 + 16)
    }

    /// The tokens of `source` (UTF-8), and each one's meaning to the expression grammar.
    static func tokenize(_ source: [UInt8], file: String) throws(TemplateError) -> (tokens: [JinjaToken], operators: [JinjaOperator]) {
        guard source.count < Int32.max else {
            throw TemplateError("the template is too large (2 GiB or more)", at: .file(file))
        }
        if let reserved = reservedMarker(in: source) {
            throw TemplateError("the control character U+0001 is not allowed in a template",
                                at: SourceLocation(file: file, line: reserved.line, column: reserved.column),
                                hint: "floe marks relations with this byte while it renders; remove it from the file")
        }
        var lexer = JinjaLexer(source, file: file)
        try lexer.run()
        return (lexer.tokens, lexer.operators)
    }

    /// Where the first U+0001 byte is, if any. The renderer writes relation placeholders between
    /// such bytes (``RelationPlaceholder``), so a template may not hold one of its own: it could
    /// forge a placeholder. One `memchr` over the bytes; a line and column only when found.
    static func reservedMarker(in source: [UInt8]) -> (line: Int, column: Int)? {
        let offset: Int? = source.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress, let found = memchr(base, 1, bytes.count) else { return nil }
            return base.distance(to: UnsafeRawPointer(found))
        }
        guard let offset else { return nil }
        var line = 1, column = 1
        for byte in source[..<offset] {
            if byte == 0x0a { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        return (line, column)
    }

    @inline(__always)
    private mutating func append(_ kind: JinjaToken.Kind, _ line: Int, _ column: Int, _ range: Range<Int>,
                                 operator: JinjaOperator = .other) {
        tokens.append(JinjaToken(kind: kind, line: Int32(truncatingIfNeeded: line), column: Int32(truncatingIfNeeded: column),
                                 start: Int32(truncatingIfNeeded: range.lowerBound), end: Int32(truncatingIfNeeded: range.upperBound)))
        operators.append(`operator`)
    }

    /// A token with no bytes of its own (a delimiter, the end), at the current position.
    private mutating func append(_ kind: JinjaToken.Kind, _ line: Int, _ column: Int) {
        append(kind, line, column, index..<index)
    }

    /// ASCII letters; any non-ASCII byte counts as a letter, so names may use other scripts.
    @inline(__always)
    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) }
        return true
    }

    /// The byte at `offset` as a scalar (exact for ASCII, which is all the lexer compares against).
    @inline(__always)
    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < scalars.count ? Unicode.Scalar(scalars[index + offset]) : nil
    }

    /// Columns count characters, so UTF-8 continuation bytes do not move the column.
    @inline(__always)
    private mutating func advance() {
        let byte = scalars[index]
        if byte == 0x0a { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        index += 1
    }

    private func location(_ line: Int, _ column: Int) -> SourceLocation {
        SourceLocation(file: file, line: line, column: column)
    }

    private mutating func run() throws(TemplateError) {
        // Text is always one run of the source: from `textStart` to where a tag begins.
        var textStart = index
        var textLine = line, textColumn = column
        var stripNextLeading = false

        func flush(stripTrailing: Bool) {
            var range = textStart..<index
            if stripNextLeading { range = Self.droppingLeadingWhitespace(range, of: scalars) }
            if stripTrailing { range = Self.droppingTrailingWhitespace(range, of: scalars) }
            if !range.isEmpty { append(.text, textLine, textColumn, range) }
            stripNextLeading = false
        }

        while let scalar = peek() {
            guard scalar == "{", let next = peek(1), next == "{" || next == "%" || next == "#" else {
                // Plain text up to the next `{`, in one piece: counted in one pass over the bytes.
                advance()
                scalars.withUnsafeBufferPointer { bytes in
                    var index = self.index, line = self.line, column = self.column
                    while index < bytes.count {
                        let byte = bytes[index]
                        if byte == 0x7b { break }
                        if byte == 0x0a {
                            line += 1
                            column = 1
                        } else if byte & 0xC0 != 0x80 {
                            column += 1
                        }
                        index += 1
                    }
                    (self.index, self.line, self.column) = (index, line, column)
                }
                continue
            }
            let startLine = line, startColumn = column
            let stripBefore = peek(2) == "-"
            // `{%+`: Jinja's "keep the whitespace before" marker, which is what floe does anyway
            // (dbt sets no lstrip_blocks).
            let keepBefore = next == "%" && peek(2) == "+"
            flush(stripTrailing: stripBefore)
            advance(); advance()
            if stripBefore || keepBefore { advance() }
            switch next {
            case "#":
                stripNextLeading = try skipComment(startLine, startColumn)
            case "%" where isRawBlock():
                let (raw, strip) = try readRaw(startLine, startColumn)
                if !raw.isEmpty { append(.text, startLine, startColumn, raw) }
                stripNextLeading = strip
            default:
                let isOutput = next == "{"
                append(isOutput ? .outputStart : .statementStart, startLine, startColumn)
                stripNextLeading = try lexExpression(closing: isOutput ? "}" : "%", openedAt: (startLine, startColumn))
            }
            textStart = index
            textLine = line; textColumn = column
        }
        flush(stripTrailing: false)
        append(.end, line, column)
    }

    /// `range` without the whitespace it starts with, as `{%-` and `-%}` strip it: ASCII
    /// whitespace and line breaks, and any other character Unicode calls whitespace.
    static func droppingLeadingWhitespace(_ range: Range<Int>, of bytes: [UInt8]) -> Range<Int> {
        var start = range.lowerBound
        while start < range.upperBound {
            let byte = bytes[start]
            if byte < 0x80 {
                guard isASCIIWhitespace(byte) else { break }
                start += 1
            } else {
                let length = min(scalarLength(lead: byte), range.upperBound - start)
                guard isWhitespace(bytes[start..<start + length]) else { break }
                start += length
            }
        }
        return start..<range.upperBound
    }

    /// `range` without the whitespace it ends with.
    static func droppingTrailingWhitespace(_ range: Range<Int>, of bytes: [UInt8]) -> Range<Int> {
        var end = range.upperBound
        while end > range.lowerBound {
            let byte = bytes[end - 1]
            if byte < 0x80 {
                guard isASCIIWhitespace(byte) else { break }
                end -= 1
            } else {
                // Back to the first byte of the last character.
                var lead = end - 1
                while lead > range.lowerBound, bytes[lead] & 0xC0 == 0x80 { lead -= 1 }
                guard isWhitespace(bytes[lead..<end]) else { break }
                end = lead
            }
        }
        return range.lowerBound..<end
    }

    private static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    /// How many bytes the UTF-8 character starting with `lead` has.
    private static func scalarLength(lead: UInt8) -> Int {
        lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
    }

    /// Whether the bytes are one character that Unicode calls whitespace (such as U+00A0, U+2028).
    private static func isWhitespace(_ character: ArraySlice<UInt8>) -> Bool {
        let scalars = String(decoding: character, as: UTF8.self).unicodeScalars
        return scalars.count == 1 && scalars.first!.properties.isWhitespace
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

    /// `{% raw %}…{% endraw %}`: the range of the text between, untouched, and whether the
    /// closing tag ended with `-%}`.
    private mutating func readRaw(_ startLine: Int, _ startColumn: Int) throws(TemplateError) -> (Range<Int>, Bool) {
        while let scalar = peek(), !(scalar == "%" && peek(1) == "}") { advance() }
        // `{% raw -%}` strips the whitespace the raw text starts with, `{%- endraw %}` what it ends with.
        let stripLeading = scalars[index - 1] == 0x2d
        advance(); advance()
        let start = index
        while index < scalars.count {
            if peek() == "{", peek(1) == "%" {
                var offset = 2
                while let scalar = peek(offset), scalar == " " || scalar == "-" { offset += 1 }
                let word = String(decoding: scalars[min(scalars.count, index + offset)..<min(scalars.count, index + offset + 6)], as: UTF8.self)
                if word == "endraw" {
                    var raw = start..<index
                    if stripLeading { raw = Self.droppingLeadingWhitespace(raw, of: scalars) }
                    if peek(2) == "-" { raw = Self.droppingTrailingWhitespace(raw, of: scalars) }
                    while let scalar = peek(), !(scalar == "%" && peek(1) == "}") { advance() }
                    let strip = scalars[index - 1] == 0x2d
                    advance(); advance()
                    return (raw, strip)
                }
            }
            advance()
        }
        throw TemplateError("unclosed '{% raw %}'", at: location(startLine, startColumn), hint: "close it with '{% endraw %}'")
    }

    /// Lexes an expression up to `}}` or `%}`; returns whether the closing had a `-`.
    private mutating func lexExpression(closing: Unicode.Scalar, openedAt: (Int, Int)) throws(TemplateError) -> Bool {
        let endKind: JinjaToken.Kind = closing == "}" ? .outputEnd : .statementEnd
        // Open brackets, so a `}}` inside a dict literal does not end the expression; and the first
        // closing met while one was open, to blame the bracket rather than the tag if none closes.
        var open: [(bracket: Unicode.Scalar, line: Int, column: Int)] = []
        var closingInsideBracket: (line: Int, column: Int, bracket: (bracket: Unicode.Scalar, line: Int, column: Int))?
        while let scalar = peek() {
            let tokenLine = line, tokenColumn = column
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" { advance(); continue }
            // `-%}` strips the whitespace after; `+%}` keeps it, as floe does anyway (no trim_blocks).
            let closes = (scalar == closing && peek(1) == "}") || (scalar == "-" && peek(1) == closing && peek(2) == "}")
                || (closing == "%" && scalar == "+" && peek(1) == "%" && peek(2) == "}")
            if closes, closingInsideBracket == nil, let innermost = open.last {
                closingInsideBracket = (tokenLine, tokenColumn, innermost)
            }
            if open.isEmpty, closes {
                let stripped = scalar == "-"
                advance(); advance()
                if stripped || scalar == "+" { advance() }
                append(endKind, tokenLine, tokenColumn)
                return stripped
            }
            let kind: JinjaToken.Kind
            var code = JinjaOperator.other
            var start = index
            var end: Int
            if Self.isLetter(scalar) || scalar == "_" {
                while let next = peek(), Self.isLetter(next) || next == "_" || ("0"..."9").contains(next) { advance() }
                kind = .name
                end = index
                code = JinjaOperator(keyword: scalars[start..<end])
            } else if ("0"..."9").contains(scalar) {
                var isFloat = false
                while let next = peek(), ("0"..."9").contains(next) || next == "_"
                    || (next == "." && !isFloat && peek(1).map { ("0"..."9").contains($0) } == true) {
                    if next == "." { isFloat = true }
                    advance()
                }
                kind = isFloat ? .number : .integer
                end = index
            } else if scalar == "'" || scalar == "\"" {
                let (content, escaped) = try readString(quote: scalar)
                kind = escaped ? .escapedString : .string
                (start, end) = (content.lowerBound, content.upperBound)
            } else {
                if let next = peek(1), Self.isTwoCharacterSymbol(scalar, next) {
                    advance(); advance()
                } else if Self.isOneCharacterSymbol(scalar) {
                    if scalar == "(" || scalar == "[" || scalar == "{" { open.append((scalar, tokenLine, tokenColumn)) }
                    if scalar == ")" || scalar == "]" || scalar == "}" { _ = open.popLast() }
                    advance()
                } else {
                    throw TemplateError("unexpected character '\(scalar)'", at: location(tokenLine, tokenColumn))
                }
                kind = .symbol
                end = index
                code = JinjaOperator(symbol: scalars[start..<end])
            }
            append(kind, tokenLine, tokenColumn, start..<end, operator: code)
        }
        let opener = closing == "}" ? "{{" : "{%"
        let closer = closing == "}" ? "}}" : "%}"
        if let (line, column, bracket) = closingInsideBracket {
            // `{{ ref('x' }}`: the tag was closed, the bracket before it was not.
            let matching = bracket.bracket == "(" ? ")" : bracket.bracket == "[" ? "]" : "}"
            throw TemplateError("unclosed '\(bracket.bracket)'", at: location(bracket.line, bracket.column),
                                hint: "close it with '\(matching)' before the '\(closer)' at line \(line), column \(column)")
        }
        throw TemplateError("unclosed '\(opener)'", at: location(openedAt.0, openedAt.1), hint: "close it with '\(closer)'")
    }

    /// `==`, `!=`, `<=`, `>=`, `//` and `**`.
    private static func isTwoCharacterSymbol(_ first: Unicode.Scalar, _ second: Unicode.Scalar) -> Bool {
        switch (first, second) {
        case ("=", "="), ("!", "="), ("<", "="), (">", "="), ("/", "/"), ("*", "*"): true
        default: false
        }
    }

    private static func isOneCharacterSymbol(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|": true
        default: false
        }
    }

    /// Reads a string literal; returns the range of its bytes between the quotes, and whether
    /// they hold a backslash escape.
    private mutating func readString(quote: Unicode.Scalar) throws(TemplateError) -> (Range<Int>, escaped: Bool) {
        let startLine = line, startColumn = column
        advance()
        let start = index
        let quoteByte = UInt8(quote.value)
        var escaped = false
        while index < scalars.count {
            let byte = scalars[index]
            if byte == quoteByte {
                let end = index
                advance()
                return (start..<end, escaped)
            }
            advance()
            if byte == 0x5c, index < scalars.count {
                escaped = true
                advance()
            }
        }
        throw TemplateError("unclosed string", at: location(startLine, startColumn), hint: "close it with \(quote)")
    }

    /// A string literal's text with its escapes decoded: `\n`, `\t`, `\r`, `\\`, `\'` and `\"`;
    /// any other backslash stays as written.
    static func unescape(_ bytes: ArraySlice<UInt8>) -> String {
        var value: [UInt8] = []
        value.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            index += 1
            guard byte == 0x5c, index < bytes.endIndex else {
                value.append(byte)
                continue
            }
            let escaped = bytes[index]
            index += 1
            switch escaped {
            case UInt8(ascii: "n"): value.append(0x0a)
            case UInt8(ascii: "t"): value.append(0x09)
            case UInt8(ascii: "r"): value.append(0x0d)
            case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): value.append(escaped)
            default: value.append(0x5c); value.append(escaped)
            }
        }
        return String(decoding: value, as: UTF8.self)
    }
}
