import FloeCore
import Testing

@Suite struct DiagnosticRendererTests {
    let location = SourceLocation(file: "floe.yaml", line: 3, column: 5)

    @Test func rendersFileLineColumnSeverityPathMessageAndHint() {
        let diagnostic = Diagnostic.error(at: location, path: "transforms[0].type", "unknown key 'pth'", hint: "did you mean 'path'?")
        #expect(DiagnosticRenderer(useColor: false).render(diagnostic)
            == "floe.yaml:3:5: error: transforms[0].type: unknown key 'pth'\n  hint: did you mean 'path'?")
    }

    @Test func rendersWithoutPathOrHint() {
        let diagnostic = Diagnostic.warning(at: location, "something odd")
        #expect(DiagnosticRenderer(useColor: false).render(diagnostic) == "floe.yaml:3:5: warning: something odd")
    }

    @Test func sortsByLocationAndCounts() {
        let late = Diagnostic.error(at: SourceLocation(file: "floe.yaml", line: 9, column: 1), "late")
        let early = Diagnostic.error(at: SourceLocation(file: "floe.yaml", line: 2, column: 1), "early")
        let warning = Diagnostic.warning(at: SourceLocation(file: "a.yaml", line: 1, column: 1), "note")
        #expect(DiagnosticRenderer(useColor: false).render([late, early, warning]) == """
            a.yaml:1:1: warning: note
            floe.yaml:2:1: error: early
            floe.yaml:9:1: error: late
            2 errors, 1 warning
            """)
    }

    @Test func colourUsesAnsiEscapesOnlyWhenAsked() {
        let diagnostic = Diagnostic.error(at: location, "bad")
        #expect(DiagnosticRenderer(useColor: true).render(diagnostic).contains("\u{1B}["))
        #expect(!DiagnosticRenderer(useColor: false).render(diagnostic).contains("\u{1B}["))
    }
}
