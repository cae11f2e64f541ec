"""No input, configuration or environment gives a raw traceback (README: exit 1 for data errors, 2 for files or
configuration that cannot be read or used).

Every file of the bad-input corpus (``tests/data/bad``) goes through ``energieplanologie validate`` as every layer
kind, and every developments file of it through a whole analysis step; the configuration mistakes are in
``test_cli_config_errors.py``. The last line of defence, :func:`energieplanologie.cli.main`, is checked in a real
process.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from energieplanologie.cli import app
from energieplanologie.sample import SAMPLE_DIR
from energieplanologie.schema import KINDS

BAD = Path(__file__).parent / "data" / "bad"
runner = CliRunner()


def _corpus() -> tuple[dict[tuple[str, str], int], set[str]]:
    """(file, kind) → the exit code validate must give, from the corpus tables (tests/corpus.py); and the files too big to read."""
    from corpus import CORPUS, TOO_BIG, UNREADABLE

    expected = {(c.name, c.kind): (1 if c.errors else 0) for c in CORPUS if not c.kwargs}
    for name in UNREADABLE:
        expected[(name, "developments" if not name.startswith(("deep", "billion")) else "station_capacity")] = 2
    return expected, set(TOO_BIG)


def _invoke(args: list[str]):
    result = runner.invoke(app, args)
    # A traceback is never an answer: the runner would hold the exception.
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, repr(result.exception))
    assert "Traceback" not in result.output and "Traceback" not in result.stderr, args
    return result


def test_validate_every_corpus_file_as_every_kind():
    expected, too_big = _corpus()
    files = sorted(p.name for p in BAD.iterdir() if p.is_file() and p.suffix != ".py" and p.name not in too_big)
    assert len(files) >= 65
    seen = 0
    for name in files:
        for kind in KINDS:
            result = _invoke(["validate", str(BAD / name), "--kind", kind])
            assert result.exit_code in (0, 1, 2), (name, kind, result.exit_code)
            if result.exit_code == 2:  # unreadable: one Dutch line on stderr, nothing on stdout
                lines = result.stderr.strip().splitlines()
                assert len(lines) == 1 and lines[0].startswith("Fout: "), (name, kind, result.stderr)
            if (name, kind) in expected:
                assert result.exit_code == expected[(name, kind)], (name, kind, result.output)
                seen += 1
    assert seen == len(expected)


def _project_with(tmp_path: Path, developments: Path) -> Path:
    folder = tmp_path / "project"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(SAMPLE_DIR, folder)
    shutil.copy(developments, folder / developments.name)
    text = (folder / "project.toml").read_text(encoding="utf-8")
    start = text.index("[layers.developments]")
    end = text.index("\n\n", start)
    text = text[:start] + f'[layers.developments]\npath = "{developments.name}"' + text[end:]
    (folder / "project.toml").write_text(text, encoding="utf-8")
    return folder / "project.toml"


@pytest.mark.slow
def test_every_developments_file_of_the_corpus_through_the_knooppunten(tmp_path):
    # The sample project with its developments replaced by a corpus file (unreadable, all rows rejected, odd
    # values …): `hotspots` answers with results, a validation report, or one Dutch line — never a traceback.
    from corpus import CORPUS, UNREADABLE

    names = sorted({c.name for c in CORPUS if c.kind == "developments" and not c.kwargs} | set(UNREADABLE))
    codes = {}
    for name in names:
        config = _project_with(tmp_path, BAD / name)
        result = _invoke(["hotspots", str(config), "--out", str(tmp_path / "uit"), "--quiet"])
        codes[name] = result.exit_code
        assert result.exit_code in (0, 1, 2), (name, result.output)
        if result.exit_code:
            assert re.fullmatch(r"Fout: \S.*", result.stderr.strip()), (name, result.stderr)
    # Unreadable files are configuration-level failures (exit 2, naming layers.developments.path).
    assert all(codes[name] == 2 for name in UNREADABLE), codes


@pytest.mark.parametrize(("raised", "code", "line"), [
    ("RuntimeError('kapot')", 1, "Fout: onverwachte fout (RuntimeError: kapot). Dit is een fout in energieplanologie"),
    ("MemoryError()", 1, "Fout: onvoldoende geheugen voor deze invoer"),
    ("PermissionError(13, 'Permission denied', '/data/x.gpkg')", 2,
     "Fout: bestand of map /data/x.gpkg: geen toegang (rechten)."),
])
def test_the_last_line_of_defence_is_one_dutch_line(raised, code, line):
    # A command that raises what no command reports itself, in a real process through the console entry point.
    script = ("from energieplanologie import cli\n"
              "@cli.app.command('kapot')\n"
              f"def kapot() -> None:\n    raise {raised}\n"
              "cli.script()\n")
    done = subprocess.run([sys.executable, "-c", script, "kapot"], capture_output=True, text=True, timeout=120)
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr and done.stderr.startswith(line), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_the_script_runs_exit_handlers_and_skips_the_last_collection():
    # The console entry point (and ``python -m energieplanologie``): the command's output and exit code as main()
    # gives them, every exit handler still runs (this one, registered first, runs last), and by then the objects
    # are frozen: the collector's pass over them at exit is skipped.
    from energieplanologie import __version__

    probe = ("import atexit, gc, os\n"
             "atexit.register(lambda: os.write(1, f'bevroren={gc.get_freeze_count() > 0}\\n'.encode()))\n"
             "from energieplanologie import cli\n"
             "cli.script()\n")
    done = subprocess.run([sys.executable, "-c", probe, "--version"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert __version__ in done.stdout and done.stdout.endswith("bevroren=True\n"), done.stdout
    done = subprocess.run([sys.executable, "-m", "energieplanologie", "--version"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and __version__ in done.stdout, done.stderr


def test_warnings_of_libraries_are_not_hoarded(tmp_path):
    # The CLI prints the package's own warnings at the end; recording *every* warning for that (as it first did)
    # kept each repeat of esda's warnings during Gi* through the years in memory: over 6 GB and killed by the
    # system in the QGIS plugin's run. With 4 GB of address space to spare (numba and LLVM map much of that when
    # Gi* first runs) the sample's Gi* knooppunten are written (measured: about 330 MB resident in all).
    from corpus import _LIMITED

    done = subprocess.run([sys.executable, "-c", _LIMITED, "4000", "hotspots", "--method", "gistar", "--out",
                           str(tmp_path), "--quiet"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "knooppunten.gpkg").exists()
