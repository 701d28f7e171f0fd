import FloeCore
import Foundation

/// dbt's `modules`: `datetime` (dates, datetimes and timedeltas with their attributes,
/// `strftime`, `isoformat`, `astimezone`, arithmetic; `now()`/`utcnow()` are the compile's
/// timestamp, so the same inputs make the same plan), `pytz` (`timezone(name)`, `utc`,
/// `localize`) and `re` (`sub`, `search`, `match`, `fullmatch`, `findall`, `split`, `escape`, `compile`).
package enum JinjaModules {
    /// `modules`, with `now` the compile's time in seconds since 1970.
    package static func modules(now: Int64) -> JinjaValue {
        .dict([("datetime", datetimeModule(now: now)), ("re", reModule()), ("pytz", pytzModule()), ("itertools", itertoolsModule())])
    }

    // MARK: datetime

    /// The datetime of a moment, in seconds since 1970 (UTC).
    package static func dateTime(secondsSince1970 seconds: Int64) -> JinjaValue {
        dateTime(JinjaMoment.at(seconds, zone: nil))
    }

    /// A date (`seconds` nil) or a naive datetime.
    package static func dateTime(days: Int64, seconds: Int64?, microseconds: Int = 0) -> JinjaValue {
        dateTime(JinjaMoment(days: days, seconds: seconds, microseconds: microseconds))
    }

    /// A date or datetime as a dict that prints as Python does and has Python's attributes and
    /// methods; an aware one prints its offset (`2024-01-01 09:00:00-08:00`).
    static func dateTime(_ moment: JinjaMoment) -> JinjaValue {
        let days = moment.days
        let date = CivilDate.text(days: days)
        let parts = date.split(separator: "-").compactMap { Int($0) }
        var pairs: [(String, JinjaValue)] = [("year", .integer(parts[0])), ("month", .integer(parts[1])), ("day", .integer(parts[2]))]
        var printed = date
        if let seconds = moment.seconds {
            pairs += [("hour", .integer(Int(seconds / 3600))), ("minute", .integer(Int(seconds / 60 % 60))),
                      ("second", .integer(Int(seconds % 60))), ("microsecond", .integer(moment.microseconds)),
                      ("tzinfo", moment.zone.map { zoneValue(JinjaZone(name: $0)) } ?? .none)]
            printed += String(format: " %02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
            if moment.microseconds != 0 { printed += String(format: ".%06d", moment.microseconds) }
            if let offset = moment.offset { printed += offsetText(offset, separator: ":") }
        }
        let weekday = Int((days % 7 + 7 + 3) % 7)  // 1970-01-01 was a Thursday; Monday is 0
        func method(_ name: String, _ body: @escaping ([JinjaValue], [(String, JinjaValue)], JinjaCallContext) throws -> JinjaValue) -> (String, JinjaValue) {
            (name, .callable(JinjaCallable(name) { arguments, keywords, context in try body(arguments, keywords, context) }))
        }
        pairs += [
            method("strftime") { arguments, _, _ in .string(strftime(arguments.first?.rendered ?? "", moment: moment, weekday: weekday)) },
            method("isoformat") { _, _, _ in .string(printed.replacingOccurrences(of: " ", with: "T")) },
            method("weekday") { _, _, _ in .integer(weekday) },
            method("isoweekday") { _, _, _ in .integer(weekday + 1) },
            method("date") { _, _, _ in dateTime(days: days, seconds: nil) },
            method("timestamp") { _, _, _ in .number(Double(moment.instant) + Double(moment.microseconds) / 1_000_000) },
            // The same instant on another zone's wall clock (a naive datetime is taken as UTC).
            method("astimezone") { arguments, _, context in
                guard case .dict(let box)? = arguments.first, let zone = box.zone else {
                    throw TemplateError("astimezone() takes a time zone, such as modules.pytz.timezone('UTC')", at: context.location)
                }
                return dateTime(JinjaMoment.at(moment.instant, microseconds: moment.microseconds, zone: zone))
            },
            method("replace") { _, keywords, context in
                var fields = ["year": parts[0], "month": parts[1], "day": parts[2], "hour": Int((moment.seconds ?? 0) / 3600),
                              "minute": Int((moment.seconds ?? 0) / 60 % 60), "second": Int((moment.seconds ?? 0) % 60),
                              "microsecond": moment.microseconds]
                var zone = moment.zone.map { JinjaZone(name: $0) }
                for (name, value) in keywords {
                    if name == "tzinfo" {
                        if case .dict(let box) = value { zone = box.zone } else { zone = nil }
                        continue
                    }
                    guard fields[name] != nil, case .integer(let number) = value else {
                        throw TemplateError("replace() has no integer argument '\(name)'", at: context.location)
                    }
                    fields[name] = number
                }
                return try makeDateTime(fields, zone: zone, isDate: moment.seconds == nil, at: context.location)
            },
        ]
        let box = JinjaValue.DictBox(pairs, printed: printed)
        box.moment = moment
        return .dict(box)
    }

    /// A date or datetime from its fields; an aware one gets the offset its zone has at that
    /// wall-clock time (pytz's `localize`).
    static func makeDateTime(_ fields: [String: Int], zone: JinjaZone?, isDate: Bool, at location: SourceLocation) throws -> JinjaValue {
        guard let year = fields["year"], let month = fields["month"], let day = fields["day"],
              let days = CivilDate.days(String(format: "%04d-%02d-%02d", year, month, day)) else {
            throw TemplateError("a date needs a valid year, month and day", at: location)
        }
        if isDate { return dateTime(days: days, seconds: nil) }
        let seconds = Int64((fields["hour"] ?? 0) * 3600 + (fields["minute"] ?? 0) * 60 + (fields["second"] ?? 0))
        var moment = JinjaMoment(days: days, seconds: seconds, microseconds: fields["microsecond"] ?? 0)
        if let zone {
            moment.offset = zone.offset(atLocal: days * 86_400 + seconds)
            moment.zone = zone.name
        }
        return dateTime(moment)
    }

    /// `datetime.fromisoformat`: `YYYY-MM-DD`, then `T` or a space and `HH:MM[:SS[.ffffff]]`, then an
    /// optional `+HH:MM` offset.
    static func parseISO(_ text: String, at location: SourceLocation) throws -> JinjaValue {
        let pattern = #"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?(?:([+-])(\d{2}):?(\d{2}))?$"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else {
            throw TemplateError("fromisoformat(): '\(text)' is not an ISO date or datetime", at: location)
        }
        func group(_ index: Int) -> String? {
            Range(match.range(at: index), in: text).map { String(text[$0]) }
        }
        var fields = ["year": Int(group(1)!)!, "month": Int(group(2)!)!, "day": Int(group(3)!)!]
        let hasTime = group(4) != nil
        if hasTime {
            fields["hour"] = Int(group(4)!)
            fields["minute"] = Int(group(5)!)
            fields["second"] = group(6).flatMap { Int($0) } ?? 0
            fields["microsecond"] = group(7).map { Int($0.padding(toLength: 6, withPad: "0", startingAt: 0)) ?? 0 } ?? 0
        }
        let value = try makeDateTime(fields, zone: nil, isDate: false, at: location)
        guard let sign = group(8), case .dict(let box) = value, var moment = box.moment else { return value }
        moment.offset = (sign == "-" ? -1 : 1) * (Int(group(9)!)! * 3600 + Int(group(10)!)! * 60)
        return dateTime(moment)
    }

    /// `datetime.strptime(text, format)` for the codes `%Y %m %d %H %M %S %f %z` and literal text.
    static func parse(_ text: String, format: String, at location: SourceLocation) throws -> JinjaValue {
        var pattern = "^", order: [Character] = []
        var characters = Array(format)[...]
        while let character = characters.popFirst() {
            guard character == "%", let code = characters.popFirst() else {
                pattern += NSRegularExpression.escapedPattern(for: String(character))
                continue
            }
            switch code {
            case "Y": pattern += #"(\d{4})"#
            case "m", "d", "H", "M", "S": pattern += #"(\d{1,2})"#
            case "f": pattern += #"(\d{1,6})"#
            case "z": pattern += #"([+-]\d{2}:?\d{2}|Z)"#
            case "%": pattern += "%"
            default: throw TemplateError("strptime(): the code %\(code) is not supported", at: location, hint: "use %Y %m %d %H %M %S %f %z")
            }
            if code != "%" { order.append(code) }
        }
        guard let regex = try? NSRegularExpression(pattern: pattern + "$"),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else {
            throw TemplateError("strptime(): '\(text)' does not match the format '\(format)'", at: location)
        }
        var fields = ["year": 1900, "month": 1, "day": 1]
        var offset: Int?
        let names: [Character: String] = ["Y": "year", "m": "month", "d": "day", "H": "hour", "M": "minute", "S": "second", "f": "microsecond"]
        for (index, code) in order.enumerated() {
            guard let range = Range(match.range(at: index + 1), in: text) else { continue }
            let found = String(text[range])
            if code == "z" {
                let digits = found.filter(\.isNumber)
                offset = found == "Z" ? 0 : (found.hasPrefix("-") ? -1 : 1) * ((Int(digits.prefix(2)) ?? 0) * 3600 + (Int(digits.suffix(2)) ?? 0) * 60)
            } else if let name = names[code] {
                fields[name] = code == "f" ? Int(found.padding(toLength: 6, withPad: "0", startingAt: 0)) : Int(found)
            }
        }
        let value = try makeDateTime(fields, zone: nil, isDate: false, at: location)
        guard let offset, case .dict(let box) = value, var moment = box.moment else { return value }
        moment.offset = offset
        return dateTime(moment)
    }

    private static func datetimeModule(now: Int64) -> JinjaValue {
        let names = ["year", "month", "day", "hour", "minute", "second", "microsecond"]
        func fields(_ arguments: [JinjaValue], _ keywords: [(String, JinjaValue)], at context: JinjaCallContext) throws
            -> (fields: [String: Int], zone: JinjaZone?) {
            var fields: [String: Int] = [:]
            var zone: JinjaZone?
            for (index, argument) in arguments.prefix(names.count).enumerated() {
                guard case .integer(let number) = argument else {
                    throw TemplateError("a date's \(names[index]) must be an integer, got \(argument.typeName)", at: context.location)
                }
                fields[names[index]] = number
            }
            if arguments.count > names.count, case .dict(let box) = arguments[names.count] { zone = box.zone }
            for (name, value) in keywords {
                if name == "tzinfo" {
                    if case .dict(let box) = value { zone = box.zone }
                    continue
                }
                guard names.contains(name), case .integer(let number) = value else {
                    throw TemplateError("a date has no integer argument '\(name)'", at: context.location)
                }
                fields[name] = number
            }
            return (fields, zone)
        }
        func zone(_ value: JinjaValue?) -> JinjaZone? {
            if case .dict(let box)? = value { return box.zone }
            return nil
        }
        let nowFunction = JinjaCallable("now") { arguments, keywords, _ in
            dateTime(JinjaMoment.at(now, zone: zone(arguments.first ?? keywords.first { $0.0 == "tz" }?.1)))
        }
        let utcNow = JinjaCallable("utcnow") { _, _, _ in dateTime(secondsSince1970: now) }
        let todayValue = dateTime(days: JinjaMoment.at(now, zone: nil).days, seconds: nil)
        let today = JinjaCallable("today") { _, _, _ in todayValue }
        let dateFunction = JinjaCallable("date", members: ["today": .callable(today)]) { arguments, keywords, context in
            let (values, _) = try fields(arguments, keywords, at: context)
            return try makeDateTime(values, zone: nil, isDate: true, at: context.location)
        }
        let fromISO = JinjaCallable("fromisoformat") { arguments, _, context in try parseISO(arguments.first?.rendered ?? "", at: context.location) }
        let strptime = JinjaCallable("strptime") { arguments, _, context in
            try parse(arguments.first?.rendered ?? "", format: arguments.count > 1 ? arguments[1].rendered : "", at: context.location)
        }
        // `datetime.today()`: the naive current date and time, as `now()` without a zone.
        let nowToday = JinjaCallable("today") { _, _, _ in dateTime(JinjaMoment.at(now, zone: nil)) }
        let datetimeFunction = JinjaCallable("datetime", members: ["now": .callable(nowFunction), "utcnow": .callable(utcNow),
                                                                    "today": .callable(nowToday),
                                                                    "fromisoformat": .callable(fromISO), "strptime": .callable(strptime)]) { arguments, keywords, context in
            let (values, zone) = try fields(arguments, keywords, at: context)
            return try makeDateTime(values, zone: zone, isDate: false, at: context.location)
        }
        let timedeltaFunction = JinjaCallable("timedelta") { arguments, keywords, context in
            try timedelta(arguments, keywords, at: context.location)
        }
        return .dict([("date", .callable(dateFunction)), ("datetime", .callable(datetimeFunction)),
                      ("timedelta", .callable(timedeltaFunction))])
    }

    /// Python's `strftime` codes: `%Y %y %m %d %H %M %S %f %j %A %a %B %b %p %%`, `%z` (the offset,
    /// empty when naive) and `%Z` (the zone's name, empty when naive).
    static func strftime(_ format: String, moment: JinjaMoment, weekday: Int) -> String {
        let days = moment.days, seconds = moment.seconds ?? 0, microseconds = moment.microseconds
        let date = CivilDate.text(days: days).split(separator: "-").compactMap { Int($0) }
        let (year, month, day) = (date[0], date[1], date[2])
        let dayOfYear = Int(days - (CivilDate.days(String(format: "%04d-01-01", year)) ?? days)) + 1
        let weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        var output = ""
        var characters = Array(format)[...]
        while let character = characters.popFirst() {
            guard character == "%", let code = characters.popFirst() else { output.append(character); continue }
            switch code {
            case "Y": output += String(format: "%04d", year)
            case "y": output += String(format: "%02d", year % 100)
            case "m": output += String(format: "%02d", month)
            case "d": output += String(format: "%02d", day)
            case "H": output += String(format: "%02d", seconds / 3600)
            case "I": output += String(format: "%02d", (seconds / 3600 + 11) % 12 + 1)
            case "p": output += seconds / 3600 < 12 ? "AM" : "PM"
            case "M": output += String(format: "%02d", seconds / 60 % 60)
            case "S": output += String(format: "%02d", seconds % 60)
            case "f": output += String(format: "%06d", microseconds)
            case "j": output += String(format: "%03d", dayOfYear)
            case "A": output += weekdays[weekday]
            case "a": output += String(weekdays[weekday].prefix(3))
            case "B": output += months[month - 1]
            case "b": output += String(months[month - 1].prefix(3))
            case "z": output += moment.offset.map { offsetText($0, separator: "") } ?? ""
            case "Z": output += moment.zone ?? ""
            case "%": output += "%"
            default: output += "%" + String(code)
            }
        }
        return output
    }

    // MARK: re

    private static func reModule() -> JinjaValue {
        func function(_ name: String, _ body: @escaping (NSRegularExpression, [JinjaValue], JinjaCallContext) throws -> JinjaValue) -> JinjaCallable {
            JinjaCallable(name) { arguments, _, context in
                try body(try compiled(arguments.first, at: context), Array(arguments.dropFirst()), context)
            }
        }
        let operations: [(String, (NSRegularExpression, [JinjaValue], JinjaCallContext) throws -> JinjaValue)] = [
            ("sub", { regex, arguments, _ in
                let replacement = pythonReplacement(arguments.first?.rendered ?? "")
                let text = arguments.count > 1 ? arguments[1].rendered : ""
                return .string(regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: replacement))
            }),
            ("search", { regex, arguments, _ in match(regex, arguments.first?.rendered ?? "", anchored: false, whole: false) }),
            ("match", { regex, arguments, _ in match(regex, arguments.first?.rendered ?? "", anchored: true, whole: false) }),
            ("fullmatch", { regex, arguments, _ in match(regex, arguments.first?.rendered ?? "", anchored: true, whole: true) }),
            ("findall", { regex, arguments, _ in
                let text = arguments.first?.rendered ?? ""
                // As Python's: the whole match without groups, the group with one, a tuple of them with more.
                return .list(regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { result in
                    func group(_ index: Int) -> JinjaValue {
                        .string(Range(result.range(at: index), in: text).map { String(text[$0]) } ?? "")
                    }
                    switch result.numberOfRanges {
                    case 1: return group(0)
                    case 2: return group(1)
                    default: return .list(JinjaValue.ListBox((1..<result.numberOfRanges).map(group)))
                    }
                })
            }),
            ("split", { regex, arguments, _ in
                let text = arguments.first?.rendered ?? ""
                var parts: [JinjaValue] = [], start = text.startIndex
                for result in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    guard let range = Range(result.range, in: text) else { continue }
                    parts.append(.string(String(text[start..<range.lowerBound])))
                    start = range.upperBound
                }
                return .list(parts + [.string(String(text[start...]))])
            }),
        ]
        var members: [(String, JinjaValue)] = operations.map { ($0.0, .callable(function($0.0, $0.1))) }
        members.append(("escape", .callable(JinjaCallable("escape") { arguments, _, _ in
            .string(NSRegularExpression.escapedPattern(for: arguments.first?.rendered ?? ""))
        })))
        members.append(("compile", .callable(JinjaCallable("compile") { arguments, _, context in
            let pattern = arguments.first ?? .string("")
            _ = try compiled(pattern, at: context)
            return .dict(operations.map { operation in
                (operation.0, .callable(JinjaCallable(operation.0) { rest, _, inner in
                    try operation.1(try compiled(pattern, at: inner), rest, inner)
                }))
            })
        })))
        return .dict(members)
    }

    private static func compiled(_ pattern: JinjaValue?, at context: JinjaCallContext) throws -> NSRegularExpression {
        do {
            return try PythonRegex.compile(pattern?.rendered ?? "")
        } catch {
            throw TemplateError("modules.re: '\(pattern?.rendered ?? "")' is not a regular expression", at: context.location)
        }
    }

    /// A match object (`group()`, `groups()`, `start()`, `end()`), or none.
    private static func match(_ regex: NSRegularExpression, _ text: String, anchored: Bool, whole: Bool) -> JinjaValue {
        let range = NSRange(text.startIndex..., in: text)
        guard let result = regex.firstMatch(in: text, options: anchored ? [.anchored] : [], range: range),
              !whole || result.range.length == range.length else { return .none }
        func group(_ index: Int) -> JinjaValue {
            guard index < result.numberOfRanges, let found = Range(result.range(at: index), in: text) else { return .none }
            return .string(String(text[found]))
        }
        let groups = (1..<max(1, result.numberOfRanges)).map(group)
        return .dict(JinjaValue.DictBox([
            ("group", .callable(JinjaCallable("group") { arguments, _, _ in
                if case .integer(let index)? = arguments.first { return group(index) }
                return group(0)
            })),
            ("groups", .callable(JinjaCallable("groups") { _, _, _ in .list(groups) })),
            ("start", .callable(JinjaCallable("start") { _, _, _ in .integer(result.range.location) })),
            ("end", .callable(JinjaCallable("end") { _, _, _ in .integer(result.range.location + result.range.length) })),
        ], printed: "<re.Match object>"))
    }

    /// Python's `\1` and `\g<1>` back-references as NSRegularExpression's `$1`.
    private static func pythonReplacement(_ text: String) -> String {
        var result = text.replacingOccurrences(of: "$", with: "\\$")
        result = result.replacingOccurrences(of: #"\\g<(\d+)>"#, with: "\\$$1", options: .regularExpression)
        result = result.replacingOccurrences(of: #"\\(\d)"#, with: "\\$$1", options: .regularExpression)
        return result
    }
}
