import FloeContract
import Foundation
import Testing

/// The plan's bytes must not change with the encoder that writes them: every case here is
/// compared with Foundation's JSONEncoder in the layout the plan has always used.
@Suite struct CanonicalJSONEncoderTests {
    static func foundation<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func canonical<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try CanonicalJSONEncoder().encode(value), as: UTF8.self)
    }

    struct Nested: Encodable {
        var name = "x"
        var empty: [Int] = []
        var emptyMap: [String: Int] = [:]
        var nested: [[String]] = [["a", "b"], []]
        var optional: String? = nil
        var present: Int? = 3
        var flag = true
        var data = Data([0, 1, 2, 250])
        var url = URL(string: "https://example.com/a?b=c")!
        var map: [String: ConfigValue] = ["a10": .integer(1), "a2": .number(2.5), "B": .null, "_": .bool(false), "é": .string("e"),
                                          "ref": .secret(SecretReference(name: "db", key: "password"))]
    }

    @Test func matchesJSONEncoderOnNestedValues() throws {
        #expect(try Self.canonical(Nested()) == Self.foundation(Nested()))
    }

    @Test func matchesJSONEncoderOnStringEscapes() throws {
        let texts = ["", "plain", "a/b", "quote \" and \\ backslash", "\n\r\t\u{8}\u{C}", "\u{0}\u{1}\u{1F}\u{7F}", "é ü 漢字 😇",
                     "\u{2028}\u{2029}", "select *\nfrom \"dev\".\"orders\"\n"]
        #expect(try Self.canonical(texts) == Self.foundation(texts))
        #expect(try Self.canonical(["k\n\"": 1]) == Self.foundation(["k\n\"": 1]))
    }

    @Test func matchesJSONEncoderOnNumbers() throws {
        var numbers: [Double] = [0, -0.0, 1, -1, 0.1, 0.05, 1.0 / 3, 100, 1e15, 1e16, 1e17, 1e20, 1e-7, 123456789.125, 2.5e-300,
                                 Double.greatestFiniteMagnitude, Double.leastNonzeroMagnitude]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let number = Double(bitPattern: random.next())
            if number.isFinite { numbers.append(number) }
        }
        #expect(try Self.canonical(numbers) == Self.foundation(numbers))
        let integers = [0, 1, -1, Int.max, Int.min]
        #expect(try Self.canonical(integers) == Self.foundation(integers))
    }

    @Test func refusesNaN() {
        #expect(throws: EncodingError.self) { try CanonicalJSONEncoder().encode([Double.nan]) }
    }

    @Test func matchesJSONEncoderOnAPlan() throws {
        let plan = CompiledArtifactsTests.sample()
        var expected = try Self.foundation(plan)
        expected += "\n"
        #expect(String(decoding: try plan.encoded(), as: UTF8.self) == expected)
    }

    /// Thousands of models are encoded and written on several threads; the bytes must not change.
    @Test func matchesJSONEncoderOnALargePlan() throws {
        var plan = CompiledArtifactsTests.sample()
        plan.models = (0..<3001).map { index in
            CompiledModel(uniqueID: "model.shop.m_\(index)", name: "m_\(index)", path: "models/m_\(index).sql",
                          materialized: index % 3 == 0 ? .table : .view, relation: Relation(schema: "dev", name: "m_\(index)"),
                          sql: "select \(index) as id\n-- \"quoted\" \\ é", incrementalSQL: index % 7 == 0 ? "select 1" : nil,
                          dependsOn: index > 0 ? ["model.shop.m_\(index - 1)"] : [], tags: index % 2 == 0 ? ["nightly"] : [],
                          columns: [ColumnSpec(name: "id", type: "integer")], fingerprint: String(index, radix: 16))
        }
        var expected = try Self.foundation(plan)
        expected += "\n"
        #expect(String(decoding: try plan.encoded(), as: UTF8.self) == expected)
    }
}
