import FloeContract
import Foundation

/// Writes what a model ran where a dbt user looks for it: `target/compiled/<path>` holds its
/// SELECT, `target/run/<path>` the statements as they were sent (the failing one last), `<path>`
/// being the model's file relative to floe.yaml (`dbt/models/marts/dim_customers.sql`).
public struct CompiledSQLFiles {
    /// The plan's directory (`target/`).
    let targetDirectory: String

    public init(targetDirectory: String) {
        self.targetDirectory = targetDirectory
    }

    /// `floe compile --select`: each model's SELECT to `compiled/<path>`. Returns the files written,
    /// relative to the target's parent.
    public func writeCompiled(_ models: [CompiledModel]) -> [String] {
        models.compactMap { model in
            guard let url = url("compiled", model) else { return nil }
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data((Self.shown(model) + "\n").utf8).write(to: url, options: .atomic)
            } catch {
                return nil
            }
            return URL(fileURLWithPath: targetDirectory).lastPathComponent + "/compiled/" + model.path
        }
    }

    /// A model's SQL as the plan holds it; for a model rendered at apply time, what its compile
    /// rendered (dbt's parse, `execute` false) under a note that says so.
    public static func shown(_ model: CompiledModel) -> String {
        let sql = model.sql.trimmingCharacters(in: .newlines)
        guard model.renderAtApply == true else { return sql }
        return """
            -- floe renders \(model.name) at apply time: its template queries the database (run_query, statement,
            -- adapter.get_columns_in_relation, ...). Below is its rendering with `execute` false, as dbt parses it;
            -- `floe run` writes the SQL it builds with to target/run/.
            \(sql)
            """
    }

    /// `floe compile`: each analysis's SQL to `compiled/<path>`, as dbt compiles them. Returns the
    /// files written, relative to the target's parent.
    public func writeAnalyses(_ analyses: [CompiledAnalysis]) -> [String] {
        analyses.compactMap { analysis in
            guard let url = url("compiled", path: analysis.path) else { return nil }
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data((analysis.sql + "\n").utf8).write(to: url, options: .atomic)
            } catch {
                return nil
            }
            return URL(fileURLWithPath: targetDirectory).lastPathComponent + "/compiled/" + analysis.path
        }
    }

    /// Where `folder/<path>` of a model goes; nil for a path that is absolute or leaves the directory.
    private func url(_ folder: String, _ model: CompiledModel) -> URL? {
        url(folder, path: model.path)
    }

    private func url(_ folder: String, path: String) -> URL? {
        let parts = path.split(separator: "/")
        guard !path.hasPrefix("/"), !parts.isEmpty, !parts.contains(where: { $0 == ".." || $0 == "." }) else { return nil }
        return URL(fileURLWithPath: targetDirectory).appendingPathComponent(folder).appendingPathComponent(path)
    }

    /// Writes both files; returns the `run/` file's path, relative to the target's parent, or nil
    /// when the path is not one floe writes to (absolute, or leaving the directory) or writing failed.
    @discardableResult
    func write(_ model: CompiledModel, compiled: String, statements: [String]) -> String? {
        let target = URL(fileURLWithPath: targetDirectory)
        let run = statements.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ";\n\n") + ";\n"
        do {
            for (folder, text) in [("compiled", compiled.trimmingCharacters(in: .newlines) + "\n"), ("run", run)] {
                guard let url = url(folder, model) else { return nil }
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url, options: .atomic)
            }
        } catch {
            return nil
        }
        return target.lastPathComponent + "/run/" + model.path
    }
}
