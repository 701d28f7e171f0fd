@testable import FloeCompiler
@testable import FloeYAML
import Testing
import Yams

@Suite struct YAMLScalarTypingTests {
    /// What Yams' own regular expressions say, for the rules floe keeps.
    static let yamsResolver = Resolver.default.removing(.timestamp).removing(.value)

    static func yams(_ text: String) -> Yams.Tag.Name {
        yamsResolver.resolveTag(of: Node.scalar(Node.Scalar(text, Yams.Tag(.implicit, yamsResolver), .plain)))
    }

    /// Every text built from the characters the patterns care about, up to four of them, and a
    /// list of hand-picked ones, is typed as Yams' resolver types it.
    @Test func typesEveryTextAsYamsDoes() {
        var texts: [String] = [
            "", "~", "null", "Null", "NULL", "nul", "yes", "Yes", "YES", "yEs", "no", "On", "OFF", "oFF", "true", "False",
            "0", "-0", "+7", "0b1010", "0b", "-0b1_0", "0o17", "0o", "017", "08", "0x1F", "0xg", "-0x_", "1_000", "12:30",
            "1:2:3", "1:60", "190:20:30", "1:5", "1:05", "1::5", "0:30", "1.5", "-1.5e10", "1e5", "1E+5", "1e", "1.", ".5",
            "-.5", ".5e+3", ".5e3", ".5E-1", "._", "1_0.0_1", "12:30.5", "12:30.", "-12:30.5", ".inf", "-.Inf", "+.INF",
            ".inF", ".nan", ".NaN", "-.nan", "<<", "<", "=", "2024-01-01", "1.2.3", "1-2", "+", "-", ".", "e5", "0x",
        ]
        let alphabet = ["0", "1", "5", "7", "9", "_", ".", ":", "-", "+", "e", "E", "b", "o", "x", "a", "F"]
        var level = [""]
        for _ in 1...4 {
            level = level.flatMap { prefix in alphabet.map { prefix + $0 } }
            texts += level
        }
        var mismatches: [String] = []
        for text in texts where YAMLScalarTyping.tagName(of: text) != Self.yams(text) {
            mismatches.append("\(text): \(YAMLScalarTyping.tagName(of: text)) but Yams says \(Self.yams(text))")
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(20))")
        #expect(texts.count > 80_000)
    }
}
