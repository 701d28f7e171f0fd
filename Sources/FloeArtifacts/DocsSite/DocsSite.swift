import FloeColumnLineage
import FloeCompiler
import FloeContract
import FloeRuntime
import FloeWebAssets
import Foundation

/// The docs site `floe docs generate` writes to `target/docs/`: `index.html`, the pages' script and
/// style, and `data.js` with the project's data. Plain files that load one another by relative
/// `<script src>` (not `fetch`, which browsers refuse from `file://`), so the site opens straight
/// from the file system and is served unchanged by `floe docs serve` and `floe serve` at `/docs/`.
public enum DocsSite {
    public struct Inputs {
        public var plan: CompiledArtifacts
        public var project: DbtProjectDescription?
        /// floe.yaml's directory, where the files' raw code is read.
        public var projectDirectory: String
        /// Nil when the warehouse was not read (`--no-catalog`, or it cannot be reached).
        public var catalog: WarehouseCatalog.Catalog?
        public var lastRun: RunResults?
        public var lineage: ProjectColumnLineage?
        public var generatedAt: String

        public init(plan: CompiledArtifacts, project: DbtProjectDescription?, projectDirectory: String, catalog: WarehouseCatalog.Catalog?,
                    lastRun: RunResults?, lineage: ProjectColumnLineage?, generatedAt: String) {
            self.plan = plan
            self.project = project
            self.projectDirectory = projectDirectory
            self.catalog = catalog
            self.lastRun = lastRun
            self.lineage = lineage
            self.generatedAt = generatedAt
        }
    }

    /// The site's files by name.
    public static func files(_ inputs: Inputs) -> [(name: String, bytes: [UInt8])] {
        let data = DocsData(builder: Builder(plan: inputs.plan, projectDirectory: inputs.projectDirectory),
                            description: inputs.project ?? DbtProjectDescription(), catalog: inputs.catalog, lastRun: inputs.lastRun,
                            lineage: inputs.lineage)
        var script = Array("window.FLOE_DOCS = ".utf8)
        JSONBytes.write(data.document(generatedAt: inputs.generatedAt), into: &script)
        script += Array(";\n".utf8)
        return [
            ("index.html", Array(page(title: inputs.plan.product.name).utf8)),
            ("floe.css", Array((PageStyle.source + "\n").utf8)),
            ("graph.js", Array((GraphScript.source + "\n").utf8)),
            ("docs.js", Array((DocsScript.source + "\n").utf8)),
            ("data.js", script),
        ]
    }

    static func page(title: String) -> String {
        let escaped = title.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        return """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escaped) docs</title>
        <link rel="stylesheet" href="floe.css">
        </head>
        <body>
        <header class="bar"><a class="brand" href="#!/overview">floe docs</a><span>\(escaped)</span></header>
        <div class="layout"><aside id="sidebar"></aside><main id="main"><p class="muted">Loading…</p></main></div>
        <script src="data.js"></script>
        <script src="graph.js"></script>
        <script src="docs.js"></script>
        </body>
        </html>

        """
    }
}
