import Foundation

/// MetricFlow's templates in a metric's `filter` and a saved query's `group_by`:
/// `{{ Dimension('order_id__is_food_order') }}`, `{{ TimeDimension('metric_time', 'month') }}`,
/// `{{ Dimension('order_id__ordered_at').grain('week') }}`, `{{ Entity('customer') }}`.
enum DbtSemanticFilter {
    struct Call: Equatable {
        /// `Dimension`, `TimeDimension` or `Entity`.
        var function: String
        /// The name as written: `order_id__is_food_order`.
        var argument: String
        var grain: String?
    }

    static let functions = ["Dimension", "TimeDimension", "Entity"]

    /// `text` with each `{{ … }}` replaced by what `resolve` gives for its call; nil when a
    /// template is not such a call, or `resolve` gives nil.
    static func render(_ text: String, _ resolve: (Call) -> String?) -> String? {
        var output = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}"),
                  let call = call(in: String(rest[open.upperBound..<close.lowerBound])),
                  let replacement = resolve(call)
            else { return nil }
            output += replacement
            rest = rest[close.upperBound...]
        }
        return (output + rest).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The call written in `text` (`Dimension('a__b')`, with an optional `.grain('day')`), or nil.
    static func call(in text: String) -> Call? {
        var rest = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
        guard let function = functions.first(where: { rest.hasPrefix($0 + "(") }) else { return nil }
        rest = rest.dropFirst(function.count)
        guard let arguments = parenthesized(&rest), let name = arguments.first else { return nil }
        var call = Call(function: function, argument: name, grain: arguments.count > 1 ? arguments[1] : nil)
        while rest.hasPrefix(".") {
            rest = rest.dropFirst()
            guard rest.hasPrefix("grain(") else { return nil }
            rest = rest.dropFirst(5)
            guard let grain = parenthesized(&rest)?.first else { return nil }
            call.grain = grain
        }
        return rest.allSatisfy(\.isWhitespace) ? call : nil
    }

    /// `('a', 'b')` at the start of `text`, as its quoted arguments; `text` moves past it.
    private static func parenthesized(_ text: inout Substring) -> [String]? {
        guard text.first == "(", let close = text.firstIndex(of: ")") else { return nil }
        let inside = text[text.index(after: text.startIndex)..<close]
        text = text[text.index(after: close)...]
        var arguments: [String] = []
        for piece in inside.split(separator: ",") {
            let trimmed = piece.trimmingCharacters(in: .whitespaces)
            guard trimmed.count >= 2, let quote = trimmed.first, quote == "'" || quote == "\"", trimmed.last == quote else { return nil }
            arguments.append(String(trimmed.dropFirst().dropLast()))
        }
        return arguments
    }
}
