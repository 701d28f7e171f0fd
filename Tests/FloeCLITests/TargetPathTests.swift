import Foundation
import Testing

/// `--target-path` (the plan on a read-only volume, as the Helm chart mounts it) and the demo's
/// batch flags (seed 001's DemoConfig, as the chart passes them).
@Suite struct TargetPathTests {
    @Test func aRunWritesItsFilesUnderTheTargetPath() throws {
        let demo = try ApplyCommandTests.demoCopy()
        #expect(try FloeBinary.run(["compile"], in: demo).status == 0)
        let elsewhere = demo.appendingPathComponent("work/target")
        let run = try FloeBinary.run(["apply", "target/artifacts.json", "--target-path", elsewhere.path], in: demo)
        #expect(run.status == 0, "\(run.all)")
        for file in ["floe_run_results.json", "run_results.json", "floe.log"] {
            #expect(FileManager.default.fileExists(atPath: elsewhere.appendingPathComponent(file).path), "\(file) under --target-path")
            #expect(!FileManager.default.fileExists(atPath: demo.appendingPathComponent("target/\(file)").path), "\(file) beside the plan")
        }
    }

    @Test func theBatchFlagsChangeTheBatch() throws {
        let demo = try ApplyCommandTests.demoCopy()
        #expect(try FloeBinary.run(["build"], in: demo).status == 0)
        let before = try ScheduleCommandTests.sqlite(demo, "select count(*) from raw_customers")
        let batch = try FloeBinary.run(["apply", "target/artifacts.json", "--batch", "--batch-size", "7", "--duplicate-rate", "0"], in: demo)
        #expect(batch.status == 0, "\(batch.all)")
        let after = try ScheduleCommandTests.sqlite(demo, "select count(*) from raw_customers")
        let first: Int = Int(before.trimmingCharacters(in: .newlines)) ?? 0
        let second: Int = Int(after.trimmingCharacters(in: .newlines)) ?? 0
        #expect(second - first == 7, "7 new rows and no duplicates: \(first) → \(second)")
        let refused = try FloeBinary.run(["apply", "target/artifacts.json", "--batch-size", "7"], in: demo)
        #expect(refused.status == 2 && refused.stderr.contains("add --batch"), "\(refused.all)")
    }
}
