#!/usr/bin/env python3
"""Validate floe files against the JSON Schemas in a directory, with Python's jsonschema.

usage: check-schemas.py SCHEMA_DIR [--expect-invalid] FILE...

platform*.yaml is checked against platform.schema.json, other *.yaml against floe.schema.json,
*.json against artifacts.schema.json. Timestamps stay strings, as floe reads them. Exit 0 when
every file validates (or, with --expect-invalid, when every file is rejected), else 1.
"""
import json
import sys
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator


class Loader(yaml.SafeLoader):
    pass


# floe reads 2024-01-01 as the text it is; so must this check.
Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def schema_for(path: Path) -> str:
    if path.suffix == ".json":
        return "artifacts.schema.json"
    return "platform.schema.json" if path.name.startswith("platform") else "floe.schema.json"


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    schema_dir = Path(argv[0])
    expect_invalid = "--expect-invalid" in argv
    files = [Path(a) for a in argv[1:] if a != "--expect-invalid"]
    validators = {}
    failures = 0
    for path in files:
        name = schema_for(path)
        if name not in validators:
            schema = json.loads((schema_dir / name).read_text())
            Draft202012Validator.check_schema(schema)
            validators[name] = Draft202012Validator(schema)
        text = path.read_text()
        document = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=Loader)
        errors = sorted(validators[name].iter_errors(document), key=lambda e: list(e.absolute_path))
        if expect_invalid:
            if not errors:
                print(f"{path}: expected to be rejected by {name}, but it validated")
                failures += 1
            continue
        for error in errors:
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            print(f"{path}: {where}: {error.message}")
            failures += 1
    print(f"{len(files)} files checked, {failures} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
