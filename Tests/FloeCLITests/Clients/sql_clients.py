"""The SQL clients people use, unchanged, against floe serve's SQL API (PostgreSQL wire protocol).

Usage: sql_clients.py HOST SQL_PORT HTTP_PORT TOKEN ANALYST_PASSWORD AUDITOR_PASSWORD CLAIMLESS_TOKEN

Runs each query through psycopg 3's extended protocol (bound parameters), its named prepared
statements, and its client-side cursor (the simple protocol), and asks /cubejs-api/v1/load the
same question with the same token; then SQLAlchemy's inspector, logins with passwords
(SCRAM-SHA-256 and MD5), refusals, and injection attempts. Prints one JSON object.
"""
import datetime
import decimal
import json
import sys
import urllib.parse
import urllib.request

import psycopg
import sqlalchemy
from sqlalchemy import create_engine, inspect, text

host, port, http_port, token, analyst_password, auditor_password, claimless = sys.argv[1:8]


def value(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, decimal.Decimal):
        return number(v)
    if isinstance(v, datetime.datetime):
        return v.isoformat(sep="T", timespec="milliseconds")
    return str(v)


def number(d):
    """A decimal as Cube writes numbers: integers without a point."""
    return str(int(d)) if d == d.to_integral_value() else str(d)


def rows(records):
    return [[value(v) for v in record] for record in records]


def load(query, members):
    url = f"http://{host}:{http_port}/cubejs-api/v1/load?" + urllib.parse.urlencode({"query": json.dumps(query)})
    request = urllib.request.Request(url, headers={"Authorization": token})
    with urllib.request.urlopen(request) as answer:
        data = json.load(answer)["data"]
    out = []
    for row in data:
        record = []
        for member in members:
            v = row.get(member)
            if isinstance(v, bool):
                v = "true" if v else "false"
            elif isinstance(v, str) and member.endswith((".month", ".order_date")) and "T" in v:
                v = v  # Cube's 2024-01-01T00:00:00.000, as isoformat writes it
            elif isinstance(v, str):
                try:
                    v = number(decimal.Decimal(v))
                except decimal.InvalidOperation:
                    pass
            record.append(v)
        out.append(record)
    return out


dsn = f"host={host} port={port} user=alice dbname=shop password={token}"
result = {}

cases = {
    "by_status": (
        'SELECT status, MEASURE(count) AS orders FROM "Orders" GROUP BY 1 ORDER BY 1', None,
        {"measures": ["Orders.count"], "dimensions": ["Orders.status"], "order": {"Orders.status": "asc"}},
        ["Orders.status", "Orders.count"]),
    "bound_status": (
        'SELECT status, MEASURE(count) FROM "Orders" WHERE status = %s GROUP BY status', ["shipped"],
        {"measures": ["Orders.count"], "dimensions": ["Orders.status"],
         "filters": [{"member": "Orders.status", "operator": "equals", "values": ["shipped"]}]},
        ["Orders.status", "Orders.count"]),
    "monthly_revenue": (
        "SELECT DATE_TRUNC('month', order_date) AS month, SUM(total_revenue) AS revenue FROM \"Orders\" "
        "WHERE order_date >= %s AND order_date < %s GROUP BY 1 ORDER BY 1",
        [datetime.datetime(2024, 1, 1), datetime.datetime(2024, 4, 1)],
        {"measures": ["Orders.total_revenue"], "timeDimensions": [{"dimension": "Orders.order_date", "granularity": "month"}],
         "filters": [{"member": "Orders.order_date", "operator": "gte", "values": ["2024-01-01 00:00:00"]},
                     {"member": "Orders.order_date", "operator": "lt", "values": ["2024-04-01 00:00:00"]}],
         "order": {"Orders.order_date": "asc"}},
        ["Orders.order_date.month", "Orders.total_revenue"]),
    "having_in_limit": (
        "SELECT status, MEASURE(count) FROM \"Orders\" WHERE status IN ('delivered', 'shipped', 'pending') "
        "GROUP BY 1 HAVING MEASURE(count) > %s ORDER BY 2 DESC LIMIT %s", [100, 2],
        {"measures": ["Orders.count"], "dimensions": ["Orders.status"],
         "filters": [{"member": "Orders.status", "operator": "equals", "values": ["delivered", "shipped", "pending"]},
                     {"member": "Orders.count", "operator": "gt", "values": ["100"]}],
         "order": {"Orders.count": "desc"}, "limit": 2},
        ["Orders.status", "Orders.count"]),
    "ungrouped": (
        "SELECT order_id, status FROM \"Orders\" WHERE status = 'pending' ORDER BY order_id LIMIT 5", None,
        {"dimensions": ["Orders.order_id", "Orders.status"], "ungrouped": True, "limit": 5, "order": {"Orders.order_id": "asc"},
         "filters": [{"member": "Orders.status", "operator": "equals", "values": ["pending"]}]},
        ["Orders.order_id", "Orders.status"]),
    "ilike_and_segment": (
        "SELECT status, COUNT(*) FROM \"Orders\" WHERE status ILIKE %s AND delivered GROUP BY 1", ["%DELIV%"],
        {"measures": ["Orders.count"], "dimensions": ["Orders.status"], "segments": ["Orders.delivered"],
         "filters": [{"member": "Orders.status", "operator": "contains", "values": ["DELIV"]}]},
        ["Orders.status", "Orders.count"]),
    "view": (
        'SELECT customers_region, MEASURE(count) AS n, MEASURE(total_revenue) FROM "OrdersOverview" GROUP BY 1 ORDER BY 1', None,
        {"measures": ["OrdersOverview.count", "OrdersOverview.total_revenue"], "dimensions": ["OrdersOverview.Customers_region"],
         "order": {"OrdersOverview.Customers_region": "asc"}},
        ["OrdersOverview.Customers_region", "OrdersOverview.count", "OrdersOverview.total_revenue"]),
}

with psycopg.connect(dsn, autocommit=True) as conn:
    for name, (sql, params, query, members) in cases.items():
        extended = rows(conn.execute(sql, params).fetchall())
        prepared = rows(conn.execute(sql, params, prepare=True).fetchall())
        with psycopg.ClientCursor(conn) as simple:
            simple.execute(sql, params)
            simple_rows = rows(simple.fetchall())
        result[name] = {"extended": extended, "prepared": prepared, "simple": simple_rows, "load": load(query, members)}
    cursor = conn.execute('SELECT status, MEASURE(count) AS orders, DATE_TRUNC(\'year\', order_date) FROM "Orders" GROUP BY 1, 3 LIMIT 1')
    result["description"] = [[c.name, c.type_code] for c in cursor.description]
    result["server_version"] = conn.info.server_version
    result["binary"] = rows(conn.cursor(binary=True).execute('SELECT status, MEASURE(count) FROM "Orders" GROUP BY 1 ORDER BY 1').fetchall())

    # Injection: values are bound, never spliced; identifiers are names, never SQL.
    injected = "shipped' OR '1'='1"
    result["inject_value_extended"] = rows(conn.execute('SELECT status, MEASURE(count) FROM "Orders" WHERE status = %s GROUP BY 1', [injected]).fetchall())
    with psycopg.ClientCursor(conn) as simple:
        simple.execute('SELECT status, MEASURE(count) FROM "Orders" WHERE status = %s GROUP BY 1', [injected])
        result["inject_value_simple"] = rows(simple.fetchall())
    result["inject_like"] = rows(conn.execute('SELECT status, MEASURE(count) FROM "Orders" WHERE status ILIKE %s GROUP BY 1', ["%' OR 1=1 --%"]).fetchall())
    errors = {}
    for name, sql, params in [
        ("identifier", 'SELECT "status"" FROM x; --" FROM "Orders"', None),
        ("table", 'SELECT status FROM "Orders; DROP TABLE stg_orders"', None),
        ("limit", 'SELECT status FROM "Orders" GROUP BY 1 LIMIT %s', ["1; DROP TABLE stg_orders"]),
        ("stacked_simple", 'SELECT status FROM "Orders" GROUP BY 1; DROP TABLE stg_orders', None),
        ("stacked_extended", 'SELECT status FROM "Orders" WHERE status = %s GROUP BY 1; DROP TABLE stg_orders', ["x"]),
        ("write", "DELETE FROM \"Orders\"", None),
        ("function", "SELECT pg_catalog.pg_read_file('/etc/passwd')", None),
    ]:
        try:
            conn.execute(sql, params)
            errors[name] = None
        except psycopg.Error as error:
            errors[name] = [error.sqlstate, error.diag.message_primary]
    result["injection_errors"] = errors
    result["after_errors"] = rows(conn.execute('SELECT COUNT(*) FROM "Orders"').fetchall())

# A transaction as SQLAlchemy and psycopg open them, with an error inside: rolled back, then usable.
with psycopg.connect(dsn) as conn:
    try:
        conn.execute('SELECT nothing FROM "Orders"')
    except psycopg.Error as error:
        result["in_transaction_error"] = error.sqlstate
    conn.rollback()
    result["after_rollback"] = rows(conn.execute('SELECT COUNT(*) FROM "Orders"').fetchall())

# SQLAlchemy's PostgreSQL dialect, over psycopg 3.
engine = create_engine(f"postgresql+psycopg://alice:{urllib.parse.quote(token, safe='')}@{host}:{port}/shop")
inspector = inspect(engine)
result["sqlalchemy_tables"] = inspector.get_table_names()
result["sqlalchemy_views"] = inspector.get_view_names()
result["sqlalchemy_schemas"] = inspector.get_schema_names()
result["sqlalchemy_columns"] = [[c["name"], str(c["type"]), "NULL" if c["nullable"] else "NOT NULL"] for c in inspector.get_columns("Orders")]
result["sqlalchemy_has_table"] = [str(inspector.has_table("Orders")), str(inspector.has_table("nope"))]
with engine.connect() as connection:
    result["sqlalchemy_query"] = rows(connection.execute(text('SELECT status, MEASURE(count) FROM "Orders" WHERE status = :s GROUP BY 1'), {"s": "shipped"}).fetchall())
engine.dispose()

# Users of platform.yaml: SCRAM-SHA-256 and MD5 passwords, each with its security context.
def login(user, password, sql='SELECT status, MEASURE(count) FROM "Orders" GROUP BY 1 ORDER BY 1'):
    try:
        with psycopg.connect(f"host={host} port={port} user={user} dbname=shop password={password}", autocommit=True) as conn:
            return {"rows": rows(conn.execute(sql).fetchall())}
    except psycopg.Error as error:
        return {"error": [error.sqlstate or "none", str(error).strip().splitlines()[0]]}

result["scram_user"] = login("analyst", analyst_password)
result["md5_user"] = login("auditor", auditor_password)
# __user: the auditor (can_switch_user) runs a query as the analyst; the analyst may not switch.
as_analyst = 'SELECT status, MEASURE(count) FROM "Orders" WHERE __user = \'analyst\' GROUP BY 1 ORDER BY 1'
result["switched_user"] = login("auditor", auditor_password, as_analyst)
result["switch_refused"] = login("analyst", analyst_password, as_analyst.replace("analyst", "auditor"))
result["wrong_password"] = login("analyst", analyst_password + "x")
result["bad_token"] = login("alice", token[:-4] + "AAAA")
result["no_password"] = login("alice", "")
result["claimless_token"] = login("alice", claimless)
print(json.dumps(result))
