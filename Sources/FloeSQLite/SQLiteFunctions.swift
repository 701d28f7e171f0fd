import FloeEngine
import Crypto
import FloeCore
import Foundation
import GRDBSQLite

/// Functions analytics SQL expects and SQLite 3.40 lacks, registered on every connection:
/// `md5` (for `dbt.hash`), `split_part` (PostgreSQL's meaning), `concat`, `concat_ws`, and the
/// statistical aggregates `stddev`/`stddev_samp`/`stddev_pop`, `variance`/`var_samp`/`var_pop`,
/// `median`, `percentile_cont(x, p)` and `percentile_disc(x, p)`, and Snowflake's and Redshift's
/// `convert_timezone([source_zone,] target_zone, timestamp)` (dbt_date's default). The aggregates
/// are window functions too, so `stddev(x) over (…)` works.
enum SQLiteFunctions {
    static func register(on db: OpaquePointer) throws {
        let deterministic = SQLITE_UTF8 | SQLITE_DETERMINISTIC
        try check(db, "md5", sqlite3_create_function_v2(db, "md5", 1, deterministic, nil, md5, nil, nil, nil))
        try check(db, "split_part", sqlite3_create_function_v2(db, "split_part", 3, deterministic, nil, splitPart, nil, nil, nil))
        try check(db, "concat", sqlite3_create_function_v2(db, "concat", -1, deterministic, nil, concat, nil, nil, nil))
        try check(db, "concat_ws", sqlite3_create_function_v2(db, "concat_ws", -1, deterministic, nil, concatWS, nil, nil, nil))
        try check(db, "floe_row_signature", SQLiteRowSignature.register(on: db))
        try check(db, "floe_utc_to_local", sqlite3_create_function_v2(db, "floe_utc_to_local", 2, deterministic, nil, utcToLocal, nil, nil, nil))
        for arity: Int32 in [2, 3] {
            try check(db, "convert_timezone", sqlite3_create_function_v2(db, "convert_timezone", arity, deterministic, nil, convertTimeZone, nil, nil, nil))
        }
        for statistic in Statistic.allCases {
            let app = UnsafeMutableRawPointer(bitPattern: statistic.rawValue + 1)
            let status = sqlite3_create_window_function(
                db, statistic.sqlName, statistic.argumentCount, deterministic, app,
                aggregateStep, aggregateFinal, aggregateValue, aggregateInverse, nil)
            try check(db, statistic.sqlName, status)
        }
    }

    private static func check(_ db: OpaquePointer, _ name: String, _ status: Int32) throws {
        guard status == SQLITE_OK else {
            throw EngineError(.unreachable, "cannot register the SQLite function \(name): \(String(cString: sqlite3_errmsg(db)))")
        }
    }

    // MARK: Scalar functions

    private static func text(_ value: OpaquePointer?) -> String? {
        guard let value, sqlite3_value_type(value) != SQLITE_NULL, let bytes = sqlite3_value_text(value) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_value_bytes(value))), as: UTF8.self)
    }

    private static func result(_ context: OpaquePointer?, _ text: String) {
        sqlite3_result_text(context, text, -1, SQLiteConnection.transient)
    }

    private static let md5: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, arguments in
        guard let input = text(arguments?[0]) else { return sqlite3_result_null(context) }
        let digest = Insecure.MD5.hash(data: Array(input.utf8))
        result(context, Hex.string(digest))
    }

    /// `split_part(text, delimiter, n)`: the n-th field (1-based; negative counts from the end), '' when out of range.
    private static let splitPart: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, arguments in
        guard let input = text(arguments?[0]), let delimiter = text(arguments?[1]),
              let argument = arguments?[2], sqlite3_value_type(argument) != SQLITE_NULL else {
            return sqlite3_result_null(context)
        }
        let index = Int(sqlite3_value_int64(argument))
        guard index != 0 else {
            return sqlite3_result_error(context, "split_part: field position must not be zero", -1)
        }
        let fields = delimiter.isEmpty ? [input] : input.components(separatedBy: delimiter)
        let position = index > 0 ? index - 1 : fields.count + index
        result(context, fields.indices.contains(position) ? fields[position] : "")
    }

    private static let concat: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, count, arguments in
        let parts = (0..<Int(count)).compactMap { text(arguments?[$0]) }
        result(context, parts.joined())
    }

    private static let concatWS: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, count, arguments in
        guard count > 0, let separator = text(arguments?[0]) else { return sqlite3_result_null(context) }
        let parts = (1..<max(1, Int(count))).compactMap { text(arguments?[$0]) }
        result(context, parts.joined(separator: separator))
    }

    /// `floe_utc_to_local(timestamp, zone)`: the wall-clock time in the IANA `zone` of a UTC
    /// timestamp, as `YYYY-MM-DD HH:MM:SS.SSS`; null for null or unreadable input, an error for an unknown zone.
    private static let utcToLocal: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, arguments in
        guard let input = text(arguments?[0]), let zoneName = text(arguments?[1]) else { return sqlite3_result_null(context) }
        guard let zone = TimeZone(identifier: zoneName) else {
            return sqlite3_result_error(context, "floe_utc_to_local: unknown time zone", -1)
        }
        guard let utc = CivilTimestamp(input) else { return sqlite3_result_null(context) }
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utc.seconds)))
        result(context, utc.adding(seconds: Int64(offset)).text(separator: " "))
    }

    /// `convert_timezone(source_zone, target_zone, timestamp)` (or without the source: UTC): the
    /// wall-clock time in `target_zone` of a wall-clock time in `source_zone`, as
    /// `YYYY-MM-DD HH:MM:SS.SSS`; null for null or unreadable input, an error for an unknown zone.
    private static let convertTimeZone: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, count, arguments in
        let source = count == 3 ? text(arguments?[0]) : "UTC"
        guard let source, let targetName = text(arguments?[Int(count) - 2]), let input = text(arguments?[Int(count) - 1]) else {
            return sqlite3_result_null(context)
        }
        guard let from = TimeZone(identifier: source), let to = TimeZone(identifier: targetName) else {
            return sqlite3_result_error(context, "convert_timezone: unknown time zone", -1)
        }
        guard let local = CivilTimestamp(input) else { return sqlite3_result_null(context) }
        // The source's offset at that wall-clock time: taken at the instant it names as UTC, then
        // again at the instant that first guess gives, which settles it away from a change.
        let guess = local.adding(seconds: -Int64(from.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local.seconds)))))
        let utc = local.adding(seconds: -Int64(from.secondsFromGMT(for: Date(timeIntervalSince1970: Double(guess.seconds)))))
        let offset = to.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utc.seconds)))
        result(context, utc.adding(seconds: Int64(offset)).text(separator: " "))
    }

    // MARK: Aggregates

    enum Statistic: Int, CaseIterable {
        case stddev, stddevSample, stddevPopulation, variance, varianceSample, variancePopulation
        case median, percentileCont, percentileDisc

        var sqlName: String {
            switch self {
            case .stddev: "stddev"
            case .stddevSample: "stddev_samp"
            case .stddevPopulation: "stddev_pop"
            case .variance: "variance"
            case .varianceSample: "var_samp"
            case .variancePopulation: "var_pop"
            case .median: "median"
            case .percentileCont: "percentile_cont"
            case .percentileDisc: "percentile_disc"
            }
        }

        var argumentCount: Int32 { self == .percentileCont || self == .percentileDisc ? 2 : 1 }
    }

    private static func statistic(_ context: OpaquePointer?) -> Statistic {
        let raw = Int(bitPattern: sqlite3_user_data(context))
        return Statistic(rawValue: raw - 1) ?? .stddev
    }

    /// The accumulator in the aggregate's context, created on first use.
    private static func accumulator(_ context: OpaquePointer?, create: Bool) -> Accumulator? {
        let size = create ? Int32(MemoryLayout<UnsafeMutableRawPointer?>.size) : 0
        guard let slot = sqlite3_aggregate_context(context, size)?.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        else { return nil }
        if let existing = slot.pointee { return Unmanaged<Accumulator>.fromOpaque(existing).takeUnretainedValue() }
        guard create else { return nil }
        let fresh = Accumulator()
        slot.pointee = Unmanaged.passRetained(fresh).toOpaque()
        return fresh
    }

    private static func number(_ value: OpaquePointer?) -> Double? {
        guard let value, sqlite3_value_type(value) != SQLITE_NULL else { return nil }
        return sqlite3_value_double(value)
    }

    private static let aggregateStep: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, count, arguments in
        guard let state = accumulator(context, create: true) else { return sqlite3_result_error_nomem(context) }
        if count > 1, state.fraction == nil, let fraction = number(arguments?[1]) {
            guard (0...1).contains(fraction) else {
                return sqlite3_result_error(context, "\(statistic(context).sqlName): the fraction must be between 0 and 1", -1)
            }
            state.fraction = fraction
        }
        if let value = number(arguments?[0]) { state.add(value) }
    }

    private static let aggregateInverse: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, arguments in
        if let value = number(arguments?[0]) { accumulator(context, create: false)?.remove(value) }
    }

    private static let aggregateValue: @convention(c) (OpaquePointer?) -> Void = { context in
        report(accumulator(context, create: false), statistic(context), context)
    }

    private static let aggregateFinal: @convention(c) (OpaquePointer?) -> Void = { context in
        let slot = sqlite3_aggregate_context(context, 0)?.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        guard let slot, let pointer = slot.pointee else { return sqlite3_result_null(context) }
        let state = Unmanaged<Accumulator>.fromOpaque(pointer).takeRetainedValue()
        slot.pointee = nil
        report(state, statistic(context), context)
    }

    private static func report(_ state: Accumulator?, _ statistic: Statistic, _ context: OpaquePointer?) {
        let value: Double? = switch statistic {
        case .stddev, .stddevSample: state?.variance(sample: true).map { $0.squareRoot() }
        case .stddevPopulation: state?.variance(sample: false).map { $0.squareRoot() }
        case .variance, .varianceSample: state?.variance(sample: true)
        case .variancePopulation: state?.variance(sample: false)
        case .median: state?.percentile(0.5, continuous: true)
        case .percentileCont: state?.percentile(state?.fraction ?? 0.5, continuous: true)
        case .percentileDisc: state?.percentile(state?.fraction ?? 0.5, continuous: false)
        }
        if let value { sqlite3_result_double(context, value) } else { sqlite3_result_null(context) }
    }
}

/// The running state of one statistical aggregate: the values seen (percentiles need them all)
/// and Welford's running mean and squared deviations, which also support removal for windows.
final class Accumulator {
    private(set) var values: [Double] = []
    private var count = 0.0
    private var mean = 0.0
    private var squares = 0.0
    var fraction: Double?

    func add(_ value: Double) {
        values.append(value)
        count += 1
        let delta = value - mean
        mean += delta / count
        squares += delta * (value - mean)
    }

    func remove(_ value: Double) {
        if let index = values.firstIndex(of: value) { values.remove(at: index) }
        guard count > 1 else {
            count = 0; mean = 0; squares = 0
            return
        }
        let previousMean = mean
        count -= 1
        mean = (previousMean * (count + 1) - value) / count
        squares = max(0, squares - (value - previousMean) * (value - mean))
    }

    /// nil below two values for the sample variance and for no values at all, as PostgreSQL.
    func variance(sample: Bool) -> Double? {
        let divisor = sample ? count - 1 : count
        guard divisor > 0 else { return nil }
        return squares / divisor
    }

    /// PostgreSQL's `percentile_cont` (interpolating) or `percentile_disc` (the first value at or past the fraction).
    func percentile(_ fraction: Double, continuous: Bool) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        if !continuous {
            let index = max(0, Int((fraction * Double(sorted.count)).rounded(.up)) - 1)
            return sorted[min(index, sorted.count - 1)]
        }
        let position = fraction * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}
