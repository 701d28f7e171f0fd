import FloeJinja
import Foundation
import Testing

/// `JinjaTemplate.leftoverTag(in:)` scans bytes; it finds what the regular expression
/// `\{\{.*?\}\}|\{%.*?%\}` finds (`.` stopping at a newline), on texts made to be awkward.
@Suite struct LeftoverTagTests {
    static func byExpression(_ text: String) -> String? {
        guard let range = text.range(of: #"\{\{.*?\}\}|\{%.*?%\}"#, options: .regularExpression) else { return nil }
        return String(text[range].prefix(80))
    }

    @Test func findsWhatTheExpressionFinds() {
        #expect(JinjaTemplate.leftoverTag(in: "select 1") == nil)
        #expect(JinjaTemplate.leftoverTag(in: "select '{{ var(\"x\") }}' from t") == #"{{ var("x") }}"#)
        #expect(JinjaTemplate.leftoverTag(in: "a {% if x %} b") == "{% if x %}")
        #expect(JinjaTemplate.leftoverTag(in: "{{ a\n}}") == nil, "a tag does not cross a line")
        #expect(JinjaTemplate.leftoverTag(in: "é {{ ü }}") == "{{ ü }}")
        #expect(JinjaTemplate.leftoverTag(in: "{{" + String(repeating: "x", count: 200) + "}}")?.count == 80)
        var generator = SystemRandomNumberGenerator()
        let pieces = ["{", "}", "%", "{{", "}}", "{%", "%}", "\n", "a", " ", "é"]
        for _ in 0..<5000 {
            let text = (0..<Int.random(in: 0...14, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            #expect(JinjaTemplate.leftoverTag(in: text) == Self.byExpression(text), "\(text.debugDescription)")
            #expect(JinjaTemplate.mayHoldTags(text) == (text.contains("{{") || text.contains("{%")), "\(text.debugDescription)")
        }
    }
}
