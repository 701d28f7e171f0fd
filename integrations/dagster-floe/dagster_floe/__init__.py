"""Dagster assets from a floe data product (seed 002's orchestration).

    from dagster_floe import floe_assets
    defs = dagster.Definitions(assets=floe_assets("demo/data_engineering/ecommerce"))
"""

from .assets import asset_key, floe_assets, floe_definitions
from .plan import FloeError, FloePlan, FloeProject, read_plan

__all__ = ["asset_key", "floe_assets", "floe_definitions", "FloeError", "FloePlan", "FloeProject", "read_plan"]
__version__ = "0.1.0"
