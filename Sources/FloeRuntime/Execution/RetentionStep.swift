import FloeContract
import FloeCore
import FloeEngine
import Foundation

/// floe.yaml's `retention: {max_age, column}`: after every apply, rows of the product's tables
/// whose `column` (default `_loaded_at`) is older than `max_age` are deleted. It runs on every
/// table that has the column — built in this run, inside its build's transaction, or up to date,
/// in a transaction of its own that also records the new content version — so a table is never
/// called up to date while holding rows a rebuild would drop. Synthetic tables get it after the
/// run's rows are written, keeping their relationships (see `SyntheticPhase+Retention.swift`).
struct RetentionStep: Sendable {
    let column: String
    /// `YYYY-MM-DD HH:MM:SS` UTC: rows before it go. Taken once, when the run starts.
    let cutoff: String
    let maxAge: String

    /// The plan's retention as of `now`; nil when the plan has none or its age does not parse.
    init?(_ retention: Retention?, now: Date) {
        guard let retention, let seconds = Self.seconds(retention.maxAge) else { return nil }
        column = retention.column
        maxAge = retention.maxAge
        cutoff = CivilDate.timestamp(seconds: Int64(now.timeIntervalSince1970) - seconds)
    }

    /// `30m`, `1h`, `7d`, `4w` in seconds.
    static func seconds(_ duration: String) -> Int64? {
        guard let unit = duration.last, let amount = Int64(duration.dropLast()), amount > 0 else { return nil }
        let scale: Int64? = switch unit {
        case "s": 1
        case "m": 60
        case "h": 3600
        case "d": 86_400
        case "w": 604_800
        default: nil
        }
        return scale.flatMap { amount.multipliedReportingOverflow(by: $0).overflow ? nil : amount * $0 }
    }

    /// Rows of another table that hold values of one of this table's columns: while one does,
    /// the row it points at stays, however old (a child never loses its parent).
    struct Reference: Equatable {
        /// This table's column the other one repeats.
        let column: String
        let from: Relation
        let fromColumn: String
    }

    /// Deletes the expired rows of `relation` when it has the column, except those `references`
    /// still point at; returns how many went. Runs inside the caller's transaction.
    func apply(to relation: Relation, connection: any EngineConnection, dialect: any SQLDialect,
               keeping references: [Reference] = []) throws -> Int {
        guard try connection.columns(of: relation).contains(where: { $0.name == column }) else { return 0 }
        var predicate = "\(dialect.quoteIdentifier(column)) < \(dialect.stringLiteral(cutoff))"
        for reference in references {
            let kept = dialect.quoteIdentifier(reference.column), from = dialect.quoteIdentifier(reference.fromColumn)
            predicate += " and (\(kept) is null or \(kept) not in "
                + "(select \(from) from \(dialect.relation(reference.from)) where \(from) is not null))"
        }
        return try connection.deleteRows(from: relation, where: predicate, dialect: dialect)
    }

    func describe(_ rows: Int) -> String {
        "retention deleted \(rows) row\(rows == 1 ? "" : "s") older than \(maxAge)"
    }
}
