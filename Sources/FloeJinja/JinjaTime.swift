import FloeCore
import Foundation

/// A date or datetime as `modules.datetime` makes them: the wall-clock fields and, for an aware
/// one, its offset east of UTC and its zone's name.
struct JinjaMoment: Sendable {
    /// The local date, in days since 1970-01-01.
    var days: Int64
    /// The local time of day in seconds; nil for a date.
    var seconds: Int64?
    var microseconds = 0
    /// Seconds east of UTC; nil for a naive datetime.
    var offset: Int?
    var zone: String?

    /// Seconds since 1970 of the instant it names (a naive one taken as UTC).
    var instant: Int64 { days * 86_400 + (seconds ?? 0) - Int64(offset ?? 0) }

    /// The moment at `instant` (seconds since 1970) on the wall clock of `zone` (nil: naive UTC).
    static func at(_ instant: Int64, microseconds: Int = 0, zone: JinjaZone?) -> JinjaMoment {
        let offset = zone?.offset(at: instant)
        let local = instant + Int64(offset ?? 0)
        let days = CivilDate.days(containing: local)
        return JinjaMoment(days: days, seconds: local - days * 86_400, microseconds: microseconds, offset: offset, zone: zone?.name)
    }
}

/// A time zone as `modules.pytz` gives them: `timezone('America/Los_Angeles')`, `utc`.
struct JinjaZone: Sendable {
    var name: String

    /// Seconds east of UTC at the instant, from the system's time zone database.
    func offset(at instant: Int64) -> Int {
        guard name != "UTC" else { return 0 }
        return TimeZone(identifier: name)?.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))) ?? 0
    }

    /// The offset a wall-clock time has in the zone (pytz's `localize`): the offset at the instant
    /// that local time names, taken once more across a change of offset.
    func offset(atLocal local: Int64) -> Int {
        let first = offset(at: local)
        return offset(at: local - Int64(first))
    }
}

extension JinjaModules {
    /// `+HH:MM` (Python's `isoformat` and `str` of an aware datetime).
    static func offsetText(_ offset: Int, separator: String) -> String {
        let sign = offset < 0 ? "-" : "+"
        let magnitude = abs(offset)
        return String(format: "%@%02d%@%02d", sign, magnitude / 3600, separator, magnitude / 60 % 60)
    }

    /// A zone as a value: prints as its name, with `zone` and `localize(datetime)`.
    static func zoneValue(_ zone: JinjaZone) -> JinjaValue {
        let box = JinjaValue.DictBox([
            ("zone", .string(zone.name)),
            ("localize", .callable(JinjaCallable("localize") { arguments, _, context in
                guard case .dict(let given)? = arguments.first, var moment = given.moment else {
                    throw TemplateError("localize() takes a datetime", at: context.location)
                }
                moment.offset = zone.offset(atLocal: moment.days * 86_400 + (moment.seconds ?? 0))
                moment.zone = zone.name
                return dateTime(moment)
            })),
        ], printed: zone.name)
        box.zone = zone
        return .dict(box)
    }

    /// `modules.pytz`: `timezone(name)` and `utc`; an unknown zone is an error, as pytz's is.
    static func pytzModule() -> JinjaValue {
        .dict([
            ("timezone", .callable(JinjaCallable("timezone") { arguments, _, context in
                let name = arguments.first?.rendered ?? ""
                guard name == "UTC" || TimeZone(identifier: name) != nil else {
                    throw TemplateError("modules.pytz: unknown time zone '\(name)'", at: context.location,
                                        hint: "an IANA name, such as 'America/Los_Angeles' or 'UTC'")
                }
                return zoneValue(JinjaZone(name: name))
            })),
            ("utc", zoneValue(JinjaZone(name: "UTC"))),
        ])
    }

    /// A timedelta: `days`, `seconds`, `microseconds`, `total_seconds()`, printed as Python does.
    static func duration(seconds total: Int64) -> JinjaValue {
        let days = CivilDate.days(containing: total)
        let rest = total - days * 86_400
        var printed = String(format: "%d:%02d:%02d", rest / 3600, rest / 60 % 60, rest % 60)
        if days != 0 { printed = "\(days) day\(abs(days) == 1 ? "" : "s"), " + printed }
        let box = JinjaValue.DictBox([
            ("days", .integer(Int(days))), ("seconds", .integer(Int(rest))), ("microseconds", .integer(0)),
            ("total_seconds", .callable(JinjaCallable("total_seconds") { _, _, _ in .number(Double(total)) })),
        ], printed: printed)
        box.duration = total
        return .dict(box)
    }

    /// `timedelta(days=, seconds=, minutes=, hours=, weeks=)` (positional: days, seconds).
    static func timedelta(_ arguments: [JinjaValue], _ keywords: [(String, JinjaValue)], at location: SourceLocation) throws -> JinjaValue {
        func number(_ value: JinjaValue) throws -> Double {
            switch value {
            case .integer(let n): return Double(n)
            case .number(let n): return n
            default: throw TemplateError("timedelta() takes numbers, got \(value.typeName)", at: location)
            }
        }
        let units: [String: Double] = ["days": 86_400, "seconds": 1, "minutes": 60, "hours": 3600, "weeks": 604_800, "milliseconds": 0.001,
                                       "microseconds": 0.000_001]
        var total = 0.0
        for (position, argument) in arguments.prefix(2).enumerated() { total += try number(argument) * (position == 0 ? 86_400 : 1) }
        for (name, value) in keywords {
            guard let unit = units[name] else { throw TemplateError("timedelta() has no argument '\(name)'", at: location) }
            total += try number(value) * unit
        }
        return duration(seconds: Int64(total.rounded()))
    }

    /// Date and duration arithmetic and comparison, as Python's: a datetime plus or minus a
    /// timedelta, the difference of two datetimes, and their order. Nil when neither side is one.
    static func timeArithmetic(_ op: JinjaOperator, _ left: JinjaValue, _ right: JinjaValue,
                               at location: SourceLocation) throws -> JinjaValue? {
        guard case .dict(let a) = left, case .dict(let b) = right else { return nil }
        switch (a.moment, a.duration, b.moment, b.duration) {
        case (let moment?, nil, nil, let delta?) where op == .plus || op == .minus:
            return shifted(moment, by: op == .plus ? delta : -delta)
        case (nil, let delta?, let moment?, nil) where op == .plus:
            return shifted(moment, by: delta)
        case (let first?, nil, let second?, nil):
            guard (first.offset == nil) == (second.offset == nil) else {
                throw TemplateError("cannot mix a naive and an aware datetime", at: location)
            }
            switch op {
            case .minus: return duration(seconds: first.instant - second.instant)
            case .less: return .bool(first.instant < second.instant)
            case .lessOrEqual: return .bool(first.instant <= second.instant)
            case .greater: return .bool(first.instant > second.instant)
            case .greaterOrEqual: return .bool(first.instant >= second.instant)
            case .equal: return .bool(first.instant == second.instant)
            case .notEqual: return .bool(first.instant != second.instant)
            default: return nil
            }
        case (nil, let first?, nil, let second?):
            switch op {
            case .plus: return duration(seconds: first + second)
            case .minus: return duration(seconds: first - second)
            default: return nil
            }
        default:
            return nil
        }
    }

    /// `moment` moved by `delta` seconds: on the wall clock for a naive one, as an instant for an aware one.
    private static func shifted(_ moment: JinjaMoment, by delta: Int64) -> JinjaValue {
        guard let offset = moment.offset else {
            var local = moment.days * 86_400 + (moment.seconds ?? 0) + delta
            let days = CivilDate.days(containing: local)
            local -= days * 86_400
            return dateTime(JinjaMoment(days: days, seconds: moment.seconds == nil ? nil : local, microseconds: moment.microseconds))
        }
        // pytz keeps the offset through arithmetic (`normalize` would move it); so does this.
        var shifted = JinjaMoment.at(moment.instant + delta + Int64(offset), microseconds: moment.microseconds, zone: nil)
        shifted.offset = offset
        shifted.zone = moment.zone
        return dateTime(shifted)
    }
}
