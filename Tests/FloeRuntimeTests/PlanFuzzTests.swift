import FloeContract
import FloeCore
@testable import FloeRuntime
import Foundation
import Testing

/// Mutation fuzzing of plans: one field of a compiled plan at a time is given a value at an edge
/// (negative, huge, empty, a control byte, another type) or removed. Each mutated plan must be
/// refused with a message (decoding or ``PlanValidator``) or run to a result: never trap, never
/// hang. Bounded here (`FLOE_FUZZ_ITERATIONS`, default 60; seed `FLOE_FUZZ_SEED`);
/// `scripts/fuzz.sh` runs it longer.
@Suite struct PlanFuzzTests {
    static var numbers: [Any] { [-1, 0, 1, -0.02, 10000.03, 1e308, -1e308, 9_223_372_036_854_775_807, Int64.min, 0.5] }
    static var strings: [Any] {
        ["", "\u{1}", String(repeating: "x", count: 5000), "'; drop table orders; --", "../../..",
         "{{ ref('x') }}", "é\u{0}", "select", "not a hash"]
    }

    @Test func mutatedPlansAreRefusedOrRunNeverTrap() throws {
        let environment = ProcessInfo.processInfo.environment
        let iterations = environment["FLOE_FUZZ_ITERATIONS"].flatMap(Int.init).map { $0 / 20 } ?? 60
        var random = RandomSource(seed: environment["FLOE_FUZZ_SEED"].flatMap(Int.init) ?? 1, stream: "plan-fuzz")
        let shop = try Workspace(fixture: "shop")
        try shop.append("floe.yaml", """
            synthetic:
              raw_events:
                rows: 20
                seed: 3
                columns: {id: sequence, kind: {type: choice, values: [a, b]}, at: {type: date, start: "2024-01-01", end: "2024-02-01"},
                          amount: {type: decimal, min: 1, max: 9, scale: 2}, order_id: {type: reference, table: raw_events, column: id}}
                quality: {null_rate: 0.1, duplicate_rate: 0.1, late_arrival_rate: 0.1}

            """)
        let original = try #require(try JSONSerialization.jsonObject(with: shop.compile().encoded()) as? [String: Any])
        var ran = 0, refused = 0
        // FLOE_FUZZ_TRACE=1 prints each change before it runs: the last line names a hang or a trap.
        let trace = environment["FLOE_FUZZ_TRACE"] != nil
        for _ in 0..<iterations {
            var change = ""
            let mutated = Self.mutate(original, &random, change: &change)
            if trace { FileHandle.standardError.write(Data("plan fuzz: \(change)\n".utf8)) }
            guard let data = try? JSONSerialization.data(withJSONObject: mutated),
                  let plan = try? CompiledArtifacts.decode(data) else {
                refused += 1
                continue
            }
            let problems = PlanValidator.problems(in: plan)
            if !problems.isEmpty {
                refused += 1
                #expect(problems.allSatisfy { !$0.path.isEmpty && !$0.message.isEmpty })
                continue
            }
            ran += 1
            _ = try? shop.apply(plan: plan)
        }
        #expect(ran + refused == iterations)
    }

    /// One leaf (or one key) of the JSON tree changed; `change` says which and how.
    static func mutate(_ value: Any, _ random: inout RandomSource, change: inout String) -> Any {
        if var object = value as? [String: Any], !object.isEmpty {
            let keys = object.keys.sorted()
            let key = keys[Int(random.next() % UInt64(keys.count))]
            change += "." + key
            if random.next() % 12 == 0 {
                object.removeValue(forKey: key)
                change += " removed"
            } else {
                object[key] = mutate(object[key]!, &random, change: &change)
            }
            return object
        }
        if var array = value as? [Any], !array.isEmpty {
            let index = Int(random.next() % UInt64(array.count))
            change += "[\(index)]"
            switch random.next() % 10 {
            case 0:
                array.remove(at: index)
                change += " removed"
            case 1:
                array.append(array[index])
                change += " repeated"
            default: array[index] = mutate(array[index], &random, change: &change)
            }
            return array
        }
        let replacement: Any
        switch random.next() % 5 {
        case 0: replacement = strings[Int(random.next() % UInt64(strings.count))]
        case 1: replacement = value is String ? numbers[Int(random.next() % UInt64(numbers.count))] : [Any]()
        default:
            replacement = value is String ? strings[Int(random.next() % UInt64(strings.count))]
                : numbers[Int(random.next() % UInt64(numbers.count))]
        }
        change += " = \(String(describing: replacement).prefix(40))"
        return replacement
    }
}
