"""Reads floe's dbt artifacts as the dbt ecosystem does, and prints what it found as JSON.

    dbt_artifacts.py manifest MANIFEST [SEMANTIC_MANIFEST]
    dbt_artifacts.py run_results RUN_RESULTS
    dbt_artifacts.py catalog CATALOG

- dbt-artifacts-parser (PyPI) parses it as dbt's manifest schema v12, strictly (its models
  forbid fields the schema does not define);
- dagster-dbt builds its asset specs from it, as a Dagster project over a dbt project does;
- dbt-semantic-interfaces (MetricFlow's) parses semantic_manifest.json and runs its validations;
- run_results.json and catalog.json are parsed as dbt's run-results v6 and catalog v1.
"""
import json
import sys

from dagster_dbt import build_dbt_asset_specs
from dbt_artifacts_parser.parser import parse_manifest_v12


def manifest(path, semantic_path=None):
    with open(path) as handle:
        document = json.load(handle)
    manifest = parse_manifest_v12(document)
    nodes = {
        unique_id: {
            "resource_type": node.resource_type,
            "fqn": node.fqn,
            "path": node.path,
            "original_file_path": node.original_file_path,
            "depends_on": list(getattr(node.depends_on, "nodes", None) or []),
            "materialized": getattr(node.config, "materialized", None),
            "checksum": node.checksum.checksum,
            "has_raw_code": bool(node.raw_code),
            "columns": sorted(node.columns or {}),
        }
        for unique_id, node in manifest.nodes.items()
    }
    specs = build_dbt_asset_specs(manifest=document)
    semantic = None
    if semantic_path:
        from dbt_semantic_interfaces.implementations.semantic_manifest import PydanticSemanticManifest
        from dbt_semantic_interfaces.validations.semantic_manifest_validator import SemanticManifestValidator
        with open(semantic_path) as handle:
            parsed = PydanticSemanticManifest.parse_obj(json.load(handle))
        issues = SemanticManifestValidator[PydanticSemanticManifest]().validate_semantic_manifest(parsed)
        semantic = {
            "semantic_models": sorted(model.name for model in parsed.semantic_models),
            "metrics": {metric.name: metric.type.value for metric in parsed.metrics},
            "saved_queries": sorted(query.name for query in parsed.saved_queries),
            "errors": [str(issue) for issue in issues.errors],
        }
    print(json.dumps({
        "project_name": manifest.metadata.project_name,
        "adapter_type": manifest.metadata.adapter_type,
        "nodes": nodes,
        "sources": sorted(manifest.sources),
        "parent_map": manifest.parent_map,
        "child_map": manifest.child_map,
        "assets": {spec.key.to_user_string(): sorted(dep.asset_key.to_user_string() for dep in spec.deps) for spec in specs},
        "macros": sorted(manifest.macros),
        "docs": sorted(manifest.docs),
        "semantic_models": {
            unique_id: {"model": model.model, "depends_on": list(model.depends_on.nodes or []),
                        "relation": model.node_relation.relation_name if model.node_relation else None}
            for unique_id, model in manifest.semantic_models.items()
        },
        "metrics": {unique_id: {"type": metric.type.value, "depends_on": list(metric.depends_on.nodes or [])}
                    for unique_id, metric in manifest.metrics.items()},
        "saved_queries": sorted(manifest.saved_queries),
        "semantic_manifest": semantic,
    }))


def run_results(path):
    from dbt_artifacts_parser.parser import parse_run_results
    with open(path) as handle:
        parsed = parse_run_results(run_results=json.load(handle))
    print(json.dumps({
        "class": type(parsed).__name__,
        "elapsed_time": parsed.elapsed_time,
        "results": {result.unique_id: {"status": result.status.value, "relation_name": result.relation_name,
                                       "adapter_response": result.adapter_response, "failures": result.failures,
                                       "message": result.message, "timing": [item.name for item in result.timing]}
                    for result in parsed.results},
    }))


def catalog(path):
    from dbt_artifacts_parser.parser import parse_catalog
    with open(path) as handle:
        parsed = parse_catalog(catalog=json.load(handle))
    print(json.dumps({
        "class": type(parsed).__name__,
        "nodes": {unique_id: {"type": table.metadata.type, "columns": {name: column.type for name, column in table.columns.items()},
                              "stats": {key: stat.value for key, stat in table.stats.items()}}
                  for unique_id, table in parsed.nodes.items()},
        "sources": sorted(parsed.sources),
        "errors": parsed.errors,
    }))


if __name__ == "__main__":
    {"manifest": manifest, "run_results": run_results, "catalog": catalog}[sys.argv[1]](*sys.argv[2:])
