import FloeCompiler
import FloeYAML
import Foundation
import Testing

/// Scalars are typed by floe, not by Yams's regular expressions; these hold the YAML 1.1 types
/// the regular expressions gave.
@Suite struct YAMLLoaderTests {
    static func load(_ text: String) throws -> YAMLValue {
        let (value, diagnostics) = YAMLLoader().load(data: Data(text.utf8), displayPath: "t.yaml")
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        return try #require(value)
    }

    static func describe(_ value: YAMLValue?) -> String {
        switch value?.kind {
        case .null: "null"
        case .bool(let flag): "bool \(flag)"
        case .integer(let number): "int \(number)"
        case .number(let number): "float \(number)"
        case .string(let text): "str \(text)"
        case .sequence, .mapping, nil: "other"
        }
    }

    @Test(arguments: [
        ("", "null"), ("~", "null"), ("null", "null"), ("Null", "null"), ("NULL", "null"), ("nULL", "str nULL"),
        ("yes", "bool true"), ("No", "bool false"), ("on", "bool true"), ("OFF", "bool false"), ("True", "bool true"),
        ("false", "bool false"), ("y", "str y"), ("n", "str n"), ("Yes please", "str Yes please"),
        ("42", "int 42"), ("-7", "int -7"), ("+3", "int 3"), ("0x1F", "int 31"), ("0o17", "int 15"), ("1_000", "int 1000"),
        ("0", "int 0"), ("1.5", "float 1.5"), ("-0.25", "float -0.25"), ("1e3", "float 1000.0"), (".5", "float 0.5"),
        (".inf", "float inf"), ("-.inf", "float -inf"), ("2024-01-01", "str 2024-01-01"), ("1.2.3", "str 1.2.3"),
        ("'42'", "str 42"), ("\"true\"", "str true"), ("'~'", "str ~"), ("!!str 42", "str 42"), ("!!int \"7\"", "str 7"), ("!!int 7", "int 7"), ("!!float 1", "float 1.0"), ("!!str true", "str true"),
        ("orders", "str orders"), ("=", "str ="), ("<<", "str <<"),
    ])
    func typesPlainScalarsAsYAML11Does(text: String, expected: String) throws {
        let root = try Self.load("value: \(text)\n")
        #expect(Self.describe(root["value"]) == expected, "\(text)")
    }

    @Test func mergeKeysStillMerge() throws {
        let root = try Self.load("""
            base: &base { a: 1, b: 2 }
            child:
              <<: *base
              b: 3
            """)
        let child = try #require(root["child"])
        #expect(Self.describe(child["a"]) == "int 1")
        #expect(Self.describe(child["b"]) == "int 3")
        #expect(child.entries?.map(\.key) == ["b", "a"])
    }

    @Test func aQuotedMergeKeyIsAKey() throws {
        let root = try Self.load("child: { '<<': 1 }\n")
        #expect(root["child"]?.entries?.map(\.key) == ["<<"])
    }
}
