import FloeConnect
import FloeContract
import FloeCore
import FloeEngine
import Foundation

/// dbt's `microbatch` strategy: the model is built one window of its `event_time` at a time
/// (`batch_size`), its inputs that have an `event_time` read only in that window. The first build
/// (or a full refresh) goes from `begin` to now and replaces the table; a later one redoes the
/// current batch and `lookback` before it, each batch's rows replacing that window of the table.
/// All of it in the build's transaction: a failed batch leaves the table as it was.
struct MicrobatchBuild {
    static let stagingSuffix = "__floe_batch"

    let connection: any EngineConnection
    let dialect: any SQLDialect
    let now: Date

    func build(_ model: CompiledModel, fullRefresh: Bool) throws -> ModelBuilder.Outcome {
        guard let config = model.microbatch, let begin = CivilTimestamp(config.begin) else {
            throw ExecutorError(.build, "microbatch model '\(model.name)' has no microbatch config in the plan", node: model.uniqueID)
        }
        let current = CivilTimestamp(seconds: Int64(now.timeIntervalSince1970.rounded(.down)))
        let existing = try connection.relationKind(model.relation)
        let rebuild = fullRefresh || existing != .table
        var first = rebuild ? Self.truncate(begin, to: config.batchSize) : Self.truncate(current, to: config.batchSize)
        if !rebuild {
            for _ in 0..<config.lookback { first = Self.previous(first, size: config.batchSize) }
            first = max(first, Self.truncate(begin, to: config.batchSize))
        }
        var batches: [(start: String, end: String)] = []
        var start = first
        while !(current < start) {
            let end = Self.next(start, size: config.batchSize)
            batches.append((start.text(), end.text()))
            start = end
        }
        var rows = 0
        if rebuild {
            try TableSwap(connection: connection, dialect: dialect).replace(model.relation) { temporary in
                for (index, batch) in batches.enumerated() {
                    let select = dialect.batch(model.sql, start: batch.start, end: batch.end)
                    if index == 0 {
                        try connection.execute(dialect.createTable(temporary, as: select))
                    } else {
                        rows += try insert(select, into: temporary)
                    }
                }
                rows = try connection.count("select count(*) from \(dialect.relation(temporary))")
            }
        } else {
            for batch in batches {
                try connection.deleteRows(from: model.relation, where: dialect.batchWindow(eventTime: config.eventTime, start: batch.start, end: batch.end),
                                          dialect: dialect)
                rows += try insert(dialect.batch(model.incrementalSQL ?? model.sql, start: batch.start, end: batch.end), into: model.relation)
            }
        }
        let what = rebuild ? (fullRefresh ? "full refresh" : "first build") : "\(batches.count) batch\(batches.count == 1 ? "" : "es")"
        return ModelBuilder.Outcome(rowsAffected: rows, message: "incremental microbatch, \(what), \(rows) row\(rows == 1 ? "" : "s")",
                                    compiledSQL: rebuild ? model.sql : model.incrementalSQL ?? model.sql)
    }

    /// Inserts one batch's rows, through a table beside the target, in the columns both have.
    private func insert(_ select: String, into target: Relation) throws -> Int {
        let staging = target.suffixed(Self.stagingSuffix, for: dialect)
        try connection.dropIfExists(staging, dialect: dialect)
        try connection.execute(dialect.createTable(staging, as: select))
        let existing = Set(try connection.columns(of: target).map(\.name))
        let columns = try connection.columns(of: staging).map(\.name).filter(existing.contains)
        try connection.execute(dialect.insert(into: target, from: dialect.relation(staging), columns: columns))
        let rows = try connection.count("select count(*) from \(dialect.relation(staging))")
        try connection.execute(dialect.drop(staging, kind: .table))
        return rows
    }

    // MARK: Windows

    static func truncate(_ time: CivilTimestamp, to size: String) -> CivilTimestamp {
        let day = time.days * 86_400
        switch size {
        case "hour": return CivilTimestamp(seconds: time.seconds - (time.seconds - day) % 3600)
        case "day": return CivilTimestamp(seconds: day)
        default:
            let date = CivilDate.text(days: time.days)
            let (year, month) = (date.prefix(4), date.dropFirst(5).prefix(2))
            let first = size == "month" ? "\(year)-\(month)-01" : "\(year)-01-01"
            return CivilTimestamp(seconds: (CivilDate.days(first) ?? time.days) * 86_400)
        }
    }

    static func next(_ start: CivilTimestamp, size: String) -> CivilTimestamp {
        switch size {
        case "hour": return start.adding(seconds: 3600)
        case "day": return start.adding(seconds: 86_400)
        default:
            // A month (or year) on: a day past its 28th (or its 365th), back to the first.
            return truncate(start.adding(seconds: (size == "month" ? 32 : 366) * 86_400), to: size)
        }
    }

    static func previous(_ start: CivilTimestamp, size: String) -> CivilTimestamp {
        switch size {
        case "hour": return start.adding(seconds: -3600)
        case "day": return start.adding(seconds: -86_400)
        default: return truncate(start.adding(seconds: -86_400), to: size)
        }
    }
}
