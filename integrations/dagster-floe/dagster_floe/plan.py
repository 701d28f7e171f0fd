"""A floe plan (``artifacts.json``) read as the nodes Dagster needs: what each builds, what it reads,
and which tests check it."""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


class FloeError(Exception):
    """floe refused or failed; the message is floe's own diagnostics."""


@dataclass(frozen=True)
class FloeNode:
    """A node floe builds: a synthetic table, a seed, a model (not an ephemeral one), a snapshot
    or a cube's rollup."""

    unique_id: str
    name: str
    resource_type: str
    #: Where it sits: the directory under the dbt project's models/ (staging, marts, …),
    #: else what it is (seeds, synthetic, snapshots, cubes).
    layer: str
    description: str | None
    tags: tuple[str, ...]
    relation: str | None
    materialized: str | None
    path: str | None
    #: The unique ids of the nodes it reads, sources already resolved to the synthetic tables
    #: that fill them; a source nothing in the plan fills stays a source id.
    depends_on: tuple[str, ...]


@dataclass(frozen=True)
class FloeTest:
    unique_id: str
    name: str
    #: The node the test checks (dbt's attached_node); None for a test over several nodes.
    attached_node: str | None
    severity: str
    description: str | None


@dataclass(frozen=True)
class FloeSource:
    unique_id: str
    source_name: str
    name: str
    description: str | None


@dataclass
class FloePlan:
    product: str
    version: str
    owner: str | None
    environment: str
    namespace: str
    nodes: list[FloeNode] = field(default_factory=list)
    tests: list[FloeTest] = field(default_factory=list)
    #: Sources no synthetic table fills: tables floe reads but does not build.
    external_sources: list[FloeSource] = field(default_factory=list)

    @property
    def nodes_by_id(self) -> dict[str, FloeNode]:
        return {node.unique_id: node for node in self.nodes}


def _relation(entry: dict) -> str | None:
    relation = entry.get("relation")
    if not relation:
        return None
    schema = relation.get("schema")
    return f"{schema}.{relation['name']}" if schema else relation["name"]


def _model_layer(path: str | None, fallback: str) -> str:
    """The directory right under models/ (dbt's usual staging/intermediate/marts layers)."""
    if not path:
        return fallback
    parts = Path(path).parts
    if "models" in parts:
        rest = parts[parts.index("models") + 1 : -1]
        if rest:
            return rest[0]
    return fallback


def _attached(test: dict, filled: dict[str, str]) -> str | None:
    node = test.get("attached_node")
    if node is None and len(test.get("depends_on", [])) == 1:
        node = test["depends_on"][0]
    return filled.get(node, node) if node else None


def read_plan(document: dict) -> FloePlan:
    """The plan's JSON (floe's plan contract, docs/contract.md) as a FloePlan."""
    product = document["product"]
    environment = document["environment"]
    plan = FloePlan(
        product=product["name"],
        version=product["version"],
        owner=product.get("owner"),
        environment=environment["name"],
        namespace=environment["namespace"],
    )
    synthetic_by_relation: dict[str, str] = {}
    for table in document.get("synthetic", []):
        unique_id = f"synthetic.{table['name']}"
        relation = f"{environment['namespace']}.{table['name']}"
        synthetic_by_relation[relation] = unique_id
        plan.nodes.append(
            FloeNode(unique_id, table["name"], "synthetic", "synthetic", None, (), relation, "table", None, ())
        )
    filled: dict[str, str] = {}
    for source in document.get("sources", []):
        fills = synthetic_by_relation.get(_relation(source) or "")
        if fills:
            filled[source["unique_id"]] = fills
        else:
            plan.external_sources.append(
                FloeSource(source["unique_id"], source["source_name"], source["name"], source.get("description"))
            )

    # An ephemeral model builds nothing: what reads it reads what it reads (as dagster-dbt sees it).
    ephemeral = {model["unique_id"]: model.get("depends_on", []) for model in document.get("models", [])
                 if model.get("materialized") == "ephemeral"}

    def resolved(ids: list[str]) -> tuple[str, ...]:
        found: list[str] = []
        pending = list(ids)
        seen: set[str] = set()
        while pending:
            unique_id = pending.pop(0)
            if unique_id in seen:
                continue
            seen.add(unique_id)
            if unique_id in ephemeral:
                pending.extend(ephemeral[unique_id])
            else:
                found.append(filled.get(unique_id, unique_id))
        return tuple(dict.fromkeys(found))

    for seed in document.get("seeds", []):
        plan.nodes.append(
            FloeNode(seed["unique_id"], seed["name"], "seed", "seeds", seed.get("description"),
                     tuple(seed.get("tags", [])), _relation(seed), "seed", seed.get("path"), ())
        )
    for model in document.get("models", []):
        if model["unique_id"] in ephemeral:
            continue
        plan.nodes.append(
            FloeNode(model["unique_id"], model["name"], "model", _model_layer(model.get("path"), "models"),
                     model.get("description"), tuple(model.get("tags", [])), _relation(model),
                     model.get("materialized"), model.get("path"), resolved(model.get("depends_on", [])))
        )
    for snapshot in document.get("snapshots", []):
        plan.nodes.append(
            FloeNode(snapshot["unique_id"], snapshot["name"], "snapshot", "snapshots", snapshot.get("description"),
                     tuple(snapshot.get("tags", [])), _relation(snapshot), "snapshot", snapshot.get("path"),
                     resolved(snapshot.get("depends_on", [])))
        )
    cubes = {cube["name"]: cube for cube in document.get("cubes", [])}
    for cube in cubes.values():
        for rollup in cube.get("pre_aggregations", []):
            if rollup.get("type", "rollup") != "rollup":
                continue
            # The executor builds one table per rollup, named <cube>__<rollup> (docs/semantic.md),
            # after the models of every cube its members come from.
            name = f"{cube['name'].lower()}__{rollup['name']}"
            members = [*rollup.get("measures", []), *rollup.get("dimensions", []), *rollup.get("segments", [])]
            if rollup.get("time_dimension"):
                members.append(rollup["time_dimension"])
            used = {cube["name"], *(member.split(".")[0] for member in members)}
            reads = sorted({model for used_cube in used for model in cubes.get(used_cube, {}).get("depends_on", [])})
            plan.nodes.append(
                FloeNode(f"pre_aggregation.{cube['name']}.{rollup['name']}", name, "pre_aggregation", "cubes",
                         f"Rollup {rollup['name']} of cube {cube['name']}", ("pre_aggregation",),
                         f"{environment['namespace']}.{name}", "table", cube.get("path"), resolved(reads))
            )
    for test in document.get("tests", []):
        plan.tests.append(
            # A test of a source checks the synthetic table that fills it; a singular test
            # reading one node checks that node.
            FloeTest(test["unique_id"], test["name"], _attached(test, filled), test.get("severity", "error"),
                     test.get("description"))
        )
    return plan


@dataclass(frozen=True)
class FloeProject:
    """Where floe runs: the directory of floe.yaml, and the options every command gets."""

    project_dir: Path
    floe: str = "floe"
    platform: str | None = None
    env: str | None = None

    def arguments(self) -> list[str]:
        arguments = []
        if self.platform:
            arguments += ["--platform", str(self.platform)]
        if self.env:
            arguments += ["--env", self.env]
        return arguments

    def compile(self) -> FloePlan:
        """Compiles the project with `floe compile` into a scratch file and reads the plan."""
        with tempfile.TemporaryDirectory(prefix="dagster-floe-") as scratch:
            output = Path(scratch) / "artifacts.json"
            completed = subprocess.run(
                [self.floe, "compile", "--no-write-json", "-o", str(output), *self.arguments()],
                cwd=self.project_dir, capture_output=True, text=True,
            )
            if completed.returncode != 0:
                raise FloeError(f"floe compile failed (exit {completed.returncode}):\n{completed.stderr.strip()}")
            return read_plan(json.loads(output.read_text()))
