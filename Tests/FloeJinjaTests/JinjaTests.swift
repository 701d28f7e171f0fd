@testable import FloeJinja
import FloeCore
import Testing

@Suite struct JinjaRenderingTests {
    func render(_ source: String, _ context: [String: JinjaValue] = [:]) throws -> String {
        try JinjaEnvironment().render(JinjaTemplate(source, file: "m.sql"), context: context)
    }

    @Test func outputsLiteralsAndArithmetic() throws {
        #expect(try render("{{ 1 + 2 * 3 }} {{ 7 // 2 }} {{ 7 / 2 }} {{ 2 ** 3 }} {{ -5 % 3 }}") == "7 3 3.5 8 1")
        #expect(try render("{{ 'a' ~ 1 ~ none }} {{ true }} {{ [1, 'x'] }} {{ {'k': 2} }}") == "a1None True [1, 'x'] {'k': 2}")
        #expect(try render("{{ 'ab' 'cd' }}") == "abcd")
    }

    @Test func comparisonsLogicAndMembership() throws {
        #expect(try render("{{ 1 < 2 and 'a' in 'cat' and not (3 == 4) }}") == "True")
        #expect(try render("{{ 0 or 'fallback' }} {{ 'x' not in ['a'] }} {{ 2 if false else 3 }}") == "fallback True 3")
    }

    @Test func ifElifElse() throws {
        let template = "{% if n > 1 %}many{% elif n == 1 %}one{% else %}none{% endif %}"
        #expect(try render(template, ["n": .integer(3)]) == "many")
        #expect(try render(template, ["n": .integer(1)]) == "one")
        #expect(try render(template, ["n": .integer(0)]) == "none")
    }

    @Test func forLoopsWithLoopVariableAndWhitespaceControl() throws {
        let template = """
            select
            {%- for region in regions %}
              sum(case when region = '{{ region }}' then 1 else 0 end) as n_{{ region | lower }}{% if not loop.last %},{% endif %}
            {%- endfor %}
            from t
            """
        let regions: JinjaValue = .list([.string("NA"), .string("EMEA")])
        #expect(try render(template, ["regions": regions]) == """
            select
              sum(case when region = 'NA' then 1 else 0 end) as n_na,
              sum(case when region = 'EMEA' then 1 else 0 end) as n_emea
            from t
            """)
        #expect(try render("{% for i in range(3) %}{{ loop.index }}/{{ loop.length }}{% if loop.first %}!{% endif %} {% endfor %}")
            == "1/3! 2/3 3/3 ")
        #expect(try render("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", ["d": .dict([("a", .integer(1)), ("b", .integer(2))])])
            == "a=1;b=2;")
        #expect(try render("{% for x in [] %}x{% else %}empty{% endfor %}") == "empty")
        #expect(try render("{% for x in [1,2,3,4] if x is even %}{{ x }}{% endfor %}") == "24")
    }

    @Test func setDoAndMutableLists() throws {
        #expect(try render("{% set cols = ['a'] %}{% do cols.append('b') %}{{ cols | join(', ') }}") == "a, b")
        #expect(try render("{% set a, b = [1, 2] %}{{ a + b }}") == "3")
        #expect(try render("{% set block %}x{{ 1 }}{% endset %}[{{ block }}]") == "[x1]")
    }

    @Test func macrosWithDefaultsKeywordsAndReturn() throws {
        let template = """
            {% macro cents_to_dollars(column, scale=2) %}round({{ column }} / 100.0, {{ scale }}){% endmacro %}
            {%- macro pick(x) %}{% do return(x * 2) %}{% endmacro -%}
            {{ cents_to_dollars('amount') }} {{ cents_to_dollars(column='fee', scale=0) }} {{ pick(21) + 1 }}
            """
        #expect(try render(template) == "round(amount / 100.0, 2) round(fee / 100.0, 0) 43")
        // A macro printed by `{{ }}` writes straight into the output; when it then returns, what it
        // wrote is taken back and the value printed instead, in a call block too.
        let early = """
            {% macro early(x) %}ignored {{ x }}{% do return('kept') %}more{% endmacro %}
            {%- macro plain() %}text{% endmacro -%}
            before {{ early(1) }} {{ plain() }} {{ early(2) ~ '!' }} {% call early(3) %}body{% endcall %} after
            """
        #expect(try render(early) == "before kept text kept! kept after")
    }

    @Test func macroScopes() throws {
        // A macro sees its arguments and the globals, not its caller's variables; its own `set`s stay inside.
        let template = """
            {% macro show(x) %}{{ x }}{{ y | default('-') }}{% set y = 'in' %}{{ y }}{% endmacro %}
            {%- set y = 'out' %}{{ show(1) }} {{ y }}
            {%- for i in [1, 2] %}{% set y = i %} {{ show(y) }}{% endfor %} {{ y }}
            """
        #expect(try render(template) == "1-in out 1-in 2-in out")
        // Macros of a macro file calling each other, defaults that use earlier parameters, and
        // positional then keyword binding.
        let macros = try JinjaTemplate("""
            {% macro inner(a, b=a ~ '!') %}[{{ a }}{{ b }}]{% endmacro %}
            {% macro outer(x) %}{{ inner(x) }}{{ inner(x, b='?') }}{{ inner(b='k', a=x) }}{% endmacro %}
            """, file: "macros/m.sql")
        let environment = JinjaEnvironment()
        environment.define(environment.macros(in: macros))
        #expect(try environment.render(JinjaTemplate("{{ outer('o') }}", file: "m.sql")) == "[oo!][o?][ok]")
    }

    @Test func callBlocksPassTheirBodyAsCaller() throws {
        let template = """
            {% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}
            {%- set who = 'floe' %}{% call wrap('b') %}hi {{ who }}{% endcall %}
            """
        #expect(try render(template) == "<b>hi floe</b>")
        #expect(throws: TemplateError.self) { try render("{% call 'x' %}body{% endcall %}") }
    }

    @Test func stringLiteralsWithEscapesAndLineBreaks() throws {
        // The escapes are Jinja's (a raw Swift string), and the fourth literal spans a line.
        #expect(try render(#"{{ 'it\'s' }}|{{ "say \"hi\"" }}|{{ 'a\nb' }}|{{ 'two"# + "\n" + #"lines' }}|{{ 'é' ~ "" }}"#)
            == "it's|say \"hi\"|a\nb|two\nlines|é")
        // Lines and columns still count inside a string that spans a line.
        let failure = #expect(throws: TemplateError.self) { try render("{{ 'two\nlines' }} {{ nope() }}") }
        #expect(failure?.location == SourceLocation(file: "m.sql", line: 2, column: 14))
    }

    @Test func macroFilesProvideGlobals() throws {
        let macros = try JinjaTemplate("{% macro greet(name) %}hello {{ name }}{% endmacro %}", file: "macros/greet.sql")
        let environment = JinjaEnvironment()
        environment.define(environment.macros(in: macros))
        #expect(try environment.render(JinjaTemplate("{{ greet('floe') }}", file: "m.sql")) == "hello floe")
    }

    @Test func filters() throws {
        #expect(try render("{{ ' Hi ' | trim | upper }}|{{ 'a-b' | replace('-', '_') }}|{{ missing | default('d') }}") == "HI|a_b|d")
        #expect(try render("{{ [3,1,2] | sort | join(',') }} {{ [1,2] | length }} {{ 'abc' | length }} {{ [1,1,2] | unique | list }}")
            == "1,2,3 2 3 [1, 2]")
        #expect(try render("{{ [{'n': 'a'}, {'n': 'b'}] | map(attribute='n') | join }} {{ [1, 2.5] | sum }} {{ 2.567 | round(1) }}")
            == "ab 3.5 2.6")
    }

    @Test func whitespaceControlStripsUnicodeWhitespaceAndNumbersTakeSeparators() throws {
        // U+00A0 and U+2028 are whitespace to `-`, as to Jinja's `\s`; `é` is not.
        #expect(try render("a \u{A0}\n{{- 1_000 + 0.5 -}}\u{2028} b") == "a1000.5b")
        #expect(try render("é {{- 'x' -}} é") == "éxé")
        // As in Jinja, `-` on the raw tags strips inside the raw text, and after `-%}` of endraw.
        #expect(try render("a {%- raw -%}  {{ x }}\n {%- endraw -%} b") == "a{{ x }}b")
        #expect(try render("{% raw %} x {% endraw %}") == " x ")
    }

    @Test func testsAndComments() throws {
        #expect(try render("{# note #}{{ x is defined }} {{ y is not defined }} {{ none is none }} {{ 'a' is string }}",
                           ["x": .integer(1)]) == "True True True True")
        #expect(try render("a {%- raw %} {{ not rendered }} {% endraw %}") == "a {{ not rendered }} ")
    }

    @Test func dictAccessAndMethods() throws {
        let config: JinjaValue = .dict([("schema", .string("marts")), ("tags", .list([.string("a")]))])
        #expect(try render("{{ c.schema }} {{ c['tags'][0] }} {{ c.get('x', 'none') }} {{ 'A,B'.lower().split(',') }}", ["c": config])
            == "marts a none ['a', 'b']")
    }
}

@Suite struct JinjaErrorTests {
    func error(_ source: String) -> TemplateError? {
        do {
            _ = try JinjaEnvironment().render(JinjaTemplate(source, file: "models/m.sql"))
            return nil
        } catch {
            return error
        }
    }

    @Test func unclosedIfNamesItsLine() {
        let failure = error("select 1\n{% if true %}\nx\n")
        #expect(failure == TemplateError("unclosed '{% if %}'", at: SourceLocation(file: "models/m.sql", line: 2, column: 1),
                                         hint: "close it with '{% endif %}'"))
    }

    @Test func unknownMacroGetsLocationAndSuggestion() {
        let failure = error("{% macro cents(x) %}{{ x }}{% endmacro %}\nselect {{ cent('a') }}")
        #expect(failure?.message == "unknown macro or function 'cent'")
        #expect(failure?.location == SourceLocation(file: "models/m.sql", line: 2, column: 11))
        #expect(failure?.hint == "did you mean 'cents'?")
    }

    @Test func errorsInsideAMacroNameTheMacrosFile() throws {
        let macros = try JinjaTemplate("{% macro bad() %}\n  {{ nope() }}{% endmacro %}", file: "macros/bad.sql")
        let environment = JinjaEnvironment()
        environment.define(environment.macros(in: macros))
        #expect(throws: TemplateError("unknown macro or function 'nope'", at: SourceLocation(file: "macros/bad.sql", line: 2, column: 6))) {
            try environment.render(JinjaTemplate("select\n{{ bad() }}", file: "models/m.sql"))
        }
        #expect(throws: TemplateError("macro 'bad' takes 0 arguments, got 1", at: SourceLocation(file: "models/m.sql", line: 1, column: 4))) {
            try environment.render(JinjaTemplate("{{ bad(1) }}", file: "models/m.sql"))
        }
    }

    /// As in Jinja2 and dbt, an undefined name prints nothing and loops as empty, with a warning
    /// at it (a typo looks just like this); calling it, or reading an attribute of it, is an error.
    @Test func undefinedVariable() throws {
        let environment = JinjaEnvironment(globals: ["column": .string("id")])
        #expect(try environment.render(JinjaTemplate("select {{ colum }}{% for x in rows %}{{ x }}{% endfor %}", file: "m.sql")) == "select ")
        #expect(environment.globals.warnings.map(\.message) == ["'colum' is undefined; it prints nothing, as in dbt",
                                                               "'rows' is undefined; the loop runs over nothing, as in dbt"])
        #expect(environment.globals.warnings.first?.location.column == 11)
        #expect(environment.globals.warnings.first?.hint == "did you mean 'column'?")
        #expect(error("select {{ colum() }}")?.message == "unknown macro or function 'colum'")
        #expect(error("select {{ colum.name }}")?.message == "'colum' is undefined")
    }

    @Test func syntaxErrors() {
        #expect(error("{{ 1 + }}")?.message == "expected an expression")
        #expect(error("{{ x ")?.message == "unclosed '{{'")
        #expect(error("{% endif %}")?.message == "unexpected '{% endif %}'")
        #expect(error("{% fro x in y %}{% endfor %}")?.hint == "did you mean 'for'?")
        #expect(error("{{ 'abc }}")?.message == "unclosed string")
        #expect(error("{{ x | lowr }}")?.message == "'x' is undefined")
        #expect(error("{{ 'x' | lowr }}")?.hint == "did you mean 'lower'?")
        #expect(error("{# never closed")?.message == "unclosed comment '{#'")
        #expect(error("{{ f(1 2) }}")?.message == "expected ')', found '2'")
        #expect(error("{{ f(a b) }}")?.message == "expected ')', found 'b'")
        #expect(error("{% for x on y %}{% endfor %}")?.message == "expected 'in', found 'on'")
    }
}
