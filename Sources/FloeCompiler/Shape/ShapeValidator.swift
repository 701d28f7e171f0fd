import FloeContract
import FloeCore
import FloeYAML
import Foundation

/// Checks a ``YAMLValue`` against a ``Shape`` and reports every mismatch with its location,
/// its field path, what was expected and a hint. It never stops at the first problem.
public struct ShapeValidator {
    public private(set) var diagnostics: [Diagnostic] = []

    public init() {}

    public static func validate(_ value: YAMLValue, against shape: Shape, path: String = "") -> [Diagnostic] {
        var validator = ShapeValidator()
        validator.check(value, shape, path: path)
        return validator.diagnostics
    }

    mutating func check(_ value: YAMLValue, _ shape: Shape, path: String) {
        switch shape {
        case .string(let rule):
            checkString(value, rule, path: path)
        case .integer(let minimum, let maximum):
            guard let number = value.integer else {
                return expected("an integer", got: value, path: path, hint: value.number != nil ? "write a whole number"
                                : value.string.flatMap(Int.init).map { "remove the quotes: \($0) is a number only without them" })
            }
            checkRange(Double(number), minimum.map(Double.init), maximum.map(Double.init), value: value, path: path)
        case .number(let minimum, let maximum):
            guard let number = value.number else {
                return expected("a number", got: value, path: path,
                                hint: value.string.flatMap(Double.init).map { _ in "remove the quotes to make it a number" })
            }
            checkRange(number, minimum, maximum, value: value, path: path)
        case .boolean:
            guard value.bool != nil else {
                return expected("true or false", got: value, path: path)
            }
        case .scalar:
            if value.entries != nil || value.items != nil { expected("a single value", got: value, path: path) }
        case .any:
            break
        case .secret:
            checkSecret(value, path: path)
        case .stringOrSecret:
            if value.entries != nil { checkSecret(value, path: path) } else { checkString(value, StringRule(), path: path) }
        case .list(let item, let minItems):
            guard let items = value.items else { return expected("a list", got: value, path: path) }
            if items.count < minItems {
                report(value.location, path, "expected at least \(minItems) item\(minItems == 1 ? "" : "s"), got \(items.count)")
            }
            for (index, element) in items.enumerated() { check(element, item, path: "\(path)[\(index)]") }
        case .map(let valueShape, let keyRule):
            guard let entries = value.entries else { return expected("a mapping", got: value, path: path) }
            for entry in entries {
                let entryPath = join(path, entry.key)
                if let problem = Self.problem(with: entry.key, keyRule) {
                    report(entry.keyLocation, entryPath, "invalid name '\(entry.key)': expected \(problem)")
                }
                check(entry.value, valueShape, path: entryPath)
            }
        case .object(let object):
            guard let entries = value.entries else {
                return expected("a mapping (\(object.title))", got: value, path: path)
            }
            checkObject(value, entries, object, path: path, ignoring: nil)
        case .tagged(let tagged):
            checkTagged(value, tagged, path: path)
        case .scalarOrObject(let scalar, let object):
            check(value, value.entries != nil ? object : scalar, path: path)
        }
    }

    private mutating func checkObject(
        _ value: YAMLValue, _ entries: [YAMLEntry], _ object: ObjectShape, path: String, ignoring: String?
    ) {
        let known = object.fields.map(\.name) + (ignoring.map { [$0] } ?? [])
        for entry in entries {
            if entry.key == ignoring { continue }
            guard let field = object.field(entry.key) else {
                let hint = Suggestions.didYouMean(entry.key, in: known)
                    ?? "expected one of: \(known.joined(separator: ", "))"
                report(entry.keyLocation, join(path, entry.key), "unknown key '\(entry.key)' in \(object.title)", hint: hint)
                continue
            }
            check(entry.value, field.shape, path: join(path, entry.key))
        }
        let present = Set(entries.map(\.key))
        for field in object.fields where field.required && !present.contains(field.name) {
            report(value.location, path, "missing required field '\(field.name)' in \(object.title)",
                   hint: "add `\(field.name):` (\(field.doc))")
        }
    }

    private mutating func checkTagged(_ value: YAMLValue, _ tagged: TaggedShape, path: String) {
        guard let entries = value.entries else {
            return expected("a mapping (\(tagged.title))", got: value, path: path)
        }
        let names = tagged.variantNames
        guard let tag = value[tagged.discriminator] else {
            return report(value.location, path, "missing required field '\(tagged.discriminator)' in \(tagged.title)",
                          hint: "add `\(tagged.discriminator):` with one of \(Suggestions.list(names))")
        }
        let tagPath = join(path, tagged.discriminator)
        guard let name = tag.string else {
            return expected("one of \(Suggestions.list(names))", got: tag, path: tagPath)
        }
        guard let variant = tagged.variant(name) else {
            return report(tag.location, tagPath, "unknown \(tagged.discriminator) '\(name)' for \(tagged.title); expected one of \(Suggestions.list(names))",
                          hint: Suggestions.didYouMean(name, in: names))
        }
        checkObject(value, entries, variant, path: path, ignoring: tagged.discriminator)
    }

    private mutating func checkString(_ value: YAMLValue, _ rule: StringRule, path: String) {
        guard let text = value.string else {
            let hint = value.scalarText.map { "quote it if you mean the text: \"\($0)\"" }
            return expected(rule.choices.map { "one of \(Suggestions.list($0))" } ?? "a string", got: value, path: path, hint: hint)
        }
        if let choices = rule.choices, !choices.contains(text) {
            return report(value.location, path, "invalid value '\(text)'; expected one of \(Suggestions.list(choices))",
                          hint: Suggestions.didYouMean(text, in: choices))
        }
        if let problem = Self.problem(with: text, rule) {
            report(value.location, path, "invalid value '\(text)'; expected \(problem)")
        }
    }

    /// What is wrong with `text` under `rule`, phrased as what was expected; nil when it is fine.
    static func problem(with text: String, _ rule: StringRule) -> String? {
        if let minimum = rule.minLength, text.count < minimum {
            return minimum == 1 ? "a non-empty string" : "at least \(minimum) characters"
        }
        if let pattern = rule.pattern, !matches(text, pattern) {
            return rule.patternDescription ?? "text matching \(pattern)"
        }
        return nil
    }

    private static let regexCache = RegexCache()

    static func matches(_ text: String, _ pattern: String) -> Bool {
        (try? regexCache.regex(pattern).firstMatch(in: text)) != nil
    }

    private mutating func checkSecret(_ value: YAMLValue, path: String) {
        let hint = "write `{ secret_ref: NAME, key: KEY }`; the value is read at run time from FLOE_SECRET_<NAME>_<KEY> or the file <mount>/<NAME>/<KEY>"
        guard let entries = value.entries else {
            // Never echo the value: it may be the very secret we are refusing.
            return report(value.location, path, "a credential must be a secret reference, not a plain value", hint: hint)
        }
        let allowed = ["secret_ref", "key"]
        for entry in entries where !allowed.contains(entry.key) {
            report(entry.keyLocation, join(path, entry.key), "unknown key '\(entry.key)' in a secret reference",
                   hint: Suggestions.didYouMean(entry.key, in: allowed) ?? hint)
        }
        for name in allowed {
            guard let part = value[name] else {
                report(value.location, path, "missing required field '\(name)' in a secret reference", hint: hint)
                continue
            }
            checkString(part, StringRule(pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                                         meaning: "a name of letters, digits, '_', '.' and '-'"), path: join(path, name))
        }
    }

    private mutating func checkRange(_ number: Double, _ minimum: Double?, _ maximum: Double?, value: YAMLValue, path: String) {
        let text = value.scalarText ?? String(number)
        if let minimum, number < minimum {
            report(value.location, path, "\(text) is too small; expected at least \(Self.format(minimum))")
        } else if let maximum, number > maximum {
            report(value.location, path, "\(text) is too large; expected at most \(Self.format(maximum))")
        }
    }

    private static func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }

    private mutating func expected(_ what: String, got value: YAMLValue, path: String, hint: String? = nil) {
        report(value.location, path, "expected \(what), got \(value.kindDescription)", hint: hint)
    }

    private mutating func report(_ location: SourceLocation, _ path: String, _ message: String, hint: String? = nil) {
        diagnostics.append(.error(at: location, path: path, message, hint: hint))
    }

    private func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }
}

/// Compiled patterns, shared across validations (compiling a regex is the slow part).
///
/// Swift's own regular expressions, not `NSRegularExpression`, whose first use loads ICU's data
/// on every run that checks a pattern.
final class RegexCache: @unchecked Sendable {
    private var cache: [String: Regex<AnyRegexOutput>] = [:]
    private let lock = NSLock()

    func regex(_ pattern: String) -> Regex<AnyRegexOutput> {
        lock.lock()
        defer { lock.unlock() }
        if let regex = cache[pattern] { return regex }
        // Patterns are literals in this module; a bad one is a programming error caught by the tests.
        let regex = try! Regex(pattern)
        cache[pattern] = regex
        return regex
    }
}
