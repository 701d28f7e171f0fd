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

    /// Models, tests and input files write themselves, thousands of them on several threads; the
    /// bytes must not change. Every optional field is set on some nodes and absent on others.
    @Test func matchesJSONEncoderOnALargePlan() throws {
        var plan = CompiledArtifactsTests.sample()
        plan.models = (0..<3001).map { index in
            CompiledModel(uniqueID: "model.shop.m_\(index)", name: "m_\(index)", path: "models/m_\(index).sql",
                          materialized: Materialization.allCases[index % 4], relation: Relation(schema: "dev", name: "m_\(index)"),
                          sql: "select \(index) as id\n-- \"quoted\" \\ é", incrementalSQL: index % 7 == 0 ? "select 1" : nil,
                          uniqueKey: index % 5 == 0 ? ["id", "day"] : [], incrementalStrategy: index % 5 == 0 ? .merge : nil,
                          onSchemaChange: index % 5 == 0 ? "ignore" : nil,
                          dependsOn: index > 0 ? ["model.shop.m_\(index - 1)"] : [], tags: index % 2 == 0 ? ["nightly", "pii"] : [],
                          preHooks: index % 3 == 1 ? ["delete from log"] : [], postHooks: index % 3 == 2 ? ["analyze", "vacuum"] : [],
                          columns: index % 4 == 3 ? [] : [ColumnSpec(name: "id", type: index % 2 == 0 ? "integer" : nil,
                                                                     description: index % 3 == 0 ? "the key\t" : nil)],
                          description: index % 6 == 0 ? "model \(index)" : nil, fingerprint: String(index, radix: 16))
        }
        plan.tests = (0..<1500).map { index in
            CompiledTest(uniqueID: "test.shop.t_\(index)", name: "t_\(index)", testName: index % 2 == 0 ? "unique" : "singular",
                         attachedNode: index % 2 == 0 ? "model.shop.m_\(index)" : nil, column: index % 4 == 0 ? "id" : nil,
                         severity: index % 3 == 0 ? .warn : .error, sql: "select id from m where id is null",
                         dependsOn: ["model.shop.m_\(index)"], tags: index % 5 == 0 ? ["slow"] : [],
                         warnIf: index % 7 == 0 ? ">10" : nil, errorIf: index % 7 == 1 ? ">=100" : nil,
                         limit: index % 6 == 0 ? 500 : nil, storeFailures: index % 4 == 0 ? nil : index % 4 == 1)
        }
        plan.metadata.inputs = (0..<2000).map { InputFile(path: "models/m_\($0).sql", sha256: String($0 * 7919, radix: 16)) }
        var expected = try Self.foundation(plan)
        expected += "\n"
        #expect(String(decoding: try plan.encoded(), as: UTF8.self) == expected)
    }

    /// Nodes written directly, alone and in short arrays (written on one thread), as in small plans.
    @Test func matchesJSONEncoderOnFewNodes() throws {
        let model = CompiledModel(uniqueID: "model.shop.a", name: "a", path: "a.sql", materialized: .incremental,
                                  relation: Relation(schema: "dev", name: "a"), sql: "select 1", incrementalSQL: "select 2",
                                  uniqueKey: ["id"], incrementalStrategy: .merge, onSchemaChange: "fail", dependsOn: ["seed.shop.b"],
                                  tags: ["x"], preHooks: ["p"], postHooks: ["q"], columns: [ColumnSpec(name: "id", type: "int", description: "d")],
                                  description: "about a", fingerprint: "f")
        let empty = CompiledModel(uniqueID: "", name: "", path: "", materialized: .view, relation: Relation(schema: "", name: ""),
                                  sql: "", fingerprint: "")
        #expect(try Self.canonical([model, empty]) == Self.foundation([model, empty]))
        #expect(try Self.canonical(["models": [model]]) == Self.foundation(["models": [model]]))
        #expect(try Self.canonical([[CompiledModel]]()) == Self.foundation([[CompiledModel]]()))
        #expect(try Self.canonical([[CompiledModel](), []]) == Self.foundation([[CompiledModel](), []]))
    }

    /// The inspector sees every string value, unescaped, wherever it is written (the tree, a node
    /// written directly, a piece written on another thread), and never keys or skipped values.
    @Test func inspectorSeesEveryStringValueButNoKeysOrSkippedValues() throws {
        let seen = ConcurrentStrings()
        let inspector = JSONStringInspector(skippingKeys: ["fingerprint", "sha256"]) { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            seen.insert(text)
            return text.contains("SECRET")
        }
        var plan = CompiledArtifactsTests.sample()
        plan.models = (0..<1500).map { index in
            CompiledModel(uniqueID: "model.shop.m_\(index)", name: "m_\(index)", path: "m.sql", materialized: .table,
                          relation: Relation(schema: "dev", name: "m_\(index)"), sql: "select \"x\"\n from t_\(index)",
                          fingerprint: "SECRET-fingerprint-\(index)")
        }
        plan.metadata.inputs = [InputFile(path: "a.sql", sha256: "SECRET-hash")]
        let (clean, cleanFlagged) = try plan.encoded(inspecting: inspector)
        #expect(!cleanFlagged)
        #expect(clean.data == (try plan.encoded()))
        #expect(clean.count == clean.data.count)
        #expect(seen.contains("select \"x\"\n from t_1499"))
        #expect(seen.contains("m_0"))
        #expect(!seen.contains("sql"))
        #expect(!seen.contains { $0.hasPrefix("SECRET") })

        plan.models[1234].sql = "select 'SECRET' as s"
        #expect(try plan.encoded(inspecting: inspector).flagged)
        plan.models[1234].sql = "select 1"
        plan.metadata.inputs[0].path = "SECRET.sql"
        #expect(try plan.encoded(inspecting: inspector).flagged)
    }
}

/// Strings collected from several threads.
final class ConcurrentStrings: @unchecked Sendable {
    private let lock = NSLock()
    private var strings: Set<String> = []

    func insert(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        strings.insert(text)
    }

    func contains(_ text: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return strings.contains(text)
    }

    func contains(where predicate: (String) -> Bool) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return strings.contains(where: predicate)
    }
}
