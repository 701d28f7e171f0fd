import Foundation

/// What the test cluster's worker did, from its executors' logs under the directory
/// scripts/spark.sh was given (`<dir>/work/app-*/<executor>/stderr`).
public enum SparkWorkerLog {
    /// How many tasks the worker's executors have started (one `Running task` line each); nil
    /// without a directory.
    public static func tasksStarted(clusterDirectory: String?) -> Int? {
        guard let clusterDirectory else { return nil }
        let work = URL(fileURLWithPath: clusterDirectory).appendingPathComponent("work")
        let logs = FileManager.default.enumerator(atPath: work.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix("/stderr") } ?? []
        return logs.reduce(0) { count, log in
            count + ((try? String(contentsOf: work.appendingPathComponent(log), encoding: .utf8))?.components(separatedBy: "Running task").count ?? 1) - 1
        }
    }
}
