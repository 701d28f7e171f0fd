import FloeCore
import FloeEngine
@testable import FloeSemantic
import Testing

@Suite struct QueryParsingTests {
    func query(_ text: String) throws -> CubeQuery { try CubeQuery(json: try JSONValue.parse(text)) }

    func problem(_ text: String) -> String? {
        do {
            _ = try query(text)
            return nil
        } catch let error as SemanticError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func readsEveryPartOfACubeQuery() throws {
        let parsed = try query("""
            {"measures": ["Orders.count"], "dimensions": ["Orders.status"],
             "timeDimensions": [{"dimension": "Orders.order_date", "granularity": "month", "dateRange": ["2024-01-01", "2024-03-31"]}],
             "filters": [{"member": "Orders.status", "operator": "equals", "values": ["paid", 3]},
                         {"or": [{"member": "Customers.region", "operator": "set"}, {"and": []}]}],
             "segments": ["Orders.delivered"], "order": {"Orders.count": "desc", "Orders.status": "asc"},
             "limit": "70000", "offset": 5, "total": true, "timezone": "Europe/Paris", "ungrouped": false, "renewQuery": true}
            """)
        #expect(parsed.measures == ["Orders.count"])
        #expect(parsed.timeDimensions == [TimeDimensionQuery(dimension: "Orders.order_date", granularity: .month, dateRange: .absolute("2024-01-01", "2024-03-31"))])
        #expect(parsed.filters == [.member("Orders.status", .equals, ["paid", "3"]), .or([.member("Customers.region", .set, []), .and([])])])
        // The object form keeps the order it was written in.
        #expect(parsed.order == [OrderTerm(member: "Orders.count", descending: true), OrderTerm(member: "Orders.status", descending: false)])
        #expect(parsed.limit == 70_000 && parsed.effectiveLimit == 50_000, "a limit above Cube's maximum is capped")
        #expect(parsed.offset == 5 && parsed.total && parsed.timezone == "Europe/Paris")
        #expect(try query(#"{"measures": ["A.b"], "order": [["A.b", "asc"]]}"#).order == [OrderTerm(member: "A.b", descending: false)])
        #expect(try query(#"{"measures": ["A.b"]}"#).effectiveLimit == 10_000)
    }

    @Test func reportsEveryShapeProblemAtOnce() {
        let message = problem("""
            {"measures": "Orders.count", "timeDimensions": [{"dimension": "Orders.order_date", "granularity": "fortnight"}],
             "filters": [{"member": "Orders.status", "operator": "equal", "values": ["a"]}, {"member": "Orders.status", "operator": "gt", "values": []}],
             "order": {"Orders.count": "up"}, "limit": -1, "dimension": []}
            """)
        #expect(message == "measures: expected an array of member names, got a string; "
            + "timeDimensions[0].granularity: expected one of second, minute, hour, day, week, month, quarter, year; "
            + "filters[0].operator: unknown operator 'equal'; did you mean 'equals'?; "
            + "filters[1]: gt takes one value, got 0; order.Orders.count: expected asc or desc; "
            + "limit: expected a whole number of rows, 0 or more; unknown query key 'dimension'; did you mean 'dimensions'?")
    }

    @Test func refusesWhatIsNotJSONOrTooDeep() {
        #expect(throws: JSONValue.SyntaxError.self) { try JSONValue.parse(#"{"measures": ["a",]}"#) }
        #expect(throws: JSONValue.SyntaxError.self) { try JSONValue.parse(#"{"a": 1} x"#) }
        let deep = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(throws: JSONValue.SyntaxError.self) { try JSONValue.parse(deep) }
        let nested = String(repeating: #"{"and": ["#, count: 20) + String(repeating: "]}", count: 20)
        #expect(problem(#"{"measures": ["A.b"], "filters": [\#(nested)]}"#)?.contains("nest deeper than 16") == true)
    }

    @Test func jsonKeepsKeyOrderAndEscapesOnTheWayOut() throws {
        let value = try JSONValue.parse(#"{"z": 1, "a": "line\nbreak \"q\" \u00e9 \ud83d\ude00", "m": [true, null, -2.5e3]}"#)
        #expect(value.objectValue?.map(\.0) == ["z", "a", "m"])
        #expect(value["a"]?.stringValue == "line\nbreak \"q\" é 😀")
        #expect(value.text == #"{"z":1,"a":"line\nbreak \"q\" é 😀","m":[true,null,-2.5e3]}"#)
    }
}

@Suite struct DateRangeTests {
    /// Wednesday 15 May 2024, 10:30:15 on the wall clock.
    let now = CivilTimestamp("2024-05-15T10:30:15")!

    func bounds(_ phrase: String) throws -> String {
        let (from, to) = try DateRange.relative(phrase).bounds(now: now)
        return "\(from.text()) \(to.text())"
    }

    @Test func readsCubesRelativePhrases() throws {
        #expect(try bounds("today") == "2024-05-15T00:00:00.000 2024-05-15T23:59:59.999")
        #expect(try bounds("Yesterday") == "2024-05-14T00:00:00.000 2024-05-14T23:59:59.999")
        #expect(try bounds("this week") == "2024-05-13T00:00:00.000 2024-05-19T23:59:59.999")
        #expect(try bounds("last week") == "2024-05-06T00:00:00.000 2024-05-12T23:59:59.999")
        #expect(try bounds("this month") == "2024-05-01T00:00:00.000 2024-05-31T23:59:59.999")
        #expect(try bounds("last month") == "2024-04-01T00:00:00.000 2024-04-30T23:59:59.999")
        #expect(try bounds("last quarter") == "2024-01-01T00:00:00.000 2024-03-31T23:59:59.999")
        #expect(try bounds("this year") == "2024-01-01T00:00:00.000 2024-12-31T23:59:59.999")
        #expect(try bounds("next month") == "2024-06-01T00:00:00.000 2024-06-30T23:59:59.999")
        // "last N units" ends with the unit before the current one, as in Cube.
        #expect(try bounds("last 7 days") == "2024-05-08T00:00:00.000 2024-05-14T23:59:59.999")
        #expect(try bounds("last 3 months") == "2024-02-01T00:00:00.000 2024-04-30T23:59:59.999")
        #expect(try bounds("next 2 weeks") == "2024-05-20T00:00:00.000 2024-06-02T23:59:59.999")
        #expect(try bounds("from 30 days ago to now") == "2024-04-15T00:00:00.000 2024-05-15T10:30:15.000")
        #expect(try bounds("from 2 hours ago to now") == "2024-05-15T08:30:15.000 2024-05-15T10:30:15.000")
        #expect(try bounds("from 2024-01-01 to yesterday") == "2024-01-01T00:00:00.000 2024-05-14T23:59:59.999")
        #expect(throws: SemanticError.self) { try bounds("last fortnight") }
        #expect(throws: SemanticError.self) { try bounds("from now to 3 days ago") }
    }

    @Test func absoluteRangesEndAtTheEndOfTheirLastDay() throws {
        let (from, to) = try DateRange.absolute("2024-02-01", "2024-02-29").bounds(now: now)
        #expect(from.text() == "2024-02-01T00:00:00.000" && to.text() == "2024-02-29T23:59:59.999")
        let (_, exact) = try DateRange.absolute("2024-02-01", "2024-02-29T12:00:00").bounds(now: now)
        #expect(exact.text() == "2024-02-29T12:00:00.000")
        #expect(throws: SemanticError.self) { try DateRange.absolute("2024-13-01", "2024-02-29").bounds(now: now) }
        #expect(throws: SemanticError.self) { try DateRange.absolute("2024-03-01", "2024-02-01").bounds(now: now) }
    }

    @Test func monthStepsKeepTheDayWhereTheMonthHasIt() {
        let january31 = CivilTimestamp("2024-01-31 08:00:00")!
        #expect(CalendarMath.adding(1, .month, january31).text() == "2024-02-29T08:00:00.000")
        #expect(CalendarMath.adding(-13, .month, january31).text() == "2022-12-31T08:00:00.000")
        #expect(CalendarMath.startOf(.quarter, CivilTimestamp("2024-08-19")!).text() == "2024-07-01T00:00:00.000")
        #expect(CalendarMath.startOf(.week, CivilTimestamp("2024-01-01")!).text() == "2024-01-01T00:00:00.000", "1 Jan 2024 is a Monday")
    }
}
