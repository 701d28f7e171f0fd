import FloeCore
import Foundation

/// dbt's `modules`: `datetime` (dates and datetimes with their attributes, `strftime`,
/// `isoformat`; `now()`/`utcnow()` are the compile's timestamp, so the same inputs make the same
/// plan) and `re` (`sub`, `search`, `match`, `fullmatch`, `findall`, `split`, `escape`, `compile`).
enum JinjaModules {
    /// `modules`, with `now` the compile's time in seconds since 1970.
    static func modules(now: Int64) -> JinjaValue {
        .dict([("datetime", datetimeModule(now: now)), ("re", reModule())])
    }

    // MARK: datetime

    /// The datetime of a moment, in seconds since 1970 (UTC).
    static func dateTime(secondsSince1970 seconds: Int64) -> JinjaValue {
        let days = day(of: seconds)
        return dateTime(days: days, seconds: seconds - days * 86_400)
    }

    /// The day (since 1970-01-01) a moment falls on.
    private static func day(of seconds: Int64) -> Int64 {
        seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    }

    /// A date (`time` nil) or a datetime, as a dict that prints as Python does and has Python's
    /// attributes and methods.
    static func dateTime(days: Int64, seconds: Int64?, microseconds: Int = 0) -> JinjaValue {
        let date = CivilDate.text(days: days)
        let parts = date.split(separator: "-").compactMap { Int($0) }
        var pairs: [(String, JinjaValue)] = [("year", .integer(parts[0])), ("month", .integer(parts[1])), ("day", .integer(parts[2]))]
        var printed = date
        if let seconds {
            pairs += [("hour", .integer(Int(seconds / 3600))), ("minute", .integer(Int(seconds / 60 % 60))),
                      ("second", .integer(Int(seconds % 60))), ("microsecond", .integer(microseconds))]
            printed += String(format: " %02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
            if microseconds != 0 { printed += String(format: ".%06d", microseconds) }
        }
        let weekday = Int((days % 7 + 7 + 3) % 7)  // 1970-01-01 was a Thursday; Monday is 0
        func method(_ name: String, _ body: @escaping ([JinjaValue], JinjaCallContext) throws -> JinjaValue) -> (String, JinjaValue) {
            (name, .callable(JinjaCallable(name) { arguments, _, context in try body(arguments, context) }))
        }
        pairs += [
            method("strftime") { arguments, _ in .string(strftime(arguments.first?.rendered ?? "", days: days, seconds: seconds ?? 0,
                                                                 microseconds: microseconds, weekday: weekday)) },
            method("isoformat") { _, _ in .string(printed.replacingOccurrences(of: " ", with: "T")) },
            method("weekday") { _, _ in .integer(weekday) },
            method("isoweekday") { _, _ in .integer(weekday + 1) },
            method("date") { _, _ in dateTime(days: days, seconds: nil) },
        ]
        return .dict(JinjaValue.DictBox(pairs, printed: printed))
    }

    private static func datetimeModule(now: Int64) -> JinjaValue {
        func days(_ arguments: [JinjaValue], at context: JinjaCallContext) throws -> Int64 {
            let numbers = arguments.prefix(3).compactMap { if case .integer(let n) = $0 { return n } else { return nil } }
            guard numbers.count == 3, let days = CivilDate.days(String(format: "%04d-%02d-%02d", numbers[0], numbers[1], numbers[2])) else {
                throw TemplateError("a date needs year, month and day as integers", at: context.location)
            }
            return days
        }
        let current = dateTime(secondsSince1970: now)
        let nowFunction = JinjaCallable("now") { _, _, _ in current }
        let todayValue = dateTime(days: day(of: now), seconds: nil)
        let today = JinjaCallable("today") { _, _, _ in todayValue }
        let dateFunction = JinjaCallable("date", members: ["today": .callable(today)]) { arguments, _, context in
            dateTime(days: try days(arguments, at: context), seconds: nil)
        }
        let datetimeFunction = JinjaCallable("datetime", members: ["now": .callable(nowFunction), "utcnow": .callable(nowFunction)]) { arguments, _, context in
            let day = try days(arguments, at: context)
            var time: [Int64] = [0, 0, 0]
            for (index, argument) in arguments.dropFirst(3).prefix(3).enumerated() {
                if case .integer(let number) = argument { time[index] = Int64(number) }
            }
            let seconds: Int64 = time[0] * 3600 + time[1] * 60 + time[2]
            return dateTime(days: day, seconds: seconds)
        }
        return .dict([("date", .callable(dateFunction)), ("datetime", .callable(datetimeFunction))])
    }

    /// Python's `strftime` codes: `%Y %y %m %d %H %M %S %f %j %A %a %B %b %p %%`, `%z` (+0000) and `%Z` (UTC).
    static func strftime(_ format: String, days: Int64, seconds: Int64, microseconds: Int, weekday: Int) -> String {
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
            case "z": output += "+0000"
            case "Z": output += "UTC"
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
                return .list(regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { result in
                    let range = result.numberOfRanges > 1 ? result.range(at: 1) : result.range
                    return .string(Range(range, in: text).map { String(text[$0]) } ?? "")
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
            return try NSRegularExpression(pattern: pattern?.rendered ?? "")
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
