@testable import FloeJinja
import Testing

/// The parts of Jinja2 and Python that dbt projects and packages lean on: argument spreading and
/// catch-all macros, slices, namespaces, the filtering filters, and string, list and dict methods.
@Suite struct JinjaSurfaceTests {
    func render(_ source: String) throws -> String {
        try JinjaEnvironment().render(JinjaTemplate(source, file: "t.sql"))
    }

    @Test func macrosCatchExtraArgumentsWhenTheyNameVarargsOrKwargs() throws {
        let macro = "{% macro f(a) %}{{ a }}|{{ varargs|join(',') }}|{{ kwargs|dictsort|map('first')|join(',') }}{% endmacro %}"
        #expect(try render(macro + "{{ f(1, 2, 3, y=5, x=4) }}") == "1|2,3|x,y")
        #expect(try render(macro + "{{ f(*[1, 2], **{'z': 0}) }}") == "1|2|z")
        // A macro that names neither still refuses extras, with the reason.
        #expect(throws: TemplateError.self) { try render("{% macro g(a) %}{{ a }}{% endmacro %}{{ g(1, 2) }}") }
        #expect(throws: TemplateError.self) { try render("{% macro g(a) %}{{ a }}{% endmacro %}{{ g(1, b=2) }}") }
    }

    /// A dict's keys keep their type, as Python's do: a number stays a number through keys(),
    /// items() and loops, and is still found by its text.
    @Test func dictKeysKeepTheirType() throws {
        #expect(try render("{% set d = {1: 'a', 'b': 2} %}{% for k in d %}{{ k is string }} {% endfor %}{% for k, v in d.items() %}{{ k }}{% endfor %}")
            == "False True 1b")
        #expect(try render("{% set d = {2: 'x'} %}{{ d.keys()[0] + 1 }} {{ d | items | first | first + 2 }}") == "3 4")
        #expect(try render("{% set d = {} %}{% do d.update({7: 'x'}) %}{% for k in d.keys() %}{{ k * 2 }}{% endfor %}") == "14")
    }

    /// dbt's native filters: `as_bool`, `as_number`, `as_native` and `as_text`.
    @Test func dbtsNativeFiltersTypeTheirText() throws {
        #expect(try render("{{ ('true' | as_bool) is boolean }} {{ 'False' | as_bool }} {{ ('41' | as_number) + 1 }} {{ '2.5' | as_number * 2 }}")
            == "True False 42 5.0")
        #expect(try render("{{ ('7' | as_native) + 1 }} {{ 'None' | as_native is none }} {{ (1 | as_text) ~ 'x' }} {{ 'abc' | as_native }}")
            == "8 True 1x abc")
        #expect(throws: TemplateError.self) { try render("{{ 'maybe' | as_bool }}") }
        #expect(throws: TemplateError.self) { try render("{{ 'many' | as_number }}") }
    }

    /// `{% break %}` and `{% continue %}`, which dbt enables (Jinja's loop controls).
    @Test func loopsBreakAndContinue() throws {
        #expect(try render("{% for i in range(10) %}{% if i == 3 %}{% break %}{% endif %}{% if i == 1 %}{% continue %}{% endif %}{{ i }}{% endfor %}|")
            == "02|")
        #expect(try render("{% for a in [1, 2] %}{% for b in [1, 2, 3] %}{% if b == 2 %}{% break %}{% endif %}{{ a }}{{ b }} {% endfor %}{% endfor %}")
            == "11 21 ")
        #expect(throws: TemplateError.self) { try render("{% break %}") }
    }

    /// A tuple set without parentheses, and an index out of range (undefined, as in Jinja2).
    @Test func tupleSetsOutOfRangeIndexesAndToday() throws {
        #expect(try render("{% set a, b = 1, 2 %}{{ a + b }}") == "3")
        #expect(try render("{% set xs = [1, 2] %}[{{ xs[5] }}]{{ xs[5] is undefined }} {{ 'ab'[9] is undefined }}") == "[]True True")
    }

    /// Python's `re` where ICU's syntax differs (a `{{` that is no repetition, named groups, `\Z`,
    /// verbose patterns), and `findall` giving a tuple per match when the pattern has groups.
    @Test func pythonRegularExpressionsAsPythonReadsThem() throws {
        func re(_ source: String) throws -> String {
            let environment = JinjaEnvironment()
            environment.define(["modules": JinjaModules.modules(now: 0)])
            return try environment.render(JinjaTemplate("{% set re = modules.re %}" + source, file: "t.sql"))
        }
        #expect(try re(#"{{ re.findall('(from|join)\s+({{\s*ref\s*\([\'"]?)([^)\'"]+)', "select 1 from {{ ref('a') }}")[0][2] }}"#) == "a")
        #expect(try re(#"{{ re.findall('(?ix) (\w+) \s* # a word\n =', 'x = 1, y = 2') | join(',') }}"#) == "x,y")
        #expect(try re(#"{{ re.search('(?P<n>\d+)\Z', 'a12').group(1) }} {{ re.sub('a{2}', 'b', 'aaa') }} {{ re.findall('a', 'banana') | length }}"#)
            == "12 ba 3")
        #expect(PythonRegex.icuPattern("x{1,}[{}]}") == "x{1,}[{}]\\}")
    }

    /// `round`'s methods: `ceil` and `floor` round up and down (dbt_project_evaluator counts its
    /// insert batches with `round(0, 'ceil')`; ignoring the method made 8/1000 zero batches).
    @Test func roundHonoursItsMethod() throws {
        #expect(try render("{{ (8 / 1000) | round(0, 'ceil') | int }} {{ 2.7 | round(0, 'floor') }} {{ 2.5 | round }} {{ 1.234 | round(2, method='ceil') }}")
            == "1 2.0 3.0 1.24")
        #expect(throws: TemplateError.self) { try render("{{ 1 | round(0, 'up') }}") }
    }

    /// `{%+` and `+%}`, Jinja's markers that keep the whitespace around a tag (floe strips none).
    @Test func plusMarkersKeepWhitespace() throws {
        #expect(try render("a\n  {%+ if true +%} b {%+ endif %}") == "a\n   b ")
    }

    @Test func slicesFollowPython() throws {
        #expect(try render("{{ 'abcdef'[1:3] }} {{ 'abcdef'[:2] }} {{ 'abcdef'[-2:] }} {{ 'abc'[::-1] }}") == "bc ab ef cba")
        #expect(try render("{{ [1, 2, 3, 4][1:] | join(',') }} {{ [1, 2, 3, 4][::2] | join(',') }} {{ [1, 2][5:] | length }}") == "2,3,4 1,3 0")
    }

    @Test func namespacesCarryValuesOutOfLoops() throws {
        #expect(try render("{% set ns = namespace(total=0, seen=[]) %}{% for i in [1, 2, 3] %}{% set ns.total = ns.total + i %}"
            + "{% do ns.seen.append(i) %}{% endfor %}{{ ns.total }} {{ ns.seen | length }}") == "6 3")
        #expect(throws: TemplateError.self) { try render("{% set x = 1 %}{% set x.y = 2 %}") }
        // A block set of an attribute, as dbt_utils' tests write their messages.
        #expect(try render("{% set ns = namespace(msg='') %}{% set ns.msg %}got {{ 1 + 1 }}{% endset %}[{{ ns.msg }}]") == "[got 2]")
    }

    /// As Jinja2's Undefined: a macro argument not given, or a name never set, joins with `~` as
    /// nothing (with a warning), while arithmetic on it is still an error.
    @Test func undefinedJoinsAsNothing() throws {
        let environment = JinjaEnvironment()
        let text = try environment.render(JinjaTemplate("{% macro f(message) %}{{ 'at ' ~ message }}{% endmacro %}[{{ f() }}]", file: "t.sql"))
        #expect(text == "[at ]")
        #expect(environment.globals.warnings.map(\.message) == ["'message' is undefined; it joins as nothing, as in dbt"])
        #expect(throws: TemplateError.self) { try render("{{ missing + 1 }}") }
    }

    @Test func filteringFilters() throws {
        let rows = "[{'name': 'a', 'on': true, 'n': 3}, {'name': 'b', 'on': false, 'n': 1}, {'name': 'c', 'on': true, 'n': 2}]"
        #expect(try render("{{ \(rows) | selectattr('on') | map(attribute='name') | join(',') }}") == "a,c")
        #expect(try render("{{ \(rows) | rejectattr('on') | map(attribute='name') | join(',') }}") == "b")
        #expect(try render("{{ \(rows) | selectattr('n', 'equalto', 2) | map(attribute='name') | first }}") == "c")
        #expect(try render("{{ [1, 2, 3, 4] | select('odd') | join(',') }} {{ [1, 2, 3, 4] | reject('divisibleby', 2) | join(',') }}") == "1,3 1,3")
        #expect(try render("{{ (\(rows) | min(attribute='n')).name }} {{ [3, 1, 2] | max }}") == "b 3")
        #expect(try render("{{ [1, 2, 3, 4, 5] | batch(2) | map('join', '') | join(' ') }}") == "12 34 5")
        #expect(try render("{% for g in \(rows) | groupby('on') %}{{ g.grouper }}:{{ g.list | length }} {% endfor %}") == "False:1 True:2 ")
    }

    @Test func pythonMethodsOnStringsListsAndDicts() throws {
        #expect(try render("{{ ', '.join(['a', 'b']) }}|{{ '{} and {}'.format(1, 'x') }}|{{ '%s-%d' | format('a', 3) }}") == "a, b|1 and x|a-3")
        #expect(try render("{{ 'xxabcxx'.lstrip('x') }}|{{ 'abc  '.rstrip() }}|{{ 'abcabc'.find('c') }}|{{ 'abcabc'.count('b') }}|{{ '42'.isdigit() }}")
            == "abcxx|abc|2|2|True")
        #expect(try render("{% set l = [3, 1] %}{% do l.insert(0, 9) %}{% do l.remove(1) %}{{ l | join(',') }}|{{ l.index(3) }}|{{ l.pop(0) }}") == "9,3|1|9")
        #expect(try render("{% set d = {'a': 1} %}{{ d.setdefault('b', 2) }}{{ d.pop('a') }}{{ d | length }}{{ d.copy().keys() | join }}") == "211b")
    }
}
