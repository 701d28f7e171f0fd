"""dagster-floe on the e-commerce demo, materialized with Dagster's own `materialize()`."""

import sqlite3
from pathlib import Path

import dagster as dg
import pytest

from dagster_floe import FloeError, floe_assets


def assets(product: Path, floe: str) -> list[dg.AssetsDefinition]:
    return floe_assets(product, floe=floe, platform=product / "platform.yaml")


def key(name: str) -> dg.AssetKey:
    return dg.AssetKey([name])


def test_specs_follow_the_plan(ecommerce: Path, floe_binary: str) -> None:
    definition = assets(ecommerce, floe_binary)[0]
    specs = {spec.key: spec for spec in definition.specs}
    # Four synthetic tables, one seed, seven models (three more are ephemeral), the Orders rollup.
    assert len(specs) == 13
    assert {name for name in ["raw_orders", "order_statuses", "stg_orders", "mart_revenue",
                              "orders__by_status_and_month"]} <= {k.path[-1] for k in specs}
    assert key("int_order_items_enriched") not in specs
    # mart_revenue reads the ephemeral int_order_items_enriched: its inputs are what that reads.
    assert {dep.asset_key for dep in specs[key("mart_revenue")].deps} == {
        key(name) for name in ["stg_order_items", "stg_orders", "stg_products", "stg_customers", "order_statuses"]}
    stg_orders = specs[key("stg_orders")]
    # A source the synthetic generator fills is read through its table.
    assert [dep.asset_key for dep in stg_orders.deps] == [key("raw_orders")]
    assert stg_orders.group_name == "staging"
    assert stg_orders.owners == ["team:data-engineering"]
    assert stg_orders.tags["staging"] == ""
    assert stg_orders.kinds == {"floe", "sql"}
    assert stg_orders.description == "One row per order, its latest version."
    assert stg_orders.metadata["dagster/relation_identifier"] == "floe-dev.stg_orders"
    assert specs[key("mart_revenue")].group_name == "marts"
    assert specs[key("raw_orders")].group_name == "synthetic"
    assert specs[key("order_statuses")].group_name == "seeds"
    rollup = specs[key("orders__by_status_and_month")]
    assert rollup.group_name == "cubes"
    assert [dep.asset_key for dep in rollup.deps] == [key("stg_orders")]
    checks = {(check.asset_key, check.name) for check in definition.check_specs}
    assert (key("mart_revenue"), "unique_mart_revenue_order_month") in checks
    # A source's test checks the synthetic table that fills it; a singular test its one model.
    assert (key("raw_customers"), "source_not_null_raw_raw_customers_customer_id") in checks
    assert (key("mart_revenue"), "assert_revenue_by_region_sums_to_total") in checks
    # Every one of the demo's 22 tests checks one asset.
    assert len(checks) == 22
    # Dagster accepts them as one code location's definitions.
    dg.Definitions(assets=[definition]).resolve_asset_graph()


def test_materialize_everything(ecommerce: Path, floe_binary: str) -> None:
    result = dg.materialize(assets(ecommerce, floe_binary))
    assert result.success
    materialized = {event.asset_key: event.materialization.metadata for event in result.get_asset_materialization_events()}
    assert len(materialized) == 13
    warehouse = sqlite3.connect(ecommerce / ".floe" / "dev.db")
    for name in ["raw_orders", "mart_revenue", "orders__by_status_and_month"]:
        (rows,) = warehouse.execute(f'select count(*) from "{name}"').fetchone()
        assert materialized[key(name)]["dagster/row_count"].value == rows
    checks = result.get_asset_check_evaluations()
    assert len(checks) == 22 and all(check.passed for check in checks)
    # Again: floe leaves everything up to date, and says so.
    again = dg.materialize(assets(ecommerce, floe_binary))
    statuses = {event.asset_key: event.materialization.metadata["floe/status"].value
                for event in again.get_asset_materialization_events()}
    assert len(statuses) == 13
    assert set(statuses.values()) == {"up_to_date"}, statuses


def test_materialize_a_selection(ecommerce: Path, floe_binary: str) -> None:
    definitions = assets(ecommerce, floe_binary)
    # stg_orders' relationship test reads the seed, so the seed is selected too.
    result = dg.materialize(definitions, selection=["order_statuses", "stg_orders", "orders__by_status_and_month"])
    assert result.success
    assert {event.asset_key for event in result.get_asset_materialization_events()} == {
        key("order_statuses"), key("stg_orders"), key("orders__by_status_and_month")}
    # Exactly the selected assets' checks ran: not stg_order_items' test that also reads stg_orders.
    assert {check.asset_key for check in result.get_asset_check_evaluations()} == {key("order_statuses"), key("stg_orders")}
    assert len(result.get_asset_check_evaluations()) == 6
    warehouse = sqlite3.connect(ecommerce / ".floe" / "dev.db")
    tables = {row[0] for row in warehouse.execute("select name from sqlite_master")}
    assert "orders__by_status_and_month" in tables and "mart_revenue" not in tables


def test_a_failing_model_fails_the_step_with_its_file_and_sql(ecommerce: Path, floe_binary: str) -> None:
    model = ecommerce / "dbt" / "models" / "marts" / "mart_revenue.sql"
    model.write_text(model.read_text().replace("select\n    order_month", "selec\n    order_month", 1))
    result = dg.materialize(assets(ecommerce, floe_binary), raise_on_error=False)
    assert not result.success
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert key("stg_orders") in materialized and key("mart_revenue") not in materialized
    failure = next(event for event in result.all_events if event.event_type_value == "STEP_FAILURE")
    message = failure.event_specific_data.error.message
    assert "model mart_revenue (model.ecommerce.mart_revenue): near \"selec\": syntax error" in message
    assert "in dbt/models/marts/mart_revenue.sql" in message
    assert "selec\n    order_month" in message


def test_a_project_floe_refuses_says_why(ecommerce: Path, floe_binary: str) -> None:
    (ecommerce / "floe.yaml").write_text((ecommerce / "floe.yaml").read_text() + "\nunknown_field: 1\n")
    with pytest.raises(FloeError) as error:
        assets(ecommerce, floe_binary)
    assert "floe.yaml:" in str(error.value) and "unknown_field" in str(error.value)
