import FloeContract
import FloeCore
import FloeYAML

/// floe.yaml as read. Built leniently, like ``PlatformSpec``.
struct FloeSpec {
    struct LogicalName {
        var name: String
        /// Where floe.yaml names it; nil when the default (`default`) applies.
        var location: SourceLocation?
    }

    struct Transform {
        var type: String
        var path: String
        var location: SourceLocation
    }

    var file: String
    var root: YAMLValue
    var name: String
    var version: String
    var description: String?
    var owner: String?
    var logicalNames: [ProfileKind: LogicalName]
    var transforms: [Transform]
    var semanticPath: (path: String, location: SourceLocation)?
    var vars: [String: ConfigValue]
    var schedule: Schedule?
    var retention: Retention?
    var demo: DemoSettings?
    var snapshots: SnapshotSettings?
    /// `secret_scan.allow`: nodes whose random-looking values the plan's scan lets through.
    var secretScanAllow: [String] = []

    init(file: String, root: YAMLValue) {
        self.file = file
        self.root = root
        name = root["name"]?.string ?? ""
        version = root["version"]?.string ?? ""
        description = root["description"]?.string
        owner = root["owner"]?.string
        var logicalNames: [ProfileKind: LogicalName] = [:]
        for kind in ProfileKind.allCases {
            if let value = root[kind.rawValue], let text = value.string {
                logicalNames[kind] = LogicalName(name: text, location: value.location)
            } else {
                logicalNames[kind] = LogicalName(name: "default", location: nil)
            }
        }
        self.logicalNames = logicalNames
        transforms = (root["transforms"]?.items ?? []).compactMap { item in
            guard let type = item["type"]?.string, let path = item["path"]?.string else { return nil }
            return Transform(type: type, path: path, location: item["path"]!.location)
        }
        if let semantic = root["semantic"]?["path"], let path = semantic.string {
            semanticPath = (path, semantic.location)
        }
        var vars: [String: ConfigValue] = [:]
        for entry in root["vars"]?.entries ?? [] { vars[entry.key] = ConfigValue(entry.value) }
        self.vars = vars
        if let cron = root["schedule"]?["cron"]?.string {
            schedule = Schedule(cron: cron, timezone: root["schedule"]?["timezone"]?.string ?? "UTC")
        }
        if let keep = root["snapshots"]?["keep"]?.integer { snapshots = SnapshotSettings(keep: keep) }
        secretScanAllow = root["secret_scan"]?["allow"]?.items?.compactMap(\.string) ?? []
        if let section = root["demo"] {
            let quality = section["data_quality"].map { value in
                DataQualityDefects(nullRate: value["null_rate"]?.number ?? 0, duplicateRate: value["duplicate_rate"]?.number ?? 0,
                                   lateArrivalRate: value["late_arrival_rate"]?.number ?? 0)
            }
            let burst = section["burst_mode"]
            demo = DemoSettings(
                cron: section["schedule"]?["cron"]?.string ?? "*/5 * * * *", batchSize: section["batch_size"]?.integer ?? 100,
                dataQuality: quality,
                burstRecordsPerSecond: burst?["enabled"]?.bool == true ? burst?["records_per_second"]?.integer ?? 1000 : nil)
        }
        if let maxAge = root["retention"]?["max_age"]?.string {
            retention = Retention(maxAge: maxAge, column: root["retention"]?["column"]?.string ?? "_loaded_at")
        }
    }
}
