/// A synthetic column's `expression` (`quantity * unit_price - discount`): numbers, names of the
/// row's other columns, `+ - * /`, unary minus, parentheses, and `round(x, digits)`, `min(a, b)`,
/// `max(a, b)`, `abs(x)`. The compiler parses it to check it; apply evaluates it per row. A NULL
/// operand, or a division by zero, makes the result NULL, as in SQL.
public indirect enum ArithmeticExpression: Sendable, Equatable {
    case number(Double)
    case column(String)
    case negate(ArithmeticExpression)
    case binary(Character, ArithmeticExpression, ArithmeticExpression)
    case call(String, [ArithmeticExpression])

    public struct ParseError: Error, Sendable, Equatable {
        /// Characters into the expression where the problem is.
        public var offset: Int
        public var message: String
    }

    public static let functions: [String: Int] = ["round": 2, "min": 2, "max": 2, "abs": 1]

    public static func parse(_ text: String) throws(ParseError) -> ArithmeticExpression {
        var parser = Parser(characters: Array(text))
        let expression = try parser.sum()
        parser.skipSpaces()
        guard parser.position == parser.characters.count else {
            throw ParseError(offset: parser.position, message: "unexpected '\(parser.characters[parser.position])'")
        }
        return expression
    }

    /// The column names it reads, each once, in the order they appear.
    public var columns: [String] {
        var names: [String] = []
        func visit(_ expression: ArithmeticExpression) {
            switch expression {
            case .number: break
            case .column(let name): if !names.contains(name) { names.append(name) }
            case .negate(let inner): visit(inner)
            case .binary(_, let left, let right): visit(left); visit(right)
            case .call(_, let arguments): arguments.forEach(visit)
            }
        }
        visit(self)
        return names
    }

    /// Of `expressions` (a column's name and its expression's text), the columns that read
    /// themselves, directly or through the others; an expression that does not parse reads nothing.
    public static func cyclicColumns(_ expressions: [(name: String, text: String)]) -> [String] {
        var reads: [String: [String]] = [:]
        for (name, text) in expressions { reads[name] = (try? parse(text))?.columns ?? [] }
        return expressions.map(\.name).filter { start in
            var seen: Set<String> = []
            var stack = reads[start] ?? []
            while let next = stack.popLast() {
                if next == start { return true }
                if seen.insert(next).inserted { stack += reads[next] ?? [] }
            }
            return false
        }
    }

    /// The value, with `value(name)` giving each column's (nil: NULL).
    public func evaluate(_ value: (String) -> Double?) -> Double? {
        switch self {
        case .number(let number): return number
        case .column(let name): return value(name)
        case .negate(let inner): return inner.evaluate(value).map { -$0 }
        case .binary(let symbol, let left, let right):
            guard let a = left.evaluate(value), let b = right.evaluate(value) else { return nil }
            switch symbol {
            case "+": return a + b
            case "-": return a - b
            case "*": return a * b
            default: return b == 0 ? nil : a / b
            }
        case .call(let name, let arguments):
            let values = arguments.map { $0.evaluate(value) }
            guard let first = values.first ?? nil else { return nil }
            switch name {
            case "abs": return abs(first)
            case "round":
                guard values.count == 2, let digits = values[1] else { return nil }
                var scale = 1.0
                for _ in 0..<min(max(Int(digits), 0), 15) { scale *= 10 }
                return (first * scale).rounded() / scale
            default:
                guard values.count == 2, let second = values[1] else { return nil }
                return name == "min" ? min(first, second) : max(first, second)
            }
        }
    }

    /// Recursive descent: sum → product → unary → atom.
    private struct Parser {
        let characters: [Character]
        var position = 0

        mutating func skipSpaces() {
            while position < characters.count, characters[position].isWhitespace { position += 1 }
        }

        mutating func sum() throws(ParseError) -> ArithmeticExpression {
            var left = try product()
            while true {
                skipSpaces()
                guard position < characters.count, "+-".contains(characters[position]) else { return left }
                let symbol = characters[position]
                position += 1
                left = .binary(symbol, left, try product())
            }
        }

        mutating func product() throws(ParseError) -> ArithmeticExpression {
            var left = try unary()
            while true {
                skipSpaces()
                guard position < characters.count, "*/".contains(characters[position]) else { return left }
                let symbol = characters[position]
                position += 1
                left = .binary(symbol, left, try unary())
            }
        }

        mutating func unary() throws(ParseError) -> ArithmeticExpression {
            skipSpaces()
            if position < characters.count, characters[position] == "-" {
                position += 1
                return .negate(try unary())
            }
            return try atom()
        }

        mutating func atom() throws(ParseError) -> ArithmeticExpression {
            skipSpaces()
            guard position < characters.count else { throw ParseError(offset: position, message: "the expression ends early") }
            let start = position
            let character = characters[position]
            if character == "(" {
                position += 1
                let inner = try sum()
                try expect(")")
                return inner
            }
            if character.isNumber || character == "." {
                while position < characters.count, characters[position].isNumber || characters[position] == "." { position += 1 }
                guard let number = Double(String(characters[start..<position])) else {
                    throw ParseError(offset: start, message: "'\(String(characters[start..<position]))' is not a number")
                }
                return .number(number)
            }
            guard character.isLetter || character == "_" else {
                throw ParseError(offset: start, message: "expected a number, a column or '(', found '\(character)'")
            }
            while position < characters.count, characters[position].isLetter || characters[position].isNumber || characters[position] == "_" {
                position += 1
            }
            let name = String(characters[start..<position])
            skipSpaces()
            guard position < characters.count, characters[position] == "(" else { return .column(name) }
            guard let arity = ArithmeticExpression.functions[name] else {
                throw ParseError(offset: start, message: "unknown function '\(name)'; expressions have \(ArithmeticExpression.functions.keys.sorted().joined(separator: ", "))")
            }
            position += 1
            var arguments = [try sum()]
            skipSpaces()
            while position < characters.count, characters[position] == "," {
                position += 1
                arguments.append(try sum())
                skipSpaces()
            }
            try expect(")")
            guard arguments.count == arity else {
                throw ParseError(offset: start, message: "\(name)() takes \(arity) argument\(arity == 1 ? "" : "s"), got \(arguments.count)")
            }
            return .call(name, arguments)
        }

        mutating func expect(_ character: Character) throws(ParseError) {
            skipSpaces()
            guard position < characters.count, characters[position] == character else {
                throw ParseError(offset: position, message: "expected '\(character)'")
            }
            position += 1
        }
    }
}
