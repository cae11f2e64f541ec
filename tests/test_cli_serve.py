"""``energieplanologie serve`` (the warm engine of the QGIS plugin): one process, many CLI calls, each answered
exactly as a cold process answers it (stdout, exit code, stderr lines, progress lines in order)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from energieplanologie.cli import _unexpected, main
from energieplanologie.cli_serve import handle_request

SAMPLE = Path(__file__).resolve().parents[1] / "energieplanologie" / "sample_data" / "zeeuws-vlaanderen"


def cold(argv: list[str], cwd: Path) -> tuple[int, str, list[str]]:
    proc = subprocess.run([sys.executable, "-m", "energieplanologie", *argv], capture_output=True, text=True,
                          cwd=cwd, timeout=300, check=False, encoding="utf-8")
    return proc.returncode, proc.stdout, proc.stderr.splitlines()


def served(requests: list[dict[str, Any]], cwd: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run the requests through one ``serve`` process; the ready message and the events of each call."""
    stdin = "".join(json.dumps(r) + "\n" for r in requests)
    proc = subprocess.run([sys.executable, "-m", "energieplanologie", "serve"], input=stdin, capture_output=True,
                          text=True, cwd=cwd, timeout=300, check=True, encoding="utf-8")
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    return events[0], events[1:]


def split_calls(events: list[dict[str, Any]]) -> list[tuple[int, str, list[str]]]:
    calls, lines = [], []
    for event in events:
        if event["event"] == "stderr":
            lines.append(event["line"])
        else:
            assert event["seconds"] >= 0
            calls.append((event["returncode"], event["stdout"], lines))
            lines = []
    return calls


def test_every_call_is_answered_as_a_cold_process_answers_it(tmp_path: Path) -> None:
    bad = tmp_path / "stations.csv"
    # Two rows, the second without an id: validation exit 1 with that row named.
    bad.write_text("station_id,name,x,y\nS1,Een,50000,370000\n,Twee,51000,371000\n", encoding="utf-8")
    calls = [
        ["validate", str(SAMPLE / "stations.gpkg"), "--kind", "stations", "--json", "--machine-progress"],  # exit 0
        ["validate", str(bad), "--kind", "stations", "--json"],  # exit 1: errors in the rows
        ["validate", str(tmp_path / "bestaat-niet.gpkg"), "--kind", "stations"],  # exit 2: unreadable
        ["validate", "x.gpkg", "--kind", "onzin"],  # exit 2: unknown kind
        ["--version"],
    ]
    ready, events = served([{"argv": argv, "cwd": str(tmp_path)} for argv in calls], tmp_path)
    assert ready["event"] == "ready" and ready["version"]
    warm = split_calls(events)
    expected = [cold(argv, tmp_path) for argv in calls]
    assert [code for code, _, _ in warm] == [0, 1, 2, 2, 0]
    assert warm == expected
    # Progress streamed as lines, in order, exactly as the cold process writes them.
    assert [ln for ln in warm[0][2] if ln.startswith("@@progress ")] == [
        '@@progress {"pct": 0.0, "stage": "stations.gpkg lezen"}', '@@progress {"pct": 100.0, "stage": "gevalideerd"}']


def test_a_bad_request_is_answered_and_the_server_goes_on(tmp_path: Path) -> None:
    stdin = "geen json\n" + json.dumps({"argv": "niet een lijst"}) + "\n" + json.dumps({"argv": ["--version"]}) + "\n"
    proc = subprocess.run([sys.executable, "-m", "energieplanologie", "serve"], input=stdin, capture_output=True,
                          text=True, cwd=tmp_path, timeout=300, check=True, encoding="utf-8")
    calls = split_calls([json.loads(line) for line in proc.stdout.splitlines()[1:]])
    assert [code for code, _, _ in calls] == [2, 2, 0]
    assert calls[0][2][0].startswith("Fout: ongeldig verzoek aan de engine")
    assert calls[2][1].startswith("energieplanologie ")
    assert "Traceback" not in proc.stderr


def test_handle_request_restores_the_process_state(tmp_path: Path) -> None:
    events: list[dict[str, Any]] = []
    before = (sys.stdout, sys.stderr, sys.stdin, list(sys.argv), Path.cwd())
    handle_request({"argv": ["validate", "x.gpkg", "--kind", "onzin"], "cwd": str(tmp_path)}, events.append, run=main, unexpected=_unexpected)
    assert (sys.stdout, sys.stderr, sys.stdin, sys.argv, Path.cwd()) == before
    assert {k: v for k, v in events[-1].items() if k != "seconds"} == {"event": "done", "returncode": 2, "stdout": ""}
    assert any("onbekende soort 'onzin'" in e.get("line", "") for e in events)
