@testable import FloeCore
import Testing

@Suite struct ArithmeticExpressionTests {
    func value(_ text: String, _ columns: [String: Double?] = [:]) throws -> Double? {
        try ArithmeticExpression.parse(text).evaluate { name in columns[name] ?? nil }
    }

    @Test func precedenceParenthesesFunctionsAndNulls() throws {
        #expect(try value("quantity * unit_price - discount", ["quantity": 3, "unit_price": 2.5, "discount": 1]) == 6.5)
        #expect(try value("2 + 3 * 4 - -1") == 15)
        #expect(try value("(2 + 3) * 4 / 8") == 2.5)
        #expect(try value("round(10 / 3, 2) + abs(-1) + min(4, 2) + max(4, 2)") == 3.33 + 1 + 2 + 4)
        #expect(try value("a + 1", ["a": nil]) == nil, "a NULL operand makes NULL")
        #expect(try value("1 / 0") == nil, "division by zero makes NULL")
        #expect(try ArithmeticExpression.parse("price * (1 - rate) + price").columns == ["price", "rate"])
    }

    @Test func mistakesAreLocated() {
        #expect(throws: ArithmeticExpression.ParseError(offset: 10, message: "expected ')'")) { try ArithmeticExpression.parse("(a + b * c") }
        #expect(throws: ArithmeticExpression.ParseError(offset: 4, message: "expected a number, a column or '(', found '*'")) {
            try ArithmeticExpression.parse("a + * b")
        }
        #expect(throws: ArithmeticExpression.ParseError.self) { try ArithmeticExpression.parse("floor(a)") }
        #expect(throws: ArithmeticExpression.ParseError.self) { try ArithmeticExpression.parse("round(a)") }
        #expect(throws: ArithmeticExpression.ParseError.self) { try ArithmeticExpression.parse("a b") }
    }

    @Test func cyclesAreFound() {
        #expect(ArithmeticExpression.cyclicColumns([("a", "b + 1"), ("b", "a * 2"), ("c", "a"), ("d", "d")]) == ["a", "b", "d"])
    }
}
