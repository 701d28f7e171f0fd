"""A loopback OpenLineage endpoint for floe's tests, and a checker of events against the spec.

    openlineage_receiver.py serve PORT_FILE OUT.jsonl [--api-key KEY] [--hang]
        Listens on 127.0.0.1 (a free port, written to PORT_FILE) for POST /api/v1/lineage, as
        Marquez does: inflates gzip bodies, checks the bearer token when --api-key is given, and
        appends {"event": ..., "errors": [...], "gzip": bool} per event to OUT.jsonl. --hang never
        answers (a destination that accepts connections and then stalls).
    openlineage_receiver.py check EVENTS.jsonl
        Checks each line of a JSON-lines file; prints {"count": N, "errors": [...]}.

Each event is checked against OpenLineage's spec as the openlineage-python client (PyPI) ships
it: the client's classes are generated from the spec's JSON Schemas, so the event is rebuilt
from them strictly (every field known to the class of its `_schemaURL`, required fields
present, enums and the client's validators for times, UUIDs and URIs). When FLOE_OPENLINEAGE_SPEC
names a directory holding the spec's own JSON Schema files (OpenLineage.json, facets/*.json),
the event is also validated against them with jsonschema.
"""
import enum
import gzip
import importlib
import json
import os
import pkgutil
import sys
import types
import typing

import loopback

import attr
import openlineage.client.generated as generated
from openlineage.client.generated.base import RunEvent


def _classes_by_schema():
    found = {}
    for module in pkgutil.iter_modules(generated.__path__):
        loaded = importlib.import_module(f"openlineage.client.generated.{module.name}")
        for value in vars(loaded).values():
            if isinstance(value, type) and attr.has(value) and hasattr(value, "_get_schema"):
                found.setdefault(value._get_schema(), value)
    return found


CLASSES = _classes_by_schema()


class Invalid(Exception):
    pass


def _structure(kind, value, path):
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [option for option in typing.get_args(kind) if option is not type(None)]
        if value is None:
            if len(options) == len(typing.get_args(kind)):
                raise Invalid(f"{path}: null is not allowed")
            return None
        errors = []
        for option in options:
            try:
                return _structure(option, value, path)
            except Invalid as error:
                errors.append(str(error))
        raise Invalid("; ".join(errors))
    if origin is list:
        if not isinstance(value, list):
            raise Invalid(f"{path}: expected a list, got {type(value).__name__}")
        (item,) = typing.get_args(kind)
        return [_structure(item, element, f"{path}[{index}]") for index, element in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise Invalid(f"{path}: expected an object, got {type(value).__name__}")
        _, item = typing.get_args(kind)
        return {key: _structure(item, element, f"{path}.{key}") for key, element in value.items()}
    if kind is typing.Any:
        return value
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        try:
            return kind(value)
        except ValueError:
            raise Invalid(f"{path}: {value!r} is not one of {[member.value for member in kind]}") from None
    if isinstance(kind, type) and attr.has(kind):
        return _structure_class(kind, value, path)
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Invalid(f"{path}: expected a number, got {value!r}")
        return value
    if kind in (str, int, bool):
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise Invalid(f"{path}: expected {kind.__name__}, got {value!r}")
        return value
    raise Invalid(f"{path}: the checker does not know the type {kind!r}")


def _structure_class(kind, value, path):
    if not isinstance(value, dict):
        raise Invalid(f"{path}: expected an object, got {type(value).__name__}")
    schema_url = value.get("_schemaURL")
    if schema_url is not None:
        concrete = CLASSES.get(schema_url)
        if concrete is None:
            raise Invalid(f"{path}: no class of the spec has the schema {schema_url}")
        if not issubclass(concrete, kind):
            raise Invalid(f"{path}: {concrete.__name__} ({schema_url}) is not a {kind.__name__}")
        kind = concrete
    hints = typing.get_type_hints(kind)
    fields = {field.name: field for field in attr.fields(kind)}
    arguments = {}
    for key, element in value.items():
        if key == "_schemaURL":
            continue
        field = fields.get(key)
        if field is None:
            raise Invalid(f"{path}.{key}: {kind.__name__} has no such field")
        if not field.init:
            continue
        arguments[field.alias or key.lstrip("_")] = _structure(hints[key], element, f"{path}.{key}")
    for name, field in fields.items():
        if field.init and field.default is attr.NOTHING and name not in value:
            raise Invalid(f"{path}.{name}: required by {kind.__name__}")
    try:
        return kind(**arguments)
    except (TypeError, ValueError) as error:
        raise Invalid(f"{path}: {kind.__name__}: {error}") from None


def _spec_validator():
    directory = os.environ.get("FLOE_OPENLINEAGE_SPEC")
    if not directory:
        return None
    import jsonschema
    from referencing import Registry, Resource

    resources = []
    for root, _, names in os.walk(directory):
        for name in names:
            if name.endswith(".json"):
                with open(os.path.join(root, name)) as handle:
                    document = json.load(handle)
                if "$id" in document:
                    resources.append((document["$id"], Resource.from_contents(document)))
    registry = Registry().with_resources(resources)
    return registry


SPEC = _spec_validator()


def _spec_errors(event):
    if SPEC is None:
        return []
    import jsonschema

    errors = []

    def validate(instance, reference, path):
        schema = {"$ref": reference}
        validator = jsonschema.Draft202012Validator(schema, registry=SPEC)
        for error in validator.iter_errors(instance):
            errors.append(f"{path}{''.join(f'.{part}' for part in error.absolute_path)}: {error.message}")

    validate(event, event.get("schemaURL", ""), "event")
    # Each facet against its own schema, which the event's schema leaves open.
    def facets(owner, key, path):
        for name, facet in (owner.get(key) or {}).items():
            if isinstance(facet, dict) and "_schemaURL" in facet:
                validate(facet, facet["_schemaURL"], f"{path}.{key}.{name}")

    facets(event.get("run", {}), "facets", "run")
    facets(event.get("job", {}), "facets", "job")
    for side, extra in (("inputs", "inputFacets"), ("outputs", "outputFacets")):
        for index, dataset in enumerate(event.get(side) or []):
            facets(dataset, "facets", f"{side}[{index}]")
            facets(dataset, extra, f"{side}[{index}]")
    return errors


def check(event):
    """The problems of one event: empty when it follows the spec."""
    errors = []
    if event.get("schemaURL") != RunEvent._get_schema():
        errors.append(f"schemaURL: expected {RunEvent._get_schema()}, got {event.get('schemaURL')}")
    try:
        _structure_class(RunEvent, event, "event")
    except Invalid as error:
        errors.append(str(error))
    return errors + _spec_errors(event)


def serve(port_file, out, api_key=None, hang=False):
    class Handler(loopback.Receiver):
        def do_POST(self):
            body = self.body()
            if body is None:
                return
            compressed = self.headers.get("Content-Encoding") == "gzip"
            if compressed:
                body = gzip.decompress(body)
            if self.path != "/api/v1/lineage":
                self.send_response(404)
                self.end_headers()
                return
            if api_key is not None and self.headers.get("Authorization") != f"Bearer {api_key}":
                self.send_response(401)
                self.end_headers()
                self.wfile.write(b'{"error": "unauthorized"}')
                return
            try:
                event = json.loads(body)
                errors = check(event)
            except ValueError as error:
                event, errors = None, [f"not JSON: {error}"]
            self.record({"event": event, "errors": errors, "gzip": compressed})
            self.send_response(201 if not errors else 400)
            self.end_headers()

    Handler.out, Handler.hang = out, hang
    loopback.serve(Handler, port_file)


def main(arguments):
    if arguments[0] == "serve":
        api_key = arguments[arguments.index("--api-key") + 1] if "--api-key" in arguments else None
        serve(arguments[1], arguments[2], api_key=api_key, hang="--hang" in arguments)
    elif arguments[0] == "check":
        count, errors = 0, []
        with open(arguments[1]) as handle:
            for number, line in enumerate(handle, 1):
                count += 1
                errors += [f"line {number}: {error}" for error in check(json.loads(line))]
        print(json.dumps({"count": count, "errors": errors}))


if __name__ == "__main__":
    main(sys.argv[1:])
