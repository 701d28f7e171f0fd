"""charts/floe through Helm's own Go library (PyPI's helm-python-sdk) and kubernetes-validate.

    helm_chart.py render CHART RELEASE NAMESPACE VALUES.yaml...   the objects Helm renders, as JSON
    helm_chart.py schema CHART VALUES.yaml...                      Helm's check of values.schema.json
    helm_chart.py lint CHART VALUES.yaml...                        helm lint --strict's findings, as JSON
    helm_chart.py validate VERSION FILE...                         kubernetes-validate --strict on each object
    helm_chart.py parse FILE...                                    the objects of YAML files, parsed the same way
"""
import json
import subprocess
import sys

import helm_python as helm
import yaml


def merged_values(chart, files):
    values = {}
    for path in files:
        with open(path) as handle:
            layer = yaml.safe_load(handle) or {}
        values = merge(values, layer)
    return values


def merge(base, over):
    result = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = value
    return result


def main():
    command = sys.argv[1]
    if command == "render":
        chart_dir, release, namespace, files = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
        chart = helm.Chart.load(chart_dir)
        values = merged_values(chart, files)
        manifests = chart.render(values, name=release, namespace=namespace)
        objects = []
        for template, text in sorted(manifests.items()):
            if template.endswith("NOTES.txt"):
                continue
            for document in yaml.safe_load_all(text):
                if document:
                    objects.append({"template": template, "object": document})
        print(json.dumps(objects, sort_keys=True))
    elif command == "parse":
        objects = []
        for path in sys.argv[2:]:
            with open(path) as handle:
                for document in yaml.safe_load_all(handle):
                    if document:
                        objects.append({"template": path, "object": document})
        print(json.dumps(objects, sort_keys=True))
    elif command == "schema":
        chart = helm.Chart.load(sys.argv[2])
        try:
            chart.validate_schema(chart.merge_values(merged_values(chart, sys.argv[3:])))
            print("valid")
        except helm.HelmError as error:
            print(f"invalid: {error}")
    elif command == "lint":
        chart_dir, files = sys.argv[2], sys.argv[3:]
        report = helm.lint(chart_dir, merged_values(None, files), strict=True)
        print(json.dumps(report, sort_keys=True))
    elif command == "validate":
        version, files = sys.argv[2], sys.argv[3:]
        result = subprocess.run([sys.executable, "-m", "kubernetes_validate", "--strict", "--kubernetes-version", version,
                                 *files], capture_output=True, text=True)
        print(result.stdout)
        print(result.stderr, file=sys.stderr)
        sys.exit(result.returncode)


if __name__ == "__main__":
    main()
