"""`floe build --log-format json` run as a subprocess, its events read as they come."""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .plan import FloeProject


@dataclass(frozen=True)
class NodeResult:
    """One NodeFinished event: a node built (or left up to date), a test's verdict, an error."""

    unique_id: str
    name: str
    resource_type: str
    status: str
    message: str
    rows: int | None
    seconds: float | None
    failures: int | None
    #: The file the node came from.
    path: str | None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def node_result(event: dict) -> NodeResult | None:
    """The result a JSON log event carries, if it is a NodeFinished event."""
    info = event.get("info", {})
    if info.get("name") != "NodeFinished":
        return None
    data = event.get("data", {})
    node = data.get("node_info", {})
    return NodeResult(
        unique_id=node.get("unique_id") or data.get("node", ""),
        name=node.get("node_name", ""),
        resource_type=node.get("resource_type", ""),
        status=data.get("status") or node.get("node_status", ""),
        message=data.get("message", info.get("msg", "")),
        rows=_int(data.get("rows")),
        seconds=_float(data.get("seconds")),
        failures=_int(data.get("failures")),
        path=node.get("node_path") or data.get("path"),
    )


class FloeBuild:
    """`floe build --select <ids> --log-format json` in the project's directory."""

    def __init__(self, project: FloeProject, unique_ids: list[str]):
        self.project = project
        self.unique_ids = unique_ids
        self.exit_code: int | None = None
        self._other_lines: deque[str] = deque(maxlen=40)
        self._scratch = tempfile.TemporaryDirectory(prefix="dagster-floe-")
        #: floe's own run results (docs/apply.md), which keep the SQL that failed.
        self.results_path = Path(self._scratch.name) / "floe_run_results.json"

    def command(self) -> list[str]:
        # Exactly the nodes and tests named: a test of a selected node that Dagster did not ask
        # for (a relationship test reading an unselected table) stays out.
        return [self.project.floe, "build", "--log-format", "json", *self.project.arguments(),
                "--results", str(self.results_path), "--indirect-selection", "empty", "--select", *self.unique_ids]

    def failures(self) -> list[str]:
        """Each node that ended in error and each failing test: what it is, its file, floe's message and the SQL that failed."""
        try:
            results = json.loads(self.results_path.read_text()).get("results", [])
        except (OSError, json.JSONDecodeError):
            return []
        described = []
        for result in results:
            if result.get("status") not in ("error", "fail"):
                continue
            lines = [f"{result.get('resource_type')} {result.get('name')} ({result.get('unique_id')}): {result.get('message')}"]
            if result.get("path"):
                lines.append(f"in {result['path']}")
            if result.get("failed_sql"):
                line = result.get("failed_sql_line")
                lines.append(f"failed SQL{f' (at line {line})' if line else ''}:\n{result['failed_sql'].rstrip()}")
            described.append("\n".join(lines))
        return described

    def run(self, log=None) -> Iterator[NodeResult]:
        """Each node's result as floe reports it; `exit_code` is set once the iteration ends."""
        if not self.unique_ids:
            self.exit_code = 0
            return
        process = subprocess.Popen(self.command(), cwd=self.project.project_dir, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True, bufsize=1)
        finished = False
        try:
            assert process.stderr is not None
            for line in process.stderr:
                line = line.rstrip("\n")
                try:
                    event = json.loads(line)
                except json.JSONDecodeError:
                    # floe's diagnostics before the run starts (a plan it refuses) are plain text.
                    self._other_lines.append(line)
                    if log and line:
                        log.info(line)
                    continue
                if log:
                    message = event.get("info", {}).get("msg")
                    if message:
                        level = event.get("info", {}).get("level", "info")
                        (log.error if level == "error" else log.warning if level == "warn" else log.info)(message)
                result = node_result(event)
                if result:
                    yield result
            finished = True
        finally:
            if not finished and process.poll() is None:
                # The consumer stopped early (the step was interrupted): stop floe, which rolls back.
                process.terminate()
            self.exit_code = process.wait()

    def stderr_tail(self) -> str:
        return "\n".join(self._other_lines) or "(floe printed nothing)"
