@testable import FloeDeploy
import Foundation
import Testing

/// floe carries charts/floe inside itself (`floe deploy render` needs no files), so the copy and
/// the chart Helm reads must be the same, and the chart's values.schema.json must be what the
/// values' shape writes.
@Suite struct ChartFilesTests {
    static let chart = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("charts/floe")

    @Test func theEmbeddedChartIsTheChart() throws {
        let onDisk = try HelmChart(directory: Self.chart).files
        #expect(onDisk.keys.sorted() == EmbeddedChart.files.keys.sorted(), "run scripts/embed-chart")
        for (path, text) in onDisk {
            #expect(EmbeddedChart.files[path] == text, "\(path) differs from the embedded copy: run scripts/embed-chart")
        }
    }

    @Test func valuesSchemaIsTheShapes() throws {
        let file = try Data(contentsOf: Self.chart.appendingPathComponent("values.schema.json"))
        #expect(String(decoding: file, as: UTF8.self) == String(decoding: DeployValuesShape.schema().prettyData(), as: UTF8.self) + "\n",
                "regenerate it: floe deploy schema > charts/floe/values.schema.json, then scripts/embed-chart")
    }

    /// The chart's defaults pass its own schema (as Helm checks them before rendering).
    @Test func theDefaultsAreValid() throws {
        let values = try HelmChart.floe.values([])
        #expect(DeployValues.problems(in: values, source: "values.yaml").map(\.headline) == [])
    }
}
