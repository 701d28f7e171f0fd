"""floe's nodes as Dagster assets, its tests as asset checks, materialized by `floe build`."""

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import dagster as dg

from .events import FloeBuild
from .plan import FloeNode, FloePlan, FloeProject

#: What Dagster's asset keys and tag keys may hold.
_UNSAFE = re.compile(r"[^A-Za-z0-9_\-./]")


def asset_key(node: FloeNode | str) -> dg.AssetKey:
    """A floe node's key: its name, as dagster-dbt keys a dbt model; a source as [source, table]."""
    if isinstance(node, FloeNode):
        return dg.AssetKey([node.name])
    # A source no synthetic table fills: source.<package>.<source>.<table>.
    parts = node.split(".")
    return dg.AssetKey(parts[2:] if parts[0] == "source" and len(parts) >= 4 else parts[-1:])


def _tags(node: FloeNode) -> dict[str, str]:
    """dbt's tags as Dagster's key-only tags (dagster-dbt's convention), and where it runs."""
    return {_UNSAFE.sub("_", tag)[:63]: "" for tag in node.tags if tag}


def _owners(plan: FloePlan) -> list[str]:
    """floe.yaml's owner: an e-mail address stays one, a name is a team (Dagster's two kinds)."""
    if not plan.owner:
        return []
    return [plan.owner] if "@" in plan.owner else [f"team:{_UNSAFE.sub('_', plan.owner)}"]


def _spec(plan: FloePlan, node: FloeNode, group: str | None) -> dg.AssetSpec:
    by_id = plan.nodes_by_id
    deps = [asset_key(by_id[dep]) if dep in by_id else asset_key(dep) for dep in node.depends_on]
    metadata = {"floe/unique_id": node.unique_id, "floe/resource_type": node.resource_type}
    if node.relation:
        metadata["dagster/relation_identifier"] = node.relation
    if node.materialized:
        metadata["floe/materialized"] = node.materialized
    if node.path:
        metadata["floe/path"] = node.path
    return dg.AssetSpec(
        key=asset_key(node),
        deps=deps,
        description=node.description,
        group_name=group or _UNSAFE.sub("_", node.layer),
        owners=_owners(plan),
        tags=_tags(node),
        kinds={"floe", "sql"},
        metadata=metadata,
        skippable=True,
    )


def _checks(plan: FloePlan) -> list[dg.AssetCheckSpec]:
    by_id = plan.nodes_by_id
    return [
        dg.AssetCheckSpec(name=test.name, asset=asset_key(by_id[test.attached_node]), description=test.description,
                          metadata={"floe/unique_id": test.unique_id})
        for test in plan.tests
        if test.attached_node in by_id
    ]


def floe_assets(
    project_dir: str | Path,
    *,
    floe: str = "floe",
    platform: str | Path | None = None,
    env: str | None = None,
    name: str | None = None,
    group: str | None = None,
) -> list[dg.AssetsDefinition]:
    """The asset definitions of the floe project whose floe.yaml is in `project_dir`.

    Every node floe builds (synthetic tables, seeds, models, snapshots, the cubes' rollups) is an
    asset keyed by its name, grouped by its layer (the directory under models/, else what it is),
    with its description, floe.yaml's owner, its tags and its dependencies; every test attached
    to one node is an asset check on it. Sources no synthetic table fills are dependencies only.
    Materializing a selection runs `floe build --select` on exactly those nodes and reports each
    node's result as it finishes: a materialization with its row count, a check result per test.
    Anything that failed fails the step with floe's message and the SQL that failed.
    """
    project = FloeProject(Path(project_dir).resolve(), floe=floe,
                          platform=str(Path(platform).resolve()) if platform else None, env=env)
    plan = project.compile()
    specs = [_spec(plan, node, group) for node in plan.nodes]
    checks = _checks(plan)
    key_to_id = {asset_key(node): node.unique_id for node in plan.nodes}
    check_to_test = {(asset_key(plan.nodes_by_id[test.attached_node]), test.name): test.unique_id
                     for test in plan.tests if test.attached_node in plan.nodes_by_id}

    @dg.multi_asset(
        name=name or _UNSAFE.sub("_", plan.product).replace("-", "_").replace(".", "_"),
        specs=specs,
        check_specs=checks,
        can_subset=True,
    )
    def _floe_build(context: dg.AssetExecutionContext) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        selected = sorted(key_to_id[key] for key in context.selected_asset_keys)
        wanted_checks = {check_to_test[(key.asset_key, key.name)]: key for key in context.selected_asset_check_keys}
        # The checks' tests by id too: a check selected without its asset runs on the table as it is.
        build = FloeBuild(project, selected + sorted(wanted_checks))
        yield from _results(context, build, set(selected), wanted_checks)

    return [_floe_build]


def _results(context: dg.AssetExecutionContext, build: FloeBuild, selected: set[str],
             wanted_checks: dict[str, dg.AssetCheckKey]) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    for result in build.run(log=context.log):
        if result.unique_id in wanted_checks and result.resource_type == "test":
            key = wanted_checks[result.unique_id]
            if result.status in ("pass", "warn", "fail"):
                yield dg.AssetCheckResult(
                    asset_key=key.asset_key, check_name=key.name, passed=result.status == "pass",
                    severity=dg.AssetCheckSeverity.WARN if result.status == "warn" else dg.AssetCheckSeverity.ERROR,
                    metadata={"failures": result.failures or 0, "floe/status": result.status},
                )
        elif result.unique_id in selected and result.status in ("success", "up_to_date"):
            metadata: dict = {"floe/status": result.status, "floe/message": result.message}
            if result.rows is not None:
                metadata["dagster/row_count"] = result.rows
            if result.seconds is not None:
                metadata["floe/seconds"] = result.seconds
            yield dg.MaterializeResult(asset_key=dg.AssetKey([result.name]), metadata=metadata)
    if build.exit_code != 0:
        detail = "\n\n".join(build.failures()) or build.stderr_tail()
        raise dg.Failure(
            description=f"floe build failed (exit {build.exit_code}):\n{detail}",
            metadata={"floe/errors": dg.MetadataValue.md(f"```\n{detail}\n```")},
        )


def floe_definitions(project_dir: str | Path, **options) -> dg.Definitions:
    """A Definitions object with `floe_assets(project_dir, **options)`, for `dagster dev -f`."""
    return dg.Definitions(assets=floe_assets(project_dir, **options))


__all__: Sequence[str] = ["floe_assets", "floe_definitions", "asset_key"]
