import FloeCore
import Foundation

/// Checks a decoded plan before anything of it runs. The executor trusts nothing a hand could
/// have changed: the bounds the plan's JSON Schema states (rates between 0 and 1, counts not
/// negative, hashes as hex), a graph whose every edge ends at a node and that has no cycle, unique
/// ids, and every model's fingerprint recomputed from its SQL and config (``ModelFingerprintRecipe``).
/// A problem names the JSON path of the field, as `models[3].fingerprint`.
public enum PlanValidator {
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var message: String

        public init(path: String, message: String) {
            self.path = path
            self.message = message
        }

        public var description: String { "\(path): \(message)" }
    }

    /// floe.yaml's bound on a synthetic table's `rows`, before scaling.
    public static let maximumSyntheticRows = 100_000_000

    /// Every problem of the plan, in the order of its fields; empty when it may run.
    public static func problems(in plan: CompiledArtifacts) -> [Problem] {
        var problems: [Problem] = []
        func problem(_ path: String, _ message: String) { problems.append(Problem(path: path, message: message)) }

        for (index, input) in plan.metadata.inputs.enumerated() where !isSHA256(input.sha256) {
            problem("metadata.inputs[\(index)].sha256", "expected a hex SHA-256, got '\(input.sha256)'")
        }
        for (index, table) in plan.synthetic.enumerated() {
            let path = "synthetic[\(index)]"
            if !(0...maximumSyntheticRows).contains(table.rows) {
                problem("\(path).rows", "expected 0 to \(maximumSyntheticRows), got \(table.rows)")
            }
            if table.seed < 0 { problem("\(path).seed", "expected 0 or more, got \(table.seed)") }
            for (field, rate) in [("null_rate", table.quality.nullRate), ("duplicate_rate", table.quality.duplicateRate),
                                  ("late_arrival_rate", table.quality.lateArrivalRate)] where !(0...1).contains(rate) {
                problem("\(path).quality.\(field)", "expected a number from 0 to 1, got \(rate)")
            }
            if let perParent = table.perParent {
                if !(0...1000).contains(perParent.min) { problem("\(path).per_parent.min", "expected 0 to 1000, got \(perParent.min)") }
                if !(0...1000).contains(perParent.max) { problem("\(path).per_parent.max", "expected 0 to 1000, got \(perParent.max)") }
            }
            if let days = table.quality.maxLateDays, !(1...365).contains(days) {
                problem("\(path).quality.max_late_days", "expected 1 to 365, got \(days)")
            }
        }
        for (index, test) in plan.tests.enumerated() {
            for (field, text) in [("warn_if", test.warnIf), ("error_if", test.errorIf)] {
                if let text, FailureThreshold(text) == nil {
                    problem("tests[\(index)].\(field)", "expected a comparison with the number of failing rows, as '>10', got '\(text)'")
                }
            }
            if let limit = test.limit, limit < 0 { problem("tests[\(index)].limit", "expected 0 or more, got \(limit)") }
        }
        if let keep = plan.product.snapshots?.keep, !(1...100).contains(keep) {
            problem("product.snapshots.keep", "expected 1 to 100, got \(keep)")
        }
        if let demo = plan.product.demo {
            if !(1...10_000_000).contains(demo.batchSize) { problem("product.demo.batch_size", "expected 1 to 10000000, got \(demo.batchSize)") }
            if let rate = demo.burstRecordsPerSecond, rate < 1 { problem("product.demo.burst_records_per_second", "expected 1 or more, got \(rate)") }
            if let quality = demo.dataQuality {
                for (field, rate) in [("null_rate", quality.nullRate), ("duplicate_rate", quality.duplicateRate),
                                      ("late_arrival_rate", quality.lateArrivalRate)] where !(0...1).contains(rate) {
                    problem("product.demo.data_quality.\(field)", "expected a number from 0 to 1, got \(rate)")
                }
            }
            do {
                _ = try CronSchedule(demo.cron)
            } catch {
                problem("product.demo.cron", "'\(demo.cron)' is not a cron schedule: \(error.description)")
            }
        }
        if let schedule = plan.product.schedule {
            do {
                _ = try CronSchedule(schedule.cron)
            } catch {
                problem("product.schedule.cron", "'\(schedule.cron)' is not a cron schedule: \(error.description)")
            }
            if TimeZone(identifier: schedule.timezone) == nil {
                problem("product.schedule.timezone", "'\(schedule.timezone)' is not a time zone")
            }
        }
        for (index, model) in plan.models.enumerated() where (model.materialized == .snapshot) != (model.snapshot != nil) {
            problem("models[\(index)].snapshot", model.snapshot == nil ? "a snapshot needs its strategy" : "only a snapshot has a snapshot strategy")
        }
        for (index, model) in plan.models.enumerated() where model.materialized == .snapshot && model.uniqueKey.isEmpty {
            problem("models[\(index)].unique_key", "a snapshot needs a unique_key")
        }
        for (index, seed) in plan.seeds.enumerated() where !isSHA256(seed.sha256) {
            problem("seeds[\(index)].sha256", "expected a hex SHA-256, got '\(seed.sha256)'")
        }

        // Unique ids, and edges that end at a node.
        let boundsProblems = problems.count
        var kinds: [String: String] = [:]
        let identified: [(String, [String])] = [
            ("synthetic", plan.synthetic.map(\.uniqueID)), ("seeds", plan.seeds.map(\.uniqueID)),
            ("sources", plan.sources.map(\.uniqueID)), ("models", plan.models.map(\.uniqueID)), ("tests", plan.tests.map(\.uniqueID)),
        ]
        for (section, ids) in identified {
            for (index, id) in ids.enumerated() {
                if let other = kinds[id] {
                    problem("\(section)[\(index)].unique_id", "'\(id)' is also the id of one of the plan's \(other)")
                } else {
                    kinds[id] = section
                }
            }
        }
        let buildable = Set(plan.seeds.map(\.uniqueID) + plan.sources.map(\.uniqueID) + plan.models.map(\.uniqueID))
        for (index, model) in plan.models.enumerated() {
            for (position, dependency) in model.dependsOn.enumerated() where !buildable.contains(dependency) {
                problem("models[\(index)].depends_on[\(position)]", "'\(dependency)' is not a seed, source or model of the plan")
            }
        }
        for (index, test) in plan.tests.enumerated() {
            for (position, dependency) in test.dependsOn.enumerated() where !buildable.contains(dependency) {
                problem("tests[\(index)].depends_on[\(position)]", "'\(dependency)' is not a seed, source or model of the plan")
            }
        }
        let models = Set(plan.models.map(\.uniqueID))
        for (index, cube) in (plan.cubes ?? []).enumerated() {
            for (position, dependency) in cube.dependsOn.enumerated() where !models.contains(dependency) {
                problem("cubes[\(index)].depends_on[\(position)]", "'\(dependency)' is not a model of the plan")
            }
        }
        var members: Set<String> = []
        for cube in plan.cubes ?? [] {
            for name in cube.measures.map(\.name) + cube.dimensions.map(\.name) + cube.segments.map(\.name) { members.insert("\(cube.name).\(name)") }
        }
        let cubeNames = Set((plan.cubes ?? []).map(\.name))
        for (index, view) in (plan.views ?? []).enumerated() {
            for (position, member) in view.members.enumerated() {
                if !members.contains(member.member) {
                    problem("views[\(index)].members[\(position)].member", "'\(member.member)' is not a member of the plan's cubes")
                }
                if let missing = member.joinPath.first(where: { !cubeNames.contains($0) }) {
                    problem("views[\(index)].members[\(position)].join_path", "'\(missing)' is not a cube of the plan")
                }
            }
        }
        if let cycle = modelCycle(plan.models) {
            problem("models[\(cycle)].depends_on", "'\(plan.models[cycle].uniqueID)' depends on itself through other models")
        }

        // Fingerprints, once the graph is known to be sound.
        guard problems.count == boundsProblems else { return problems }
        let upstream = ModelFingerprintRecipe.upstreamFingerprints(of: plan)
        for (index, model) in plan.models.enumerated() {
            if !isSHA256(model.fingerprint) {
                problem("models[\(index)].fingerprint", "expected a hex SHA-256, got '\(model.fingerprint)'")
            } else if ModelFingerprintRecipe.fingerprint(of: model, upstream: { upstream[$0] }) != model.fingerprint {
                problem("models[\(index)].fingerprint",
                        "does not match the SQL and config of '\(model.uniqueID)': the plan was changed after floe compile wrote it")
            }
        }
        return problems
    }

    static func isSHA256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// The index of a model on a dependency cycle among the models, if there is one.
    static func modelCycle(_ models: [CompiledModel]) -> Int? {
        let position = Dictionary(models.enumerated().map { ($1.uniqueID, $0) }, uniquingKeysWith: { first, _ in first })
        var waiting = models.map { $0.dependsOn.filter { position[$0] != nil }.count }
        var children = Array(repeating: [Int](), count: models.count)
        for (index, model) in models.enumerated() {
            for dependency in model.dependsOn { if let parent = position[dependency] { children[parent].append(index) } }
        }
        var ready = waiting.indices.filter { waiting[$0] == 0 }
        var placed = 0
        while let next = ready.popLast() {
            placed += 1
            for child in children[next] {
                waiting[child] -= 1
                if waiting[child] == 0 { ready.append(child) }
            }
        }
        guard placed < models.count else { return nil }
        return waiting.firstIndex { $0 > 0 }
    }
}
