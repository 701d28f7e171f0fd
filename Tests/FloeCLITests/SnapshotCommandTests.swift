import Foundation
import Testing

/// `floe snapshot` builds the dbt project's snapshots only; `floe run` leaves them alone.
@Suite struct SnapshotCommandTests {
    @Test func snapshotBuildsOnlySnapshotsAndRunLeavesThem() throws {
        let project = try FloeBinary.temporaryDirectory()
        func write(_ path: String, _ text: String) throws {
            let url = project.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try write("floe.yaml", "name: snap\nversion: \"1.0.0\"\ntransforms: [{type: dbt, path: dbt}]\n")
        try write("platform.yaml", "version: \"1\"\ncompute: { default: { type: sqlite, path: \".floe/{environment}.db\" } }\n")
        try write("dbt/dbt_project.yml", "name: snap\n")
        try write("dbt/seeds/orders.csv", "id,status,updated_at\n1,placed,2024-01-01\n")
        try write("dbt/snapshots/orders_snapshot.sql", """
            {% snapshot orders_snapshot %}
            {{ config(unique_key='id', strategy='timestamp', updated_at='updated_at') }}
            select * from {{ ref('orders') }}
            {% endsnapshot %}
            """)
        let run = try FloeBinary.run(["run"], in: project)
        #expect(run.status == 0, "\(run.all)")
        #expect(!run.stderr.contains("orders_snapshot"), "\(run.stderr)")
        let snapshot = try FloeBinary.run(["snapshot"], in: project)
        #expect(snapshot.status == 0, "\(snapshot.all)")
        #expect(snapshot.stderr.contains("snapshot orders_snapshot"), "\(snapshot.stderr)")
        #expect(snapshot.stderr.contains("OK (snapshot, first build, 1 row)"), "\(snapshot.stderr)")
        #expect(!snapshot.stderr.contains("seed orders"), "\(snapshot.stderr)")
        let ls = try FloeBinary.run(["ls", "-s", "resource_type:snapshot", "--output", "name"], in: project)
        #expect(ls.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "orders_snapshot", "\(ls.all)")
    }
}
