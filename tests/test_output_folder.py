"""The output folder: never over an input, checked before any work, written all or nothing.

* An output that would replace an input — ``run --out`` pointed at the folder of the user's own GeoPackage called
  ``energieplanologie.gpkg``, through a symlink too, or a judgements file inside the ``pmiek`` folder — is refused
  with one Dutch line and exit 2 before a single layer is read; the input stays byte for byte as it was.
* ``--out`` that is a file (or lies below one), a folder full of files that are not ours, a read-only folder and a
  disk without room for the set are refused the same way, before any work.
* A rerun that runs out of disk space half-way (a real small tmpfs, mounted by the test) leaves the previous set
  byte for byte as it was, says so in one Dutch line, exits non-zero and leaves no staging folder behind; with
  room again the rerun completes.
* The swap itself (:mod:`energieplanologie._outdir`): the command's own files are replaced as a whole, files it
  does not own are carried over as hard links, leftovers of killed runs are removed or put back.

The tmpfs tests need root (``mount``); without it they skip, and with ``CI=true`` a skip is a failure.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyogrio
import pytest

from energieplanologie._outdir import HOST, staged_output
from energieplanologie.sample import SAMPLE_DIR

ENV = {**os.environ, "OGR_CURRENT_DATE": "2025-01-01T00:00:00.000Z", "MPLBACKEND": "Agg", "COLUMNS": "200"}


def _ep(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "energieplanologie", *map(str, args)], capture_output=True,
                          text=True, env=ENV, timeout=900)


def _digest(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` with the sha256 of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _one_dutch_line(result: subprocess.CompletedProcess, *words: str) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Fout: ") and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".") and (".nieuw" in p.name or
                                                                               ".vorige" in p.name))


# ------------------------------------------------------------------------------------------ inputs


@pytest.fixture
def own_folder(tmp_path: Path) -> Path:
    """The sample as a user's own folder, its developments in a GeoPackage called energieplanologie.gpkg that also
    holds a layer of the user's own notes."""
    folder = tmp_path / "mijn_project"
    shutil.copytree(SAMPLE_DIR, folder)
    (folder / "ontwikkelingen.gpkg").rename(folder / "energieplanologie.gpkg")
    notes = pyogrio.read_dataframe(folder / "energieplanologie.gpkg").iloc[:3]
    pyogrio.write_dataframe(notes, folder / "energieplanologie.gpkg", layer="mijn_notities", append=True)
    config = folder / "project.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("ontwikkelingen.gpkg", "energieplanologie.gpkg"),
                      encoding="utf-8")
    return folder


def test_an_output_that_would_replace_an_input_is_refused_before_any_work(own_folder, tmp_path):
    before = _digest(own_folder)
    layers = sorted(pyogrio.list_layers(own_folder / "energieplanologie.gpkg")[:, 0])
    assert "mijn_notities" in layers
    config = own_folder / "project.toml"
    result = _ep("run", config, "--out", own_folder, "--machine-progress")
    assert result.returncode == 2
    _one_dutch_line(result, f"uitvoer {own_folder / 'energieplanologie.gpkg'} zou invoerbestand "
                            f"{own_folder / 'energieplanologie.gpkg'} overschrijven")
    assert "@@progress" not in result.stderr  # refused before a single layer was read
    assert _digest(own_folder) == before
    assert sorted(pyogrio.list_layers(own_folder / "energieplanologie.gpkg")[:, 0]) == layers
    assert _leftovers(tmp_path) == []
    # the same folder through a symlink
    link = tmp_path / "uitvoer"
    link.symlink_to(own_folder, target_is_directory=True)
    result = _ep("run", config, "--out", link)
    assert result.returncode == 2
    _one_dutch_line(result, "zou invoerbestand", "energieplanologie.gpkg")
    # a single step writing the same name, and the validation report written over the configuration
    result = _ep("hotspots", config, "--out", tmp_path / "knoop", "--validation-json", config)
    assert result.returncode == 2
    _one_dutch_line(result, f"--validation-json: uitvoer {config} zou invoerbestand {config} overschrijven")
    assert _digest(own_folder) == before


def test_an_input_inside_a_folder_the_run_replaces_is_refused(tmp_path):
    out = tmp_path / "uitvoer"
    (out / "pmiek").mkdir(parents=True)
    scores = out / "pmiek" / "beoordelingen.csv"  # the user keeps the judgements beside the project list
    shutil.copy(SAMPLE_DIR / "beoordelingen.csv", scores)
    config = tmp_path / "project.toml"
    text = (SAMPLE_DIR / "project.toml").read_text(encoding="utf-8")
    text = text.replace('path = "', f'path = "{SAMPLE_DIR}/').replace('"beoordelingen.csv"', f'"{scores}"')
    assert str(scores) in text
    config.write_text(text, encoding="utf-8")
    result = _ep("run", config, "--out", out)
    assert result.returncode == 2
    _one_dutch_line(result, f"uitvoer {out / 'pmiek'} zou invoerbestand {scores} overschrijven")
    assert scores.read_bytes() == (SAMPLE_DIR / "beoordelingen.csv").read_bytes()


def test_out_that_is_a_file_or_not_ours_is_refused_in_one_dutch_line(tmp_path):
    a_file = tmp_path / "uitvoer"
    a_file.write_text("mijn bestand\n", encoding="utf-8")
    for command in (["demo"], ["balance"], ["map"]):
        result = _ep(*command, "--out", a_file)
        assert result.returncode == 2, (command, result.stderr)
        _one_dutch_line(result, f"--out {a_file} is een bestand, geen map")
    result = _ep("demo", "--out", a_file / "sub")
    assert result.returncode == 2
    _one_dutch_line(result, f"{a_file} is een bestand, geen map")
    assert a_file.read_text(encoding="utf-8") == "mijn bestand\n"
    # a folder with the user's own files and nothing of ours: not an output folder (the home folder, say)
    home = tmp_path / "documenten"
    home.mkdir()
    (home / "Thumbs.db").write_bytes(b"")  # what Windows Explorer leaves in any folder does not count, a letter does
    (home / "brief.docx").write_bytes(b"brief")
    result = _ep("demo", "--out", home)
    assert result.returncode == 2
    _one_dutch_line(result, "bevat al andere bestanden (bv. brief.docx)", "kies een nieuwe of lege map")
    assert sorted(p.name for p in home.iterdir()) == ["Thumbs.db", "brief.docx"]
    (home / "brief.docx").unlink()
    assert _ep("density", "--out", home, "--quiet").returncode == 0  # only Thumbs.db: an empty folder
    assert _leftovers(tmp_path) == []


# ------------------------------------------------------------------------------------------ the swap itself


def test_the_set_is_replaced_as_a_whole_and_other_files_are_carried_over(tmp_path):
    out = tmp_path / "uitvoer"
    with staged_output(out, owns=["kaart.html", "pmiek"]) as folder:
        (folder / "kaart.html").write_text("oud", encoding="utf-8")
        (folder / "pmiek" / "fiches").mkdir(parents=True)
        (folder / "pmiek" / "fiches" / "P09.pdf").write_text("project dat verdwijnt", encoding="utf-8")
    (out / "notities.txt").write_text("van de gebruiker", encoding="utf-8")
    (out / "knooppunten.gpkg").write_text("van een andere stap", encoding="utf-8")
    inode = (out / "notities.txt").stat().st_ino
    with staged_output(out, owns=["kaart.html", "pmiek"]) as folder:
        assert not (out / "kaart.html").read_text(encoding="utf-8") == "nieuw"  # nothing changes until the swap
        (folder / "kaart.html").write_text("nieuw", encoding="utf-8")
        (folder / "pmiek" / "fiches").mkdir(parents=True)
        (folder / "pmiek" / "fiches" / "P01.pdf").write_text("nieuw project", encoding="utf-8")
    assert _digest(out).keys() == {"kaart.html", "pmiek/fiches/P01.pdf", "notities.txt", "knooppunten.gpkg"}
    assert (out / "kaart.html").read_text(encoding="utf-8") == "nieuw"
    assert (out / "notities.txt").stat().st_ino == inode  # carried over as a hard link, not copied
    # a step that owns one file inside a folder keeps the rest of it
    with staged_output(out, owns=["pmiek/afweging.csv"]) as folder:
        (folder / "pmiek").mkdir()
        (folder / "pmiek" / "afweging.csv").write_text("a", encoding="utf-8")
    assert _digest(out).keys() == {"kaart.html", "pmiek/fiches/P01.pdf", "pmiek/afweging.csv", "notities.txt",
                                   "knooppunten.gpkg"}
    assert _leftovers(tmp_path) == []


def test_a_failure_leaves_the_previous_set_untouched_and_no_staging_folder(tmp_path):
    out = tmp_path / "uitvoer"
    with staged_output(out, owns=["kaart.html"]) as folder:
        (folder / "kaart.html").write_text("oud", encoding="utf-8")
    before = _digest(out)
    with pytest.raises(RuntimeError, match="halverwege"), staged_output(out, owns=["kaart.html"]) as folder:
        (folder / "kaart.html").write_text("half", encoding="utf-8")
        raise RuntimeError("halverwege")
    assert _digest(out) == before
    assert _leftovers(tmp_path) == []


def test_leftovers_of_killed_runs_are_removed_or_put_back(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(gone.stdout)
    out = tmp_path / "uitvoer"
    # killed between the two renames of the portable swap: the previous set aside, no output folder
    aside = tmp_path / f".uitvoer.{HOST}-{dead}-0123abcd.vorige"
    aside.mkdir()
    (aside / "kaart.html").write_text("vorige set", encoding="utf-8")
    (aside / "notities.txt").write_text("van de gebruiker", encoding="utf-8")
    half = tmp_path / f".uitvoer.{HOST}-{dead}-4567abcd.nieuw"  # killed while writing
    half.mkdir()
    (half / "kaart.html").write_text("half", encoding="utf-8")
    alive = tmp_path / f".uitvoer.{HOST}-{os.getppid()}-89abcdef.nieuw"  # a run still going: left alone
    alive.mkdir()
    with staged_output(out, owns=["kaart.html"]) as folder:
        assert (out / "kaart.html").read_text(encoding="utf-8") == "vorige set"  # put back before anything else
        (folder / "kaart.html").write_text("nieuw", encoding="utf-8")
    assert (out / "kaart.html").read_text(encoding="utf-8") == "nieuw"
    assert (out / "notities.txt").read_text(encoding="utf-8") == "van de gebruiker"
    assert _leftovers(tmp_path) == [alive.name]


# ------------------------------------------------------------------------------------------ a real small disk


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Any]:
    """Mount tmpfs file systems of a given size (root only); unmounted afterwards."""
    mounted: list[Path] = []

    def mount(size: str, *, read_only: bool = False) -> Path:
        point = tmp_path / f"schijf{len(mounted)}"
        point.mkdir()
        options = f"size={size}" + (",ro" if read_only else "")
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True,
                                text=True)
        if result.returncode != 0:
            pytest.skip(f"tmpfs koppelen lukt niet (root nodig): {result.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in reversed(mounted):
        subprocess.run(["umount", str(point)], check=False)


def _free(path: Path) -> int:
    return shutil.disk_usage(path).free


@pytest.mark.slow
def test_a_full_disk_leaves_the_previous_set_byte_identical(small_disk):
    disk = small_disk("24m")
    out = disk / "uitvoer"
    config = SAMPLE_DIR / "project.toml"
    first = _ep("run", config, "--out", out, "--geen-pdf", "--quiet")
    assert first.returncode == 0, first.stderr
    before = _digest(out)
    # a full set: 39 files since charts are drawn for the stations short only (4 of 16) and flexbehoefte.csv came
    assert len(before) >= 35 and "stationsbalans.csv" in before and not any(name.endswith(".pdf") for name in before)
    used = sum(p.stat().st_blocks * 512 for p in out.rglob("*") if p.is_file())
    ballast = disk / "ballast"
    # Almost full (0.3 MB free): refused before any work. (Before, the rerun replaced file after file until the
    # disk was full, leaving new CSVs beside the old GeoPackage and map.)
    with ballast.open("wb") as fh:
        fh.write(b"\0" * (_free(disk) - 300_000))
    assert _free(disk) < 400_000
    refused = _ep("run", config, "--out", out, "--quiet", "--machine-progress")
    assert refused.returncode == 2
    _one_dutch_line(refused, "Te weinig vrije schijfruimte", f"--out {out}")
    assert _digest(out) == before and _leftovers(disk) == []
    # Room for the set as it is (the check before the analysis asks for the size of the set it replaces) plus
    # 0.3 MB; the rerun with PDFs needs about 1.2 MB more (the sample's 10 project sheets as PDF, measured with
    # du on a demo with and without --geen-pdf), so the disk fills half-way through writing the new set.
    os.truncate(ballast, ballast.stat().st_size - used)
    assert used <= _free(disk) < used + 400_000
    second = _ep("run", config, "--out", out, "--quiet")
    assert second.returncode == 2, second.stderr
    _one_dutch_line(second, "Schijf vol", f"--out {out} is niet veranderd")
    assert _digest(out) == before  # byte for byte the previous set
    assert _leftovers(disk) == [] and sorted(p.name for p in disk.iterdir()) == ["ballast", "uitvoer"]
    # room again: the rerun completes and replaces the set as a whole
    ballast.unlink()
    third = _ep("run", config, "--out", out, "--quiet")
    assert third.returncode == 0, third.stderr
    after = _digest(out)
    assert any(name.endswith(".pdf") for name in after) and after.keys() > before.keys()
    assert _leftovers(disk) == []


@pytest.mark.slow
def test_no_room_or_no_write_access_is_refused_before_any_work(small_disk):
    full = small_disk("3m")
    result = _ep("demo", "--out", full / "uitvoer", "--machine-progress")
    assert result.returncode == 2
    line = _one_dutch_line(result, "Te weinig vrije schijfruimte", "MB vrij", "nodig")
    assert "@@progress" not in result.stderr and not any(full.iterdir()), line
    read_only = small_disk("8m", read_only=True)
    result = _ep("run", SAMPLE_DIR / "project.toml", "--out", read_only / "uitvoer")
    assert result.returncode == 2
    _one_dutch_line(result, f"Kan niet schrijven in {read_only}", "alleen-lezen")
