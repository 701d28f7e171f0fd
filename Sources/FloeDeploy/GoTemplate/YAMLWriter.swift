import Foundation

/// `toYaml`: block YAML with keys in order and every string double-quoted (so no string can read
/// back as a number, a boolean or null), the shape Helm's `toYaml` gives, parsed.
enum YAMLWriter {
    static func document(_ value: TemplateValue) -> String {
        switch value {
        case .map(let map) where !map.isEmpty: return lines(map, indent: 0).joined(separator: "\n") + "\n"
        case .list(let list) where !list.isEmpty: return lines(list, indent: 0).joined(separator: "\n") + "\n"
        default: return scalar(value) + "\n"
        }
    }

    private static func lines(_ map: [String: TemplateValue], indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        var result: [String] = []
        for key in map.keys.sorted() {
            let value = map[key]!
            let name = plainKey(key) ? key : JSONText.quoted(key)
            switch value {
            case .map(let inner) where !inner.isEmpty:
                result.append("\(pad)\(name):")
                result += lines(inner, indent: indent + 2)
            case .list(let inner) where !inner.isEmpty:
                result.append("\(pad)\(name):")
                result += lines(inner, indent: indent)
            default:
                result.append("\(pad)\(name): \(scalar(value))")
            }
        }
        return result
    }

    private static func lines(_ list: [TemplateValue], indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        var result: [String] = []
        for item in list {
            switch item {
            case .map(let inner) where !inner.isEmpty:
                var nested = lines(inner, indent: indent + 2)
                nested[0] = pad + "- " + nested[0].dropFirst(indent + 2)
                result += nested
            case .list(let inner) where !inner.isEmpty:
                result.append("\(pad)-")
                result += lines(inner, indent: indent + 2)
            default:
                result.append("\(pad)- \(scalar(item))")
            }
        }
        return result
    }

    private static func scalar(_ value: TemplateValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .int(let value): String(value)
        case .double(let value): TemplateValue.goNumber(value)
        case .string(let value): JSONText.quoted(value)
        case .list: "[]"
        case .map: "{}"
        }
    }

    private static func plainKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, CharacterSet.letters.contains(first) || first == "_" else { return false }
        return key.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "_-./".unicodeScalars.contains($0) }
            && !["true", "false", "null", "yes", "no", "on", "off", "y", "n"].contains(key.lowercased())
    }
}

/// JSON text for `toJson` and `quote` (Go's `%q` agrees with JSON for the strings charts quote).
enum JSONText {
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    static func encode(_ value: TemplateValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .int(let value): String(value)
        case .double(let value): TemplateValue.goNumber(value)
        case .string(let value): quoted(value)
        case .list(let items): "[" + items.map(encode).joined(separator: ",") + "]"
        case .map(let map): "{" + map.keys.sorted().map { quoted($0) + ":" + encode(map[$0]!) }.joined(separator: ",") + "}"
        }
    }
}
