@testable import FloeDeploy
import Foundation
import Testing

/// The Go-template renderer on the constructs Helm charts use, each against what Go's
/// text/template (with Helm's functions) prints for it.
@Suite struct GoTemplateTests {
    func render(_ template: String, values: TemplateValue = .map([:]), helpers: String = "") throws -> String {
        let chart = HelmChart(files: [
            "Chart.yaml": "name: demo\nversion: 1.2.3\nappVersion: \"4.5\"\n", "values.yaml": "",
            "templates/_helpers.tpl": helpers, "templates/t.yaml": template,
        ])
        return try chart.render(values: values, release: "rel", namespace: "ns").map(\.text).joined(separator: "---\n")
    }

    static func sha256Prefix(_ text: String) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try? process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        return String(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(12))
    }

    static let values: TemplateValue = .map([
        "name": .string("Floe_App"), "count": .int(3), "rate": .double(0.02), "on": .bool(true), "off": .bool(false),
        "empty": .string(""), "list": .list([.string("a"), .string("b")]),
        "map": .map(["z": .int(1), "a": .map(["inner": .string("x y")])]),
    ])

    @Test func fieldsPipelinesAndTrimming() throws {
        #expect(try render("a: {{ .Values.name | lower | replace \"_\" \"-\" | quote }}\n", values: Self.values) == "a: \"floe-app\"\n")
        #expect(try render("k:   {{- \" v\" }}  \n{{- /* gone */}}\nn: {{ .Values.count }}\n", values: Self.values) == "k: v\nn: 3\n")
        #expect(try render("r: {{ .Values.rate }} {{ .Values.missing }}|{{ .Values.missing | default \"d\" }}\n", values: Self.values)
            == "r: 0.02 |d\n")
        #expect(try render("c: {{ .Chart.Name }}-{{ .Chart.Version }}-{{ .Chart.AppVersion }} {{ .Release.Name }}/{{ .Release.Namespace }}\n")
            == "c: demo-1.2.3-4.5 rel/ns\n")
        #expect(try render("p: {{ printf \"%s-%d\" .Values.name .Values.count | trunc 6 | trimSuffix \"_\" }}\n", values: Self.values)
            == "p: Floe_A\n")
        // sha256 of "Floe_App".
        #expect(try render("s: {{ sub .Values.count 1 }} {{ .Values.name | sha256sum | trunc 12 }}\n", values: Self.values)
            == "s: 2 \(Self.sha256Prefix("Floe_App"))\n")
    }

    @Test func conditionalsRangesAndVariables() throws {
        let text = """
            {{- if .Values.off }}no{{ else if and .Values.on (not .Values.empty) }}yes{{ else }}else{{ end }}
            {{ range $i, $item := .Values.list }}{{ $i }}={{ $item }};{{ end }}
            {{ range $k, $v := .Values.map }}{{ $k }}:{{ kindIs "map" $v }};{{ end }}
            {{ with .Values.map.a }}{{ .inner }}{{ end }}{{ with .Values.empty }}never{{ else }}!{{ end }}
            {{ $top := .Values.name }}{{ range .Values.list }}{{ . }}{{ $top }}{{ $.Values.count }} {{ end }}
            {{ range .Values.none }}x{{ else }}none{{ end }} {{ eq .Values.count 3 }} {{ ne .Values.name "x" }}
            """
        #expect(try render(text + "\n", values: Self.values) == """
            yes
            0=a;1=b;
            a:true;z:false;
            x y!
            aFloe_App3 bFloe_App3 
            none true true

            """)
    }

    @Test func includeToYamlAndIndent() throws {
        let helpers = """
            {{- define "labels" -}}
            app: {{ .name | quote }}
            size: {{ .count }}
            {{- end }}
            """
        let text = """
            metadata:
              labels:
                {{- include "labels" .Values | nindent 4 }}
            spec:
              {{- toYaml .Values.map | nindent 2 }}
              list: {{ toJson .Values.list }}
            """
        #expect(try render(text + "\n", values: Self.values, helpers: helpers) == """
            metadata:
              labels:
                app: "Floe_App"
                size: 3
            spec:
              a:
                inner: "x y"
              z: 1
              list: ["a","b"]

            """)
    }

    @Test func documentsAndErrors() throws {
        #expect(try render("---\n# only a comment\n---\na: 1\n---\n\n") == "a: 1\n")
        #expect(throws: TemplateError.self) { try render("{{ required \"plan is needed\" .Values.plan }}") }
        do {
            _ = try render("a\n{{ if .Values.x }}\nb")
            Issue.record("an unclosed if renders")
        } catch let error as TemplateError {
            #expect(error.description == "templates/t.yaml:2: {{ if }} is not closed with {{ end }}")
        }
        do {
            _ = try render("{{ lookup \"v1\" \"Secret\" \"ns\" \"x\" }}")
        } catch let error as TemplateError {
            #expect(error.message == "function \"lookup\" is not supported by floe's template renderer")
        }
    }
}
