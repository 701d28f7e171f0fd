"""PyPI's gql, unchanged, against floe serve's GraphQL API (/cubejs-api/graphql).

Usage: graphql_client.py HTTP_PORT TOKEN

gql fetches the schema by introspection and checks each query against it before sending it;
each answer is printed beside /cubejs-api/v1/load's for the same question and token.
"""
import json
import sys
import urllib.parse
import urllib.request

from gql import Client, gql
from gql.transport.exceptions import TransportQueryError, TransportServerError
from gql.transport.requests import RequestsHTTPTransport
from graphql import GraphQLError

port, token = sys.argv[1], sys.argv[2]
url = f"http://127.0.0.1:{port}/cubejs-api/graphql"


def load(query, members):
    address = f"http://127.0.0.1:{port}/cubejs-api/v1/load?" + urllib.parse.urlencode({"query": json.dumps(query)})
    with urllib.request.urlopen(urllib.request.Request(address, headers={"Authorization": token})) as answer:
        return [[row.get(m) for m in members] for row in json.load(answer)["data"]]


def text(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return None if value is None else str(value)


client = Client(transport=RequestsHTTPTransport(url=url, headers={"Authorization": token}), fetch_schema_from_transport=True)
result = {}
with client as session:
    result["types"] = sorted(t.name for t in client.schema.type_map.values() if not t.name.startswith("__"))
    answer = session.execute(gql("""
        query ByStatus($statuses: [String]) {
          cube(where: {orders: {status: {in: $statuses}}}, orderBy: {orders: {status: asc}}) {
            orders { count totalRevenue status }
          }
        }"""), variable_values={"statuses": ["shipped", "pending", "delivered"]})
    result["by_status"] = {
        "graphql": [[text(r["orders"]["status"]), text(r["orders"]["count"]), text(r["orders"]["totalRevenue"])] for r in answer["cube"]],
        "load": [[text(v) for v in row] for row in load(
            {"measures": ["Orders.count", "Orders.total_revenue"], "dimensions": ["Orders.status"],
             "filters": [{"member": "Orders.status", "operator": "equals", "values": ["shipped", "pending", "delivered"]}],
             "order": {"Orders.status": "asc"}}, ["Orders.status", "Orders.count", "Orders.total_revenue"])],
    }
    answer = session.execute(gql("""
        {
          cube(limit: 4, where: {orders: {orderDate: {inDateRange: ["2024-01-01", "2024-06-30"]}}}) {
            orders(orderBy: {orderDate: asc}) { count orderDate { month } }
          }
        }"""))
    result["monthly"] = {
        "graphql": [[r["orders"]["orderDate"]["month"], text(r["orders"]["count"])] for r in answer["cube"]],
        "load": [[v if i == 0 else text(v) for i, v in enumerate(row)] for row in load(
            {"measures": ["Orders.count"], "timeDimensions": [{"dimension": "Orders.order_date", "granularity": "month"}],
             "filters": [{"member": "Orders.order_date", "operator": "inDateRange", "values": ["2024-01-01", "2024-06-30"]}],
             "order": {"Orders.order_date": "asc"}, "limit": 4}, ["Orders.order_date.month", "Orders.count"])],
    }
    answer = session.execute(gql("""
        { cube(where: {OR: [{orders: {status: {equals: "shipped"}}}, {orders: {status: {equals: "pending"}}}]}) {
            ordersOverview { count customersRegion }
        } }"""))
    result["view_or"] = len(answer["cube"])
    try:
        session.execute(gql("{ cube { orders { nope } } }"))
        result["unknown_field"] = None
    except GraphQLError as error:
        result["unknown_field"] = str(error).splitlines()[0]

try:
    Client(transport=RequestsHTTPTransport(url=url, headers={"Authorization": "not-a-token"}), fetch_schema_from_transport=True).execute(
        gql("{ cube { orders { count } } }"))
    result["bad_token"] = None
except (TransportServerError, TransportQueryError) as error:
    result["bad_token"] = getattr(error, "code", None) or str(error)[:80]
print(json.dumps(result))
