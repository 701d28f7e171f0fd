import FloeJinja
import FloeTemplates
import Crypto
import FloeCore
import Foundation

/// A generic test's node name as dbt synthesizes it: `<test>_<node>_<args>`, the arguments as
/// written in the YAML (unrendered, `column_name` among them), sorted by name, each value (a
/// list's items, a mapping's values) in Python's `str()` spelling with every run of characters
/// other than ASCII letters, digits and `_` made one `_`, joined by `__`. A name of 64 characters
/// or more is cut to its first 30 identifying characters and the MD5 of the whole name.
enum GenericTestName {
    struct Name: Equatable {
        /// `<test>_<node>`: what the alias keeps of a long name.
        var identifier: String
        /// The node's name, in its unique id and in every report.
        var full: String

        /// dbt's alias: the compiled file's and the stored failures' name (``TestFailures`` makes
        /// its own at apply). Worked out only when asked for: the plan carries `full`.
        var short: String {
            guard full.utf8.count >= 64 else { return full }
            return String(identifier.prefix(30)) + "_" + Hex.string(Insecure.MD5.hash(data: Data(full.utf8)))
        }
    }

    /// `test` is the test's own name with its `source_` prefix for a source's test; `node` the
    /// model's or seed's name, or `<source>_<table>`.
    static func make(test: String, node: String, column: String?, arguments: [String: ConfigInput]) -> Name {
        var arguments = arguments
        if let column { arguments["column_name"] = .string(column) }
        var parts: [String] = []
        for key in arguments.keys.sorted() where key != "model" {
            switch arguments[key]! {
            case .list(let items): parts += items.map(pythonText)
            case .map(let map): parts += map.keys.sorted().map { pythonText(map[$0]!) }
            case let value: parts.append(pythonText(value))
            }
        }
        let identifier = "\(test)_\(node)"
        return Name(identifier: identifier, full: identifier + "_" + parts.map(clean).joined(separator: "__"))
    }

    /// Every run of characters other than `[0-9a-zA-Z_]` as one `_`.
    static func clean(_ text: String) -> String {
        var result: [UInt8] = []
        var inRun = false
        for byte in text.utf8 {
            let kept = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
            if kept {
                result.append(byte)
                inRun = false
            } else if !inRun {
                result.append(UInt8(ascii: "_"))
                inRun = true
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// A YAML value as Python's `str()` writes it.
    static func pythonText(_ value: ConfigInput) -> String {
        switch value {
        case .null: return "None"
        case .bool(let flag): return flag ? "True" : "False"
        case .integer(let number): return String(number)
        case .number(let number): return number == number.rounded() && abs(number) < 1e16 ? String(format: "%.1f", number) : String(number)
        case .string(let text): return text
        case .list(let items): return "[" + items.map(pythonRepr).joined(separator: ", ") + "]"
        case .map(let map): return "{" + map.keys.sorted().map { "'\($0)': " + pythonRepr(map[$0]!) }.joined(separator: ", ") + "}"
        }
    }

    /// Inside a list or a mapping, strings are quoted, as Python's `repr()` writes them.
    private static func pythonRepr(_ value: ConfigInput) -> String {
        if case .string(let text) = value { return "'" + text.replacingOccurrences(of: "'", with: "\\'") + "'" }
        return pythonText(value)
    }
}
