"""Stock Cube clients from PyPI against a running `floe serve`, unchanged.

Usage: python cube_clients.py BASE_URL TOKEN
Prints one JSON object: what each client got, for the Swift test to compare with the warehouse.
A client that raises ends the script with its error on standard error and exit 1.
"""

import json
import sys

import cube_http
import cubejs_client
import httpx

base, token = sys.argv[1], sys.argv[2]
api = base + "/cubejs-api"

BY_STATUS = {"measures": ["Orders.count"], "dimensions": ["Orders.status"], "order": {"Orders.status": "asc"}}
# A relative range with spaces: sent by GET as `last+7+days`.
SINCE = {"measures": ["Orders.count"], "timeDimensions": [{"dimension": "Orders.order_date", "dateRange": "from 3000 days ago to now"}]}
COMPARE = {
    "measures": ["Orders.count"],
    "timeDimensions": [{"dimension": "Orders.order_date",
                        "compareDateRange": [["2024-01-01", "2024-01-31"], ["2024-02-01", "2024-02-29"]]}],
}
BLEND = [
    {"measures": ["Orders.count"], "timeDimensions": [{"dimension": "Orders.order_date", "granularity": "year"}]},
    {"measures": ["Orders.total_revenue"], "timeDimensions": [{"dimension": "Orders.order_date", "granularity": "year"}]},
]


def pairs(rows, key="Orders.status"):
    return [[row[key], row["Orders.count"]] for row in rows]


out = {}

# cube-http-client: POSTs every load with queryType=multi and validates the answer with pydantic.
with cube_http.Client({"url": api, "token": token}) as client:
    load = client.v1.load({"query": BY_STATUS})
    out["cube_http_load"] = pairs(load.results[0].data)
    out["cube_http_query_type"] = load.query_type
    since = client.v1.load({"query": SINCE})
    out["cube_http_since"] = since.results[0].data[0]["Orders.count"]
    meta = client.v1.meta()
    out["cube_http_cubes"] = sorted(cube.name for cube in meta.cubes)
    sql = client.v1.sql({"query": BY_STATUS})
    out["cube_http_sql"] = sql.sql.sql[0].lower().startswith("select")

# cubejs-client-python: the JS SDK's port, GET by default (POST for long URLs), pandas on top.
client = cubejs_client.cube(token, api_url=api + "/v1")
result = client.load(BY_STATUS)
out["cubejs_load"] = pairs(result.raw_data())
frame = result.to_pandas()
out["cubejs_pandas"] = [list(map(str, row)) for row in frame.itertuples(index=False)]
out["cubejs_since"] = client.load(SINCE).raw_data()[0]["Orders.count"]
compare = client.load(COMPARE)
out["cubejs_compare"] = [[part.raw_data()[0]["Orders.count"], part.raw_data()[0]["compareDateRange"]] for part in compare.decompose()]
# The client's load() cannot send a list (it turns it into a dict), so the blending query is
# POSTed as its JS original sends it, and the answer read with the client's ResultSet.
posted_blend = httpx.post(api + "/v1/load", json={"query": BLEND, "queryType": "multi"}, headers={"Authorization": token})
posted_blend.raise_for_status()
blend = cubejs_client.ResultSet(posted_blend.json())
out["cubejs_blend_series"] = [name["key"] if isinstance(name, dict) else name for name in blend.series_names()]
out["cubejs_blend_rows"] = [len(part.raw_data()) for part in blend.decompose()]
out["cubejs_compact"] = pairs(client.load(BY_STATUS, response_format="compact").raw_data())
out["cubejs_cubes"] = sorted(cube["name"] for cube in client.meta().cubes)
out["cubejs_dry_run"] = client.dry_run(BY_STATUS)["queryType"]
posted = cubejs_client.cube(token, api_url=api + "/v1", method="POST").load(BY_STATUS)
out["cubejs_post"] = pairs(posted.raw_data())
out["cubejs_readyz"] = client.readyz().healthy

print(json.dumps(out))
