import FloeCore

/// `modules.itertools`, as dbt exposes Python's: `chain`, `product` (with `repeat=`),
/// `combinations`, `permutations`, `islice`, `groupby` (with `key=`, a function or an
/// attribute name) and `accumulate`. Results are lists; each tuple is a list.
extension JinjaModules {
    static func itertoolsModule() -> JinjaValue {
        func function(_ name: String, _ body: @escaping ([JinjaValue], [(String, JinjaValue)], JinjaCallContext) throws -> JinjaValue) -> (String, JinjaValue) {
            (name, .callable(JinjaCallable(name) { arguments, keywords, context in try body(arguments, keywords, context) }))
        }
        func items(_ value: JinjaValue?, _ name: String, _ context: JinjaCallContext) throws -> [JinjaValue] {
            guard let items = value?.iterated else {
                throw TemplateError("itertools.\(name)() takes iterables, got \(value?.typeName ?? "nothing")", at: context.location)
            }
            return items
        }
        func count(_ value: JinjaValue?, default fallback: Int? = nil, _ name: String, _ context: JinjaCallContext) throws -> Int {
            if case .integer(let number)? = value, number >= 0 { return number }
            if value == nil || value.map({ if case .none = $0 { return true } else { return false } }) == true, let fallback { return fallback }
            throw TemplateError("itertools.\(name)() takes a count of zero or more", at: context.location)
        }
        /// As `range()` is, the results are bounded: a template is not a way to exhaust memory.
        func bounded(_ size: Double, _ name: String, _ context: JinjaCallContext) throws {
            guard size <= Double(JinjaBuiltins.maximumRange) else {
                throw TemplateError("itertools.\(name)() would make more than \(JinjaBuiltins.maximumRange) items", at: context.location)
            }
        }
        return .dict([
            function("chain") { arguments, _, context in
                .list(try arguments.flatMap { try items($0, "chain", context) })
            },
            function("product") { arguments, keywords, context in
                let repeats = try count(keywords.first { $0.0 == "repeat" }?.1, default: 1, "product", context)
                let lists = try Array(repeating: arguments.map { try items($0, "product", context) }, count: repeats).flatMap { $0 }
                var result: [[JinjaValue]] = [[]]
                for list in lists { result = result.flatMap { prefix in list.map { prefix + [$0] } } }
                guard result.count <= JinjaBuiltins.maximumRange else {
                    throw TemplateError("itertools.product() would make more than \(JinjaBuiltins.maximumRange) items", at: context.location)
                }
                return .list(result.map(JinjaValue.list))
            },
            function("combinations") { arguments, _, context in
                let pool = try items(arguments.first, "combinations", context)
                let size = try count(arguments.count > 1 ? arguments[1] : nil, "combinations", context)
                try bounded(size > pool.count ? 0 : (0..<size).reduce(1.0) { $0 * Double(pool.count - $1) / Double($1 + 1) }, "combinations", context)
                var result: [[JinjaValue]] = []
                func pick(_ start: Int, _ chosen: [JinjaValue]) {
                    guard chosen.count < size else { result.append(chosen); return }
                    guard start < pool.count else { return }
                    for index in start..<pool.count { pick(index + 1, chosen + [pool[index]]) }
                }
                pick(0, [])
                return .list(result.map(JinjaValue.list))
            },
            function("permutations") { arguments, _, context in
                let pool = try items(arguments.first, "permutations", context)
                let size = try count(arguments.count > 1 ? arguments[1] : nil, default: pool.count, "permutations", context)
                try bounded(size > pool.count ? 0 : (0..<size).reduce(1.0) { $0 * Double(pool.count - $1) }, "permutations", context)
                var result: [[JinjaValue]] = []
                func pick(_ chosen: [Int]) {
                    guard chosen.count < size else { result.append(chosen.map { pool[$0] }); return }
                    for index in pool.indices where !chosen.contains(index) { pick(chosen + [index]) }
                }
                pick([])
                return .list(result.map(JinjaValue.list))
            },
            function("islice") { arguments, _, context in
                let pool = try items(arguments.first, "islice", context)
                let bounds = try arguments.dropFirst().map { try count($0, default: nil, "islice", context) }
                let (start, stop, step) = bounds.count == 1 ? (0, bounds[0], 1)
                    : (bounds.first ?? 0, bounds.count > 1 ? bounds[1] : pool.count, bounds.count > 2 ? max(bounds[2], 1) : 1)
                return .list(Array(stride(from: start, to: min(stop, pool.count), by: step)).map { pool[$0] })
            },
            function("groupby") { arguments, keywords, context in
                let pool = try items(arguments.first, "groupby", context)
                let key = keywords.first { $0.0 == "key" }?.1 ?? (arguments.count > 1 ? arguments[1] : .none)
                func keyOf(_ item: JinjaValue) throws -> JinjaValue {
                    switch key {
                    case .callable(let function): return try function.body([item], [], context)
                    case .string(let attribute): return JinjaBuiltins.attributePath(attribute, of: item)
                    default: return item
                    }
                }
                var groups: [(JinjaValue, [JinjaValue])] = []
                for item in pool {
                    let itemKey = try keyOf(item)
                    if let last = groups.last, last.0.equals(itemKey) {
                        groups[groups.count - 1].1.append(item)
                    } else {
                        groups.append((itemKey, [item]))
                    }
                }
                return .list(groups.map { .list([$0.0, .list($0.1)]) })
            },
            function("accumulate") { arguments, _, context in
                var total: JinjaValue?
                return .list(try items(arguments.first, "accumulate", context).map { item in
                    total = try total.map { try JinjaBuiltins.binary(.plus, $0, item, at: context.location) } ?? item
                    return total!
                })
            },
        ])
    }
}
