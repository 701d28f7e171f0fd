import FloeContract
import FloeCore
import FloeEngine
import Foundation
@testable import FloeRuntime
import Testing

@Suite struct SyntheticGeneratorTests {
    static let customers = SyntheticTable(
        name: "customers", rows: 200, seed: 7,
        columns: [
            SyntheticColumn(name: "id", generator: "sequence", options: [:]),
            SyntheticColumn(name: "email", generator: "email", options: [:]),
            SyntheticColumn(name: "tier", generator: "choice",
                            options: ["values": .list([.string("gold"), .string("basic")]), "weights": .list([.integer(1), .integer(3)])]),
            SyntheticColumn(name: "joined", generator: "date", options: ["start": .string("2024-02-27"), "end": .string("2024-03-02")]),
        ],
        quality: DataQualityDefects(nullRate: 0.1, duplicateRate: 0.05))
    static let orders = SyntheticTable(
        name: "orders", rows: 500, seed: 9,
        columns: [
            SyntheticColumn(name: "customer_id", generator: "reference", options: ["table": .string("customers"), "column": .string("id")]),
            SyntheticColumn(name: "amount", generator: "decimal", options: ["min": .integer(1), "max": .integer(5), "scale": .integer(1)]),
            SyntheticColumn(name: "at", generator: "timestamp", options: ["start": .string("2024-01-01"), "end": .string("2024-01-01")]),
        ],
        quality: DataQualityDefects())

    @Test func theSameSeedGivesTheSameRows() {
        let first = SyntheticGenerator(scale: 1).generate([Self.orders, Self.customers])
        let second = SyntheticGenerator(scale: 1).generate([Self.orders, Self.customers])
        #expect(first.map(\.rows) == second.map(\.rows))
        #expect(first.map(\.name) == ["customers", "orders"], "referenced tables first")
        var reseeded = Self.customers
        reseeded.seed = 8
        #expect(SyntheticGenerator(scale: 1).generate([reseeded])[0].rows != first[0].rows)
    }

    @Test func valuesRespectTheirGeneratorsAndDefects() throws {
        let tables = SyntheticGenerator(scale: 1).generate([Self.customers, Self.orders])
        let customers = tables[0], orders = tables[1]
        #expect(customers.rows.count == 210, "200 rows plus 5% duplicates")
        #expect(customers.rows.prefix(200).map { $0[0] } == (1...200).map { .integer(Int64($0)) }, "keys are never nulled")
        let nulls = customers.rows.filter { $0[1] == .null }.count
        #expect((5...40).contains(nulls), "about 10% of e-mails are null, got \(nulls)")
        let tiers = customers.rows.compactMap { $0[2].displayText }
        #expect(Set(tiers).isSubset(of: ["gold", "basic"]))
        #expect(tiers.filter { $0 == "basic" }.count > tiers.filter { $0 == "gold" }.count, "weights 1:3")
        let dates = Set(customers.rows.compactMap { $0[3].displayText })
        #expect(dates.isSubset(of: ["2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01", "2024-03-02"]))
        let ids = Set(customers.rows.map { $0[0] })
        #expect(orders.rows.allSatisfy { ids.contains($0[0]) }, "references point at existing keys")
        #expect(orders.rows.allSatisfy {
            guard case .real(let amount) = $0[1] else { return false }
            return (1...5).contains(amount) && (amount * 10).rounded() == amount * 10
        })
        #expect(orders.rows.allSatisfy { ($0[2].displayText ?? "").hasPrefix("2024-01-01 ") })
        #expect(customers.columns.map(\.kind) == [.integer, .text, .text, .date])
    }

    /// Rows are made by position, never held: any row made alone equals the same row of a full
    /// scan, a duplicate is an earlier row made again, and late rows move back at most 30 days.
    @Test func rowsAreMadeByPositionAndDuplicatesRepeatEarlierRows() throws {
        var late = Self.customers
        late.quality = DataQualityDefects(duplicateRate: 0.1, lateArrivalRate: 0.5)
        let source = try #require(SyntheticGenerator(scale: 1).sources([late]).first)
        let scan = (0..<source.total).map { source.row($0) }
        #expect(source.total == 220)
        #expect(source.row(137) == scan[137], "a row made alone is the row a scan makes")
        for position in source.count..<source.total {
            #expect(scan[position] == scan[source.original(of: position)], "a duplicate repeats its original")
            #expect(source.original(of: position) < source.count)
        }
        var buffer = [SQLValue](repeating: .null, count: 8)
        source.fill(5, into: &buffer, at: 4)
        #expect(Array(buffer[4...]) == scan[5])
        let onTime = try #require(SyntheticGenerator(scale: 1).sources([Self.customers]).first)
        let moved = (0..<200).filter { scan[$0][3] != onTime.row($0)[3] && scan[$0][3] != .null && onTime.row($0)[3] != .null }
        #expect((60...140).contains(moved.count), "about half the rows arrive late, got \(moved.count)")
        for row in moved {
            let days = (CivilDate.days(onTime.row(row)[3].displayText ?? "") ?? 0) - (CivilDate.days(scan[row][3].displayText ?? "") ?? 0)
            #expect((1...30).contains(days), "row \(row) moved \(days) days")
        }
    }

    @Test func distributionsPatternsLocationsAndDerivedValues() throws {
        func column(_ name: String, _ generator: String, _ options: [String: ConfigValue] = [:]) -> SyntheticColumn {
            SyntheticColumn(name: name, generator: generator, options: options)
        }
        let people = SyntheticTable(name: "people", rows: 2000, seed: 3, columns: [
            column("id", "sequence"),
            column("full_name", "name"),
            column("email", "email", ["from": .string("full_name")]),
            column("handle", "username", ["from": .string("full_name")]),
            column("city", "city"), column("country", "country"), column("region", "region"),
            column("height", "normal", ["mean": .integer(170), "stddev": .integer(10), "scale": .integer(1)]),
            column("income", "log_normal", ["mu": .number(10), "sigma": .number(0.5)]),
            column("sku", "pattern", ["pattern": .string("SKU-####-??")]),
            column("seen_at", "event_time", ["start": .string("2024-01-01 08:00:00"), "interval_seconds": .integer(90)]),
            column("extra", "json", ["fields": .map(["source": .string("word"), "visits": .string("integer")])]),
            column("loaded", "loaded_at"),
            column("street", "street_address"),
        ], quality: DataQualityDefects())
        let orders = SyntheticTable(name: "orders", rows: 4000, seed: 4, columns: [
            column("person_id", "reference", ["table": .string("people"), "column": .string("id"), "skew": .integer(3)]),
        ], quality: DataQualityDefects())
        var generator = SyntheticGenerator(scale: 1)
        generator.loadedAt = "2026-11-29 10:00:00"
        let tables = generator.generate([people, orders])
        let rows = tables[0].rows
        for row in rows {
            let name = try #require(row[1].displayText).lowercased()
            let parts = name.split(separator: " ")
            #expect(row[2].displayText?.hasPrefix(parts.joined(separator: ".")) == true, "e-mail from \(name): \(row[2])")
            #expect(row[2].displayText?.hasSuffix("@example.com") == true)
            #expect(row[3].displayText?.hasPrefix(parts.joined(separator: "_")) == true)
            let place = FakeValues.locations.first { $0.city == row[4].displayText }
            #expect(place?.country == row[5].displayText && place?.region == row[6].displayText, "city, country and region agree")
            let sku = Array(try #require(row[9].displayText).utf8)
            #expect(sku.count == 11 && String(decoding: sku.prefix(4), as: UTF8.self) == "SKU-"
                && sku[4..<8].allSatisfy { (48...57).contains($0) } && sku[9...].allSatisfy { (65...90).contains($0) })
            let json = try #require(row[11].displayText)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect(Set(object.keys) == ["source", "visits"] && object["visits"] is Int)
            #expect(row[12] == .text("2026-11-29 10:00:00"))
        }
        let heights = rows.compactMap { if case .real(let value) = $0[7] { value } else { nil } }
        let mean = heights.reduce(0, +) / Double(heights.count)
        let deviation = (heights.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(heights.count)).squareRoot()
        #expect(abs(mean - 170) < 1 && abs(deviation - 10) < 1, "mean \(mean), stddev \(deviation)")
        let incomes = rows.compactMap { if case .real(let value) = $0[8] { value } else { nil } }.sorted()
        #expect(abs(incomes[incomes.count / 2] - exp(10)) < exp(10) * 0.1, "the median of a log-normal is e^mu")
        let times = rows.compactMap { $0[10].displayText }
        #expect(times == times.sorted(), "event times never go back")
        #expect(times.first?.hasPrefix("2024-01-01 08:0") == true)
        // Skew 3: the first tenth of the people get about half of the orders (uniform: a tenth).
        let early = tables[1].rows.filter { if case .integer(let id) = $0[0] { id <= 200 } else { false } }.count
        #expect((1600...2400).contains(early), "skewed references: \(early) of 4000 to the first 200")
    }

    /// Seed 001 §7: nulls where `null_columns` says, duplicates with the same key and a later
    /// timestamp, late rows at most `max_late_days` back; and the counts reported are the ones made.
    @Test func injectedDefectsFollowTheQualitySettingsAndAreCounted() throws {
        let table = SyntheticTable(name: "orders", rows: 4000, seed: 5, columns: [
            SyntheticColumn(name: "order_id", generator: "sequence", options: [:]),
            SyntheticColumn(name: "email", generator: "email", options: [:]),
            SyntheticColumn(name: "shipped_on", generator: "date", options: ["start": .string("2024-03-01"), "end": .string("2024-03-31")]),
            SyntheticColumn(name: "ordered_at", generator: "timestamp", options: ["start": .string("2024-03-01"), "end": .string("2024-03-31")]),
        ], quality: DataQualityDefects(nullRate: 0.05, duplicateRate: 0.02, lateArrivalRate: 0.1, nullColumns: ["email"], maxLateDays: 3))
        let source = try #require(SyntheticGenerator(scale: 1).sources([table]).first)
        var counts = InjectedDefects()
        let rows = (0..<source.total).map { source.row($0, counting: &counts) }
        #expect(counts.duplicates == 80 && rows.count == 4080)
        #expect((140...260).contains(counts.nulls), "about 5% of 4000 e-mails: \(counts.nulls)")
        #expect(rows.allSatisfy { $0[2] != .null && $0[3] != .null }, "only the named column gets nulls")
        #expect(counts.nulls == rows.prefix(4000).filter { $0[1] == .null }.count + rows.dropFirst(4000).filter { $0[1] == .null }.count)
        #expect((300...500).contains(counts.lateArrivals), "about 10%: \(counts.lateArrivals)")
        let earliest = try #require(rows.compactMap { $0[2].displayText }.min())
        #expect(earliest >= "2024-02-27", "late by at most 3 days: \(earliest)")
        for position in 4000..<4080 {
            let original = rows[source.original(of: position)]
            #expect(rows[position][0] == original[0] && rows[position][1] == original[1], "same key and values")
            #expect((rows[position][3].displayText ?? "") > (original[3].displayText ?? ""), "a later timestamp")
        }
    }

    @Test func expressionsComputeFromTheRow() throws {
        let items = SyntheticTable(name: "items", rows: 300, seed: 2, columns: [
            SyntheticColumn(name: "quantity", generator: "integer", options: ["min": .integer(1), "max": .integer(5)]),
            SyntheticColumn(name: "unit_price", generator: "decimal", options: ["min": .integer(1), "max": .integer(20)]),
            SyntheticColumn(name: "discount", generator: "decimal", options: ["min": .integer(0), "max": .integer(2)]),
            SyntheticColumn(name: "subtotal", generator: "expression", options: ["expression": .string("quantity * unit_price - discount")]),
            SyntheticColumn(name: "loop", generator: "expression", options: ["expression": .string("loop + 1")]),
        ], quality: DataQualityDefects(nullRate: 0.1, nullColumns: ["discount"]))
        let rows = try #require(SyntheticGenerator(scale: 1).generate([items]).first).rows
        for row in rows {
            guard case .integer(let quantity) = row[0], case .real(let price) = row[1] else { Issue.record("\(row)"); continue }
            if case .real(let discount) = row[2] {
                #expect(row[3] == .real(((Double(quantity) * price - discount) * 100).rounded() / 100))
            } else {
                #expect(row[3] == .null, "a NULL discount makes a NULL subtotal")
            }
            #expect(row[4] == .null, "an expression that reads itself is NULL, never a recursion")
        }
    }

    /// `per_parent`: each order gets 1 to 5 items, which carry its key; scale multiplies the
    /// orders, and the items follow them.
    @Test func childRowsPerParent() throws {
        let orders = SyntheticTable(name: "orders", rows: 500, seed: 1, columns: [
            SyntheticColumn(name: "order_id", generator: "uuid", options: [:]),
        ], quality: DataQualityDefects(duplicateRate: 0.02))
        let items = SyntheticTable(name: "order_items", rows: 0, seed: 2, columns: [
            SyntheticColumn(name: "item_id", generator: "sequence", options: [:]),
            SyntheticColumn(name: "order_id", generator: "parent", options: ["column": .string("order_id")]),
        ], quality: DataQualityDefects(), perParent: PerParent(table: "orders", min: 1, max: 5))
        let tables = SyntheticGenerator(scale: 1).generate([items, orders])
        #expect(tables.map(\.name) == ["orders", "order_items"], "the parent first")
        let orderIDs = tables[0].rows.prefix(500).map { $0[0] }
        let children = Dictionary(grouping: tables[1].rows, by: { $0[1] })
        #expect(Set(children.keys) == Set(orderIDs), "every order has items, and every item an order")
        #expect(children.values.allSatisfy { (1...5).contains($0.count) })
        #expect((1200...1800).contains(tables[1].rows.count), "about 3 items per order: \(tables[1].rows.count)")
        let itemKeys = tables[1].rows.map { $0[1] }
        #expect(itemKeys == itemKeys.sorted { orderIDs.firstIndex(of: $0)! < orderIDs.firstIndex(of: $1)! }, "in parent order")
        let doubled = SyntheticGenerator(scale: 2).generate([orders, items])
        #expect(doubled[0].rows.count == 1020 && doubled[1].rows.count > 2 * 1200)
    }

    @Test func scaleMultipliesRows() {
        #expect(SyntheticGenerator(scale: 0.5).generate([Self.orders])[0].rows.count == 250)
        #expect(SyntheticGenerator(scale: 0).generate([Self.orders])[0].rows.isEmpty)
    }
}
