"""An interrupted ``demo``/``run`` leaves the output folder with the previous complete set (or none), and a rerun
completes.

``energieplanologie demo`` and ``run`` (on the sample's own project.toml) run in a subprocess with a Python audit
hook (:func:`sys.addaudithook`) that kills the process with SIGKILL at a chosen moment: a few milliseconds after
it opens its n-th file of a kind for writing (while it writes), when it is about to rename a finished temporary
file into place, when it opens the written GeoPackage, when it removes the previous set after the swap, or after
a delay. SIGKILL cannot be caught, so nothing in the package gets to clean up — as after a crash, the OOM killer or
a power cut.

A run writes its set into a staging folder beside the output folder and swaps it in at the end
(:mod:`energieplanologie._outdir`). After every kill each file in the output folder must parse completely (JSON,
text, CSV, HTML, PNG, PDF, XLSX, GeoTIFF and its QML, GeoPackage with SQLite's integrity check) and be equal to
what an earlier run left under that name: the folder holds a complete set or nothing, never part of one. Only
staging folders of the killed processes lie beside it. The kills hit the same folder one after another, as a user
who retries would; then a full rerun must finish, remove every leftover and write exactly the files of a complete
run. The same hook, logging in that rerun, proves the rule behind it all: no file in the output folder itself is
ever opened for writing — every write goes to the staging folder.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from energieplanologie._atomic import atomic_write
from energieplanologie._outdir import HOST as _HOST
from energieplanologie._outdir import TEMP_NAME as _TEMP_NAME

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")]

#: Fixed GeoPackage time stamps, so that the rerun can be compared byte for byte with the uninterrupted run.
ENV = {**os.environ, "OGR_CURRENT_DATE": "2025-01-01T00:00:00.000Z", "MPLBACKEND": "Agg"}

DRIVER = textwrap.dedent('''
    """Run the CLI, and SIGKILL this process at a chosen moment (or log every write), seen by an audit hook."""
    import os, signal, sys, threading

    out = os.path.realpath(sys.argv[1])
    staging = os.path.join(os.path.dirname(out), "." + os.path.basename(out) + ".")  # …<host>-<pid>-<token>.nieuw
    kind, match, n, log = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    count = 0

    def inside(path):
        """In the output folder, or in its staging folder."""
        try:
            real = os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return False
        return real.startswith(out + os.sep) or real.startswith(staging)

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    def hook(event, args):
        global count
        if event == "open" and kind in ("open", "log"):
            path, mode, flags = args
            if path is None or isinstance(path, int):
                return
            writing = (mode is not None and any(c in mode for c in "wax+")) or (
                mode is None and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
            if writing and inside(path):
                if kind == "log":
                    with open(log, "a", encoding="utf-8") as fh:
                        fh.write(os.fsdecode(path) + "\\n")
                elif match in os.path.basename(os.fsdecode(path)):
                    count += 1
                    if count == n:  # a few milliseconds later: while the file is being written
                        threading.Timer(0.004, die).start()
        elif event == "sqlite3.connect" and kind == "sqlite" and inside(args[0]):
            if match in os.path.basename(os.fsdecode(args[0])):
                count += 1
                if count == n:
                    die()
        elif event == "os.rename" and kind == "rename" and inside(args[1]):
            if match in os.path.basename(os.fsdecode(args[1])):
                count += 1
                if count == n:
                    die()
        elif event == "shutil.rmtree" and kind == "rmtree" and os.fsdecode(args[0]).startswith(staging):
            die()  # the new set is in place; the previous one, aside, is about to be removed

    if kind == "timer":
        threading.Timer(n / 1000.0, die).start()
    sys.addaudithook(hook)
    sys.argv = ["energieplanologie", *sys.argv[6:]]
    from energieplanologie.cli import main
    main()
''')


SAMPLE_CONFIG = Path(__file__).resolve().parents[1] / "energieplanologie" / "sample_data" / "zeeuws-vlaanderen" / \
    "project.toml"


def cli(command: str, out: Path, tmp: Path, kind: str = "none", match: str = "", n: int = 0,
        quiet: bool = True) -> subprocess.CompletedProcess:
    """``energieplanologie demo`` or ``run`` (on the sample's own project.toml: the same region) under the hook."""
    driver = tmp / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    log = tmp / "schrijfacties.txt"
    args = ["demo"] if command == "demo" else ["run", str(SAMPLE_CONFIG), "--round", "2025"]
    args += ["--out", str(out)] + (["--quiet"] if quiet else [])
    return subprocess.run([sys.executable, str(driver), str(out), kind, match, str(n), str(log), *args],
                          env=ENV, capture_output=True, text=True, timeout=900)


def is_temporary(path: Path) -> bool:
    return any(_TEMP_NAME.match(p) for p in (path.name,))


def check_complete(path: Path) -> None:
    """Parse one output file completely, by its kind."""
    suffix = path.suffix.lower()
    data = path.read_bytes()
    assert data, f"{path.name} is leeg"
    if suffix == ".json":
        json.loads(data.decode("utf-8"))
    elif suffix in (".txt", ".qml"):
        text = data.decode("utf-8")
        assert text.endswith("\n"), path.name
        if suffix == ".qml":
            assert text.rstrip().endswith("</qgis>"), path.name
    elif suffix == ".csv":
        frame = pd.read_csv(path, encoding="utf-8")
        assert data.endswith(b"\n") and len(frame.columns) > 1, path.name
    elif suffix == ".html":
        assert data.decode("utf-8").rstrip().lower().endswith("</html>"), path.name
    elif suffix == ".png":
        from PIL import Image

        with Image.open(path) as image:
            image.load()  # decodes every row: a cut file raises
        assert data.endswith(b"IEND\xaeB`\x82"), path.name
    elif suffix == ".pdf":
        from pypdf import PdfReader

        reader = PdfReader(path, strict=True)
        assert len(reader.pages) >= 1 and data.rstrip().endswith(b"%%EOF"), path.name
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        with zipfile.ZipFile(path) as zf:
            assert zf.testzip() is None, path.name
        load_workbook(path).close()
    elif suffix == ".tif":
        import rasterio

        with rasterio.open(path) as src:
            src.read()
    elif suffix == ".gpkg":
        import pyogrio

        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok", path.name
        for layer in pyogrio.list_layers(path)[:, 0]:
            pyogrio.read_dataframe(path, layer=layer)
    else:
        raise AssertionError(f"onbekend uitvoerbestand {path.name}: voeg een controle toe")


STAGING = re.compile(rf"^\.uitvoer\.{_HOST}-(\d+)-[0-9a-f]{{8}}\.(nieuw|vorige)$")


def check_folder(out: Path) -> tuple[list[Path], list[Path]]:
    """Every output file complete, no temporary file inside the output folder; return (outputs, staging folders
    that killed runs left beside it)."""
    files = sorted(p for p in out.rglob("*") if p.is_file())
    assert not [p.name for p in files if is_temporary(p)]  # temporary files live in the staging folder only
    for p in files:
        assert not p.name.startswith("."), f"onbekend verborgen bestand {p}"
        check_complete(p)
    beside = sorted(p for p in out.parent.iterdir() if p.name.startswith(".uitvoer"))
    for p in beside:  # only killed processes leave these, on this machine
        assert STAGING.match(p.name), p.name
    return files, beside


# The moments of the kills, in run order; each run continues in the folder the previous one left.
KILLS = [
    ("run", "rename", "validatie.json", 1),  # the first output finished in its temporary file, not yet in place
    ("demo", "open", ".png", 7),             # 4 ms after a station chart was opened: while it is written
    ("run", "open", ".pdf", 3),              # 4 ms into the third project sheet's PDF
    ("demo", "sqlite", ".gpkg", 1),          # the GeoPackage's layers written by a worker, its provenance not yet
    ("demo", "rmtree", "", 1),               # the new set swapped in, the previous one aside, not yet removed
]


def test_killed_runs_leave_only_complete_files_and_a_rerun_completes(tmp_path):
    out = tmp_path / "uitvoer"
    seen: dict[str, bytes] = {}  # every complete file found after a kill: the rerun must write the same
    left_behind = 0
    durations = []
    sets = []
    for command, kind, match, n in KILLS:
        if kind == "rmtree":  # a complete set must be there to be replaced
            assert cli(command, out, tmp_path).returncode == 0
        start = time.monotonic()
        result = cli(command, out, tmp_path, kind, match, n)
        durations.append(time.monotonic() - start)
        assert result.returncode == -signal.SIGKILL, (kind, match, result.returncode, result.stderr[-2000:])
        outputs, beside = check_folder(out)
        left_behind += len(beside)
        sets.append(len(outputs))
        for p in outputs:  # replaced whole or not at all, never a mix: equal to what it was, if seen before
            name = str(p.relative_to(out))
            assert seen.setdefault(name, p.read_bytes()) == p.read_bytes(), name
    # The folder held no set until the first complete run, then always a complete one (the staging folder of the
    # killed run, holding the previous set after the swap, lies beside it).
    assert sets[:4] == [0, 0, 0, 0] and sets[4] >= 50
    assert left_behind >= 5  # every kill left its staging folder (the next run removed the one before)
    # And a kill at a moment nobody chose: the time the run to the third project sheet took, less a fifth.
    result = cli("run", out, tmp_path, "timer", "", int(durations[2] * 800))
    if result.returncode == -signal.SIGKILL:
        check_folder(out)
    else:  # the run got faster than the one measured and finished first
        assert result.returncode == 0, result.stderr
    # The rerun, logging every file it opens for writing: completes, clears every leftover, writes every file of
    # a complete run (the CLI lists them) and nothing else, each equal to what the interrupted runs had written.
    log = tmp_path / "schrijfacties.txt"
    log.unlink(missing_ok=True)
    result = cli("demo", out, tmp_path, "log", quiet=False)
    assert result.returncode == 0, result.stderr
    outputs, beside = check_folder(out)
    assert not beside, [p.name for p in beside]
    listed = {line.strip() for line in result.stdout.splitlines() if line.startswith("  ")}
    assert {str(p.relative_to(out)) for p in outputs} == listed
    assert len(listed) >= 50
    for p in outputs:
        name = str(p.relative_to(out))
        assert p.read_bytes() == seen.get(name, p.read_bytes()), name
    # Every file the run opened for writing was in its staging folder, none in the output folder itself (writers
    # in C — GDAL, SQLite — are not seen by the hook; they write to the path atomic_write hands them, in there).
    opened = [Path(p) for p in log.read_text(encoding="utf-8").splitlines()]
    assert len(opened) >= 40
    assert not [str(p) for p in opened if not STAGING.match(p.relative_to(out.parent).parts[0])]


def test_leftovers_of_dead_processes_only_are_swept(tmp_path):
    # A process that has ended: its pid is free. Leftovers carry host and pid in their names.
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(gone.stdout)
    names = {
        f".kaart.{_HOST}-{dead}-0123abcd.tmp.html": False,  # this machine, dead process: removed
        f".energieplanologie.{_HOST}-{dead}-0123abcd.tmp.gpkg-journal": False,  # its SQLite sidecar too
        f".kaart.{_HOST}-{os.getppid()}-0123abcd.tmp.html": True,  # a live process (pytest's parent): kept
        f".kaart.abcdef-{dead}-0123abcd.tmp.html": _HOST != "abcdef",  # another machine on a share: kept
        ".verborgen.txt": True,  # not ours
    }
    for name in names:
        (tmp_path / name).write_text("half", encoding="utf-8")
    with atomic_write(tmp_path / "kaart.html") as tmp:
        tmp.write_text("<html></html>", encoding="utf-8")
    kept = {p.name for p in tmp_path.iterdir()}
    assert kept == {n for n, stays in names.items() if stays} | {"kaart.html"}
    assert re.fullmatch(rf"\.kaart\.{_HOST}-{os.getpid()}-[0-9a-f]{{8}}\.tmp\.html", tmp.name)
