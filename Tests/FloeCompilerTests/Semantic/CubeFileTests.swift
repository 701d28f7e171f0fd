@testable import FloeCompiler
import FloeContract
import Foundation
import Testing

/// Cube data-model files under floe.yaml's `semantic.path`: read into the plan's cubes, their
/// refs resolved, and every mistake reported at its place, all at once.
@Suite struct CubeFileTests {
    static let models = [
        "models/orders.sql": "{{ config(materialized='table') }}select 1 as order_id, 2 as customer_id, 'paid' as status, '2024-01-01' as ordered_at, 10.0 as amount",
        "models/customers.sql": "{{ config(materialized='table') }}select 2 as customer_id, 'EMEA' as region",
        "models/helper.sql": "{{ config(materialized='ephemeral') }}select 1 as id",
    ]

    static func project(_ cubes: [String: String]) throws -> TestProject {
        var files = models
        for (path, text) in cubes { files["../cubes/" + path] = text }
        return try TestProject.dbt(files, floeExtra: "semantic: {path: cubes}\n")
    }

    @Test func cubesReachThePlanWithTheirRefsResolved() throws {
        let project = try Self.project(["orders.yml": """
            cubes:
              - name: Orders
                sql_table: "{{ ref('orders') }}"
                joins:
                  - { name: Customers, relationship: belongs_to, sql: "{CUBE}.customer_id = {Customers.customer_id}" }
                dimensions:
                  - { name: order_id, sql: order_id, type: number, primary_key: true }
                  - { name: status, sql: status, type: string }
                  - { name: ordered_at, sql: ordered_at, type: time }
                measures:
                  - { name: count, type: count, drill_members: [order_id, CUBE.status] }
                  - { name: revenue, sql: amount, type: sum, filters: [{sql: "{CUBE}.status = 'paid'"}] }
                  - { name: average, sql: "{revenue} / NULLIF({count}, 0)", type: number }
                pre_aggregations:
                  - { name: monthly, measures: [CUBE.count, Orders.revenue], dimensions: [CUBE.status],
                      time_dimension: CUBE.ordered_at, granularity: month, refresh_key: {every: 1 hour} }
            """, "nested/customers.yaml": """
            cubes:
              - name: Customers
                public: false
                sql: select * from {{ ref("customers") }} where region is not null
                dimensions:
                  - { name: customer_id, sql: customer_id, type: number, primary_key: true }
                  - name: area
                    type: string
                    case: { when: [{sql: "{CUBE}.region = 'EMEA'", label: Europe}], else: {label: Elsewhere} }
            """])
        let output = project.compile()
        #expect(project.messages().isEmpty, "\(project.messages())")
        let cubes = try #require(output.artifacts?.cubes)
        #expect(cubes.map(\.name) == ["Customers", "Orders"])
        let orders = cubes[1], customers = cubes[0]
        #expect(orders.sqlTable == #""floe-dev"."orders""#)
        #expect(orders.dependsOn == ["model.shop.orders"])
        #expect(orders.path == "cubes/orders.yml")
        #expect(orders.joins == [CubeJoin(name: "Customers", relationship: "many_to_one", sql: "{CUBE}.customer_id = {Customers.customer_id}")])
        #expect(orders.measures[1].filters == ["{CUBE}.status = 'paid'"])
        #expect(orders.preAggregations == [CubePreAggregation(
            name: "monthly", measures: ["Orders.count", "Orders.revenue"], dimensions: ["Orders.status"],
            timeDimension: "Orders.ordered_at", granularity: "month", refreshEvery: "1 hour")])
        #expect(customers.sql == #"select * from "floe-dev"."customers" where region is not null"#)
        #expect(!customers.isPublic)
        #expect(customers.dimensions[1].cases == [CubeCase(sql: "{CUBE}.region = 'EMEA'", label: "Europe")])
        #expect(customers.dimensions[1].caseElse == "Elsewhere")
        #expect(output.artifacts?.metadata.inputs.map(\.path).contains("cubes/nested/customers.yaml") == true)
    }

    @Test func everyMistakeIsReportedAtItsPlace() throws {
        let project = try Self.project(["a.yml": """
            cubes:
              - name: Orders
                sql_table: "{{ ref('order') }}"
                joins:
                  - { name: Customer, relationship: many_to_one, sql: "{CUBE}.customer_id = {Customers.id}" }
                dimensions:
                  - { name: order_id, sql: order_id, type: number, primary_key: true }
                  - { name: status, type: string }
                measures:
                  - { name: count, type: count }
                  - { name: revenue, type: sum }
                  - { name: status, sql: "{revenu} * 2", type: number }
                pre_aggregations:
                  - { name: daily, measures: [CUBE.cnt], time_dimension: CUBE.status, granularity: day }
              - name: Customers
                sql: "{{ ref('helper') }}"
                dimensions:
                  - { name: customer_id, sql: customer_id, type: number, primary_key: true }
              - name: Broken
                sql_table: orders
                dimensions:
                  - { name: id, sql: id, type: numbr }
            """, "b.yml": """
            cubes:
              - name: Orders
                sql_table: orders
            views:
              - name: everything
            """])
        #expect(project.messages() == [
            "cubes/a.yml:3:16: error: cubes[0].sql_table: ref('order') names no model\n  hint: did you mean 'orders'?",
            "cubes/a.yml:5:9: error: cubes[0].joins[0]: join to 'Customer', which is no cube\n  hint: did you mean 'Customers'?",
            "cubes/a.yml:5:9: error: cubes[0].joins[0]: {Customers.id} names no member of cube 'Customers'\n  hint: its members: customer_id",
            "cubes/a.yml:8:9: error: cubes[0].dimensions[1]: cube 'Orders' already has a member named 'status'\n"
                + "  hint: measures, dimensions and segments of a cube share one namespace",
            "cubes/a.yml:8:9: error: cubes[0].dimensions[1]: dimension 'status' needs sql or case\n  hint: write sql: the column or expression",
            "cubes/a.yml:11:9: error: cubes[0].measures[1]: measure 'revenue' of type sum needs sql\n  hint: write sql: the column or expression it aggregates",
            "cubes/a.yml:12:9: error: cubes[0].measures[2]: {revenu} names no member of cube 'Orders'\n  hint: did you mean 'revenue'?",
            "cubes/a.yml:14:35: error: cubes[0].pre_aggregations[0].measures[0]: 'Orders.cnt' is no measure of cube 'Orders'\n"
                + "  hint: its measures: count, revenue, status",
            "cubes/a.yml:14:62: error: cubes[0].pre_aggregations[0].time_dimension: 'Orders.status' is no time dimension of cube 'Orders'\n"
                + "  hint: its time dimensions: none",
            "cubes/a.yml:16:10: error: cubes[1].sql: ref('helper') names an ephemeral model, which has no table\n"
                + "  hint: materialize 'helper' as a table or view to build a cube on it",
            "cubes/a.yml:22:36: error: cubes[2].dimensions[0].type: invalid value 'numbr'; expected one of string, number, time or boolean\n"
                + "  hint: did you mean 'number'?",
            "cubes/b.yml:2:5: error: cubes[0]: cube 'Orders' is already defined in cubes/a.yml\n  hint: give each cube its own name",
            "cubes/b.yml:5:5: error: views[0]: missing required field 'cubes' in a view\n"
                + "  hint: add `cubes:` (the cubes whose members it offers)",
        ])
    }

    @Test func accessPoliciesAreReadWithTheirMembersQualifiedAndChecked() throws {
        let project = try Self.project(["orders.yml": """
            cubes:
              - name: Orders
                sql_table: "{{ ref('orders') }}"
                dimensions:
                  - { name: order_id, sql: order_id, type: number, primary_key: true }
                  - { name: status, sql: status, type: string }
                measures:
                  - { name: count, type: count }
                  - { name: revenue, sql: amount, type: sum }
                access_policy:
                  - role: "*"
                    member_level: { includes: "*", excludes: [revenue] }
                    row_level:
                      filters:
                        - { member: status, operator: equals, values: ["{ securityContext.status }"] }
                        - or:
                            - { member: CUBE.order_id, operator: gt, values: ["0"] }
                            - { member: Orders.order_id, operator: set }
                  - role: finance
                    member_level: { includes: [count, revenue, status] }
                    row_level: { allow_all: true }
            """])
        let cubes = try #require(project.compile().artifacts?.cubes)
        #expect(project.messages().isEmpty, "\(project.messages())")
        #expect(cubes[0].accessPolicy == [
            CubeAccessPolicy(role: "*", includes: nil, excludes: ["Orders.revenue"], rowFilters: [
                AccessFilter(member: "Orders.status", operator: "equals", values: ["{ securityContext.status }"]),
                AccessFilter(or: [AccessFilter(member: "Orders.order_id", operator: "gt", values: ["0"]),
                                  AccessFilter(member: "Orders.order_id", operator: "set")]),
            ]),
            CubeAccessPolicy(role: "finance", includes: ["Orders.count", "Orders.revenue", "Orders.status"]),
        ])
    }

    @Test func accessPolicyMistakesAreReportedAtTheirPlace() throws {
        let project = try Self.project(["orders.yml": """
            cubes:
              - name: Orders
                sql_table: "{{ ref('orders') }}"
                dimensions:
                  - { name: status, sql: status, type: string }
                measures:
                  - { name: count, type: count }
                access_policy:
                  - role: "*"
                    member_level: { includes: everything, excludes: [stauts] }
                    row_level:
                      filters:
                        - { member: region, operator: equals, values: ["{ securityContext.region }"] }
                        - { member: status, operator: equal, values: [a] }
                  - role: manager
                    row_level: {}
            """])
        _ = project.compile()
        #expect(project.messages() == [
            "cubes/orders.yml:10:35: error: cubes[0].access_policy[0].member_level.includes: expected \"*\" or a list of members, found a string\n"
                + "  hint: write includes: \"*\" or includes: [status, count]",
            "cubes/orders.yml:10:58: error: cubes[0].access_policy[0].member_level.excludes[0]: 'Orders.stauts' is no member of cube 'Orders'\n"
                + "  hint: did you mean 'status'?",
            "cubes/orders.yml:13:25: error: cubes[0].access_policy[0].row_level.filters[0]: 'Orders.region' is no measure or dimension of cube 'Orders'\n"
                + "  hint: its measures and dimensions: count, status",
            "cubes/orders.yml:14:43: error: cubes[0].access_policy[0].row_level.filters[1].operator: unknown filter operator 'equal'\n"
                + "  hint: did you mean 'equals'?",
            "cubes/orders.yml:16:20: error: cubes[0].access_policy[1].row_level: row_level needs filters or allow_all: true\n"
                + "  hint: write filters: [{member: region, operator: equals, values: [\"{ securityContext.region }\"]}]",
        ])
    }

    @Test func viewsOfferMembersOfJoinedCubesUnderOneName() throws {
        let yaml = """
            cubes:
              - name: Orders
                sql_table: "{{ ref('orders') }}"
                joins:
                  - { name: Customers, relationship: many_to_one, sql: "{CUBE}.customer_id = {Customers.customer_id}" }
                dimensions:
                  - { name: order_id, sql: order_id, type: number, primary_key: true }
                  - { name: status, sql: status, type: string }
                  - { name: secret, sql: status, type: string, public: false }
                measures:
                  - { name: count, type: count }
              - name: Customers
                sql_table: "{{ ref('customers') }}"
                dimensions:
                  - { name: customer_id, sql: customer_id, type: number, primary_key: true }
                  - { name: region, sql: region, type: string }
            views:
              - name: Sales
                cubes:
                  - { join_path: Orders, includes: "*", excludes: [order_id] }
                  - { join_path: Orders.Customers, prefix: true, includes: [region, {name: customer_id, alias: id, title: Customer}] }
              - name: Broken
                cubes:
                  - { join_path: Customers.Orders, includes: [region] }
                  - { join_path: Order.Customers }
                  - { join_path: Customers, includes: [regoin] }
                  - { join_path: Orders, includes: [count] }
              - name: Clash
                cubes:
                  - { join_path: Orders, includes: [count] }
                  - { join_path: Orders, includes: [count] }
              - name: Orders
                cubes:
                  - { join_path: Orders }
            """
        let project = try Self.project(["model.yml": yaml])
        #expect(project.messages() == [
            "cubes/model.yml:24:22: error: views[1].cubes[0].join_path: join_path 'Customers.Orders': cube 'Customers' has no join to 'Orders'\n"
                + "  hint: a join path follows the joins the cubes declare, in their direction",
            "cubes/model.yml:25:22: error: views[1].cubes[1].join_path: join_path 'Order.Customers' names no cube 'Order'\n  hint: did you mean 'Orders'?",
            "cubes/model.yml:26:44: error: views[1].cubes[2].includes: 'regoin' is no member of cube 'Customers'\n  hint: did you mean 'region'?",
            "cubes/model.yml:27:22: error: views[1].cubes[3].join_path: join_path 'Orders' starts at 'Orders', and the view's first path at 'Customers'\n"
                + "  hint: every join path of a view starts at the same cube",
            "cubes/model.yml:31:41: error: views[2].cubes[1].includes: view 'Clash' has two members named 'count' (from Orders and Orders)\n"
                + "  hint: set prefix: true, or give one an alias",
            "cubes/model.yml:32:5: error: views[3]: view 'Orders' has the name of a cube\n  hint: give the view its own name",
        ])
        let fixed = try Self.project(["model.yml": yaml.components(separatedBy: "  - name: Broken")[0]])
        let views = try #require(fixed.compile().artifacts?.views, "\(fixed.messages())")
        #expect(views == [CompiledView(name: "Sales", path: "cubes/model.yml", members: [
            ViewMember(name: "count", member: "Orders.count", joinPath: ["Orders"]),
            ViewMember(name: "status", member: "Orders.status", joinPath: ["Orders"]),
            ViewMember(name: "Customers_region", member: "Customers.region", joinPath: ["Orders", "Customers"]),
            ViewMember(name: "Customers_id", member: "Customers.customer_id", joinPath: ["Orders", "Customers"], title: "Customer"),
        ])])
    }

    @Test func membersOverMissingColumnsAndMembersThatReachThemselvesAreReported() throws {
        var files = Self.models
        files["../cubes/orders.yml"] = """
            cubes:
              - name: Orders
                sql_table: "{{ ref('orders') }}"
                dimensions:
                  - { name: order_id, sql: order_id, type: number, primary_key: true }
                  - { name: state, sql: "{CUBE}.statsu", type: string }
                  - { name: loop_a, sql: "{loop_b} || 'x'", type: string }
                  - { name: loop_b, sql: "{CUBE.loop_a}", type: string }
                measures:
                  - { name: revenue, sql: amount, type: sum }
                  - { name: total, sql: amt, type: sum }
            """
        let project = try TestProject.dbt(files, floeExtra: "semantic: {path: cubes}\n")
        #expect(project.messages() == [
            "cubes/orders.yml:6:9: warning: cubes[0].dimensions[1]: 'state' reads column 'statsu', which model 'orders' does not give: "
                + "queries and rollups that use it fail until the two agree\n"
                + "  hint: the model gives 'status': if that is a typo, fix it in dbt/models/orders.sql; else change this member's sql",
            "cubes/orders.yml:7:9: error: cubes[0].dimensions[2]: 'loop_a' refers to itself: loop_a → loop_b → loop_a\n"
                + "  hint: a member's SQL may use other members, but not itself through them",
            "cubes/orders.yml:8:9: error: cubes[0].dimensions[3]: 'loop_b' refers to itself: loop_b → loop_a → loop_b\n"
                + "  hint: a member's SQL may use other members, but not itself through them",
            "cubes/orders.yml:11:9: warning: cubes[0].measures[1]: 'total' reads column 'amt', which model 'orders' does not give: "
                + "queries and rollups that use it fail until the two agree\n"
                + "  hint: fix the column in dbt/models/orders.sql, or this member's sql; the model's columns: order_id, customer_id, status, ordered_at, amount",
        ])
    }

    @Test func joinsThatComeBackThroughOtherCubesAreAWarning() throws {
        var files = Self.models
        files["../cubes/cycle.yml"] = """
            cubes:
              - name: A
                sql_table: "{{ ref('orders') }}"
                joins: [{ name: B, relationship: many_to_one, sql: "{CUBE}.x = {B.id}" }]
                dimensions: [{ name: id, sql: order_id, type: number, primary_key: true }]
              - name: B
                sql_table: "{{ ref('orders') }}"
                joins:
                  - { name: A, relationship: one_to_many, sql: "{CUBE}.id = {A.id}" }
                  - { name: C, relationship: many_to_one, sql: "{CUBE}.x = {C.id}" }
                dimensions: [{ name: id, sql: order_id, type: number, primary_key: true }]
              - name: C
                sql_table: "{{ ref('orders') }}"
                joins: [{ name: A, relationship: many_to_one, sql: "{CUBE}.x = {A.id}" }]
                dimensions: [{ name: id, sql: order_id, type: number, primary_key: true }]
            """
        let project = try TestProject.dbt(files, floeExtra: "semantic: {path: cubes}\n")
        #expect(project.messages() == [
            "cubes/cycle.yml:4:13: warning: cubes[0].joins[0]: the joins form a cycle: A → B → C → A\n"
                + "  hint: a query joins along the shortest path from its first cube; a view's join_path fixes the path",
        ])
    }
}

/// Rollups floe cannot build are refused at compile, not at apply.
@Suite struct RollupCompileTests {
    @Test func partitionsMustBeMadeOfWholeGrainsAndRunningTotalsAreNotRolledUp() throws {
        var files = CubeFileTests.models
        files["../cubes/orders.yml"] = """
            cubes:
              - name: Orders
                sql_table: "{{ ref('orders') }}"
                dimensions:
                  - { name: ordered_at, sql: ordered_at, type: time }
                measures:
                  - { name: running, sql: amount, type: running_total }
                  - { name: revenue, sql: amount, type: sum }
                pre_aggregations:
                  - { name: weekly_parts, measures: [CUBE.revenue], time_dimension: CUBE.ordered_at, granularity: month, partition_granularity: week }
                  - { name: running, measures: [CUBE.running], time_dimension: CUBE.ordered_at, granularity: day, partition_granularity: month }
            """
        let project = try TestProject.dbt(files, floeExtra: "semantic: {path: cubes}\n")
        #expect(project.messages() == [
            "cubes/orders.yml:10:9: error: cubes[0].pre_aggregations[0]: pre-aggregation 'weekly_parts': a week partition is not made of whole months\n"
                + "  hint: make partition_granularity month, or a coarser grain made of it (days make weeks and months; months make quarters and years)",
            "cubes/orders.yml:11:37: error: cubes[0].pre_aggregations[1].measures[0]: 'Orders.running' is a running_total, which floe cannot roll up by a time granularity yet\n"
                + "  hint: leave it out of the pre-aggregation; queries compute it from the models",
        ])
    }
}

/// Which columns a model's SELECT shows, and when floe claims to know.
@Suite struct SelectColumnsTests {
    @Test func readsTheFirstTopLevelSelectList() {
        #expect(SelectColumns.of("select a, t.b, c as \"Cee\", count(*) as n from t group by 1") == ["a", "b", "Cee", "n"])
        #expect(SelectColumns.of("""
            with x as (select q, r from s), -- a comment, with a select in it
            y as (select * from x)
            select distinct y.q, sum(y.r) over (partition by y.q) as total /* , z */ from y
            union all select 1, 2
            """) == ["q", "total"])
        #expect(SelectColumns.of("select 'a, b' as text, 3 as n") == ["text", "n"])
        // An alias without AS is an alias to the parser, as it is to PostgreSQL.
        #expect(SelectColumns.of("select upper(a) b from t") == ["b"])
        #expect(SelectColumns.of("select `a`, `t`.`b` from `t`", flavor: .sqlite) == ["a", "b"])
    }

    @Test func claimsNothingWhenTheListIsNotPlain() {
        #expect(SelectColumns.of("select * from t") == nil)
        #expect(SelectColumns.of("select t.* from t") == nil)
        #expect(SelectColumns.of("select a + 1 from t") == nil)
        #expect(SelectColumns.of("select upper(a) from t") == nil)
        #expect(SelectColumns.of("not sql at all") == nil)
    }
}
