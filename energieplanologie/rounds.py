"""Programming rounds: frozen baselines of the inputs with their results, later deliveries, and provenance.

The source document's lesson from the pilots: fix a clear baseline of the regional developments at the start of a
round, so that new inputs do not keep arriving during the process, and run the cycle every two years.
:func:`freeze_round` stores an immutable snapshot of a round — for every input layer which file or table it came
from, the sha256 of that file (or of a canonical dump of the table), the sha256 of the validated data, who
delivered it (the data owner, ``[layers.X] owner = "…"`` in the configuration) and when — together with the
results computed from it. A frozen round cannot be overwritten (:class:`RoundFrozenError`). A delivery that
arrives afterwards is recorded by :func:`detect_changes` as a change for the next round, never merged into the
frozen one; :func:`compare_with_round` compares a later run with a frozen round through
:func:`energieplanologie.diff.diff_rounds` (a round stored in a database is exported to a GeoPackage first).

The store is a folder (:class:`FolderStore`, for users without a database) or a PostGIS schema
(:class:`PostgisStore`: tables ``rondes``, ``invoer`` and ``wijzigingen``, and the results of round 2025 in schema
``rondes_2025``; triggers refuse every change to a frozen round). :func:`open_store` picks one from a path or a
database source.

Provenance lives one layer down, in :mod:`energieplanologie.provenance` (:func:`provenance`,
:func:`add_gpkg_provenance`, :func:`read_gpkg_provenance`, the checksums and :class:`InputSnapshot`, re-exported
here); in the database the same lives in the ``herkomst`` table and the table comments
(:func:`energieplanologie.postgis.publish_to_postgis`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from energieplanologie._errors import ConfigError
from energieplanologie._secrets import mask_secrets, without_password
from energieplanologie._version import __version__
from energieplanologie.progress import ProgressCallback, report, scaled
from energieplanologie.provenance import (
    PROVENANCE_URI,
    InputSnapshot,
    add_gpkg_provenance,
    display_path,
    file_checksum,
    frame_checksum,
    provenance,
    read_gpkg_provenance,
    region_snapshots,
    snapshot_id,
)
from energieplanologie.region import LAYER_ORDER, Region
from energieplanologie.round_store import (
    CHANGE_COLUMNS,
    GPKG_NAME,
    GUARD_SCHEMA,
    INPUT_CHANGES,
    FolderStore,
    FrozenRound,
    PostgisStore,
    RoundFrozenError,
    Store,
    chain_order,
    changes_frame,
    check_round_name,
    frozen_message,
    guard_installed,
    install_guard,
    open_store,
    protect_store,
    round_document,
    round_hash,
)

if TYPE_CHECKING:  # pragma: no cover
    from energieplanologie.config import ProjectConfig, ProjectSettings
    from energieplanologie.diff import RoundDiff

__all__ = [
    "CHANGE_COLUMNS",
    "PROVENANCE_URI",
    "FolderStore",
    "FrozenRound",
    "InputSnapshot",
    "GUARD_SCHEMA",
    "PostgisStore",
    "RoundCheck",
    "RoundComparison",
    "RoundFrozenError",
    "add_gpkg_provenance",
    "compare_with_round",
    "detect_changes",
    "export_round",
    "file_checksum",
    "frame_checksum",
    "freeze_round",
    "guard_installed",
    "install_guard",
    "list_rounds",
    "open_store",
    "protect_store",
    "provenance",
    "read_gpkg_provenance",
    "round_document",
    "round_hash",
    "run_chain",
    "snapshot_inputs",
    "verify_round",
    "verify_rounds",
]

def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _load(config_or_region: Any) -> tuple[Region, ProjectConfig | None]:
    from energieplanologie.config import ProjectConfig, load_config, load_region_config

    if isinstance(config_or_region, Region):
        return config_or_region, None
    if isinstance(config_or_region, ProjectConfig):
        if config_or_region.path is None:
            raise ConfigError("configuratie zonder bestand: geef het pad van project.toml")
        return load_region_config(config_or_region.path), config_or_region
    if isinstance(config_or_region, (str, os.PathLike)):
        cfg = load_config(config_or_region)
        return load_region_config(config_or_region), cfg
    raise TypeError(f"verwacht een Region of het pad van een projectconfiguratie, kreeg {type(config_or_region).__name__}")


def snapshot_inputs(
    config_or_region: Region | ProjectConfig | str | os.PathLike[str],
    *,
    owners: Mapping[str, str] | None = None,
) -> tuple[Region, list[InputSnapshot]]:
    """Read the inputs and describe each layer as an :class:`InputSnapshot`.

    Parameters
    ----------
    config_or_region : Region, ProjectConfig or path of a project configuration
        From a configuration the sources are checksummed as delivered (file bytes, or a canonical dump of the
        table); from a :class:`Region` only its validated data is.
    owners : mapping of layer kind to str, optional
        Data owners; they override ``[layers.X] owner`` of the configuration.

    Returns
    -------
    (Region, list of InputSnapshot)
        The region read, and its inputs in layer order (an empty optional layer is left out).

    Examples
    --------
    >>> import energieplanologie as ep
    >>> from energieplanologie.sample import SAMPLE_CONFIG
    >>> region, inputs = snapshot_inputs(SAMPLE_CONFIG, owners={"stations": "Enduris"})
    >>> [(s.layer, s.owner, s.rows) for s in inputs][:2]
    [('municipalities', None, 3), ('stations', 'Enduris', 16)]
    """
    from energieplanologie import postgis

    region, cfg = _load(config_or_region)
    if cfg is None:  # a region built in code: its validated data only
        return region, region_snapshots(region, owners=owners)
    owners = dict(owners or {})
    base = cfg.base_dir
    out: list[InputSnapshot] = []
    for kind in LAYER_ORDER:
        frame = region.layer(kind)
        lc = cfg.layers.get(kind)
        if lc is None:
            continue  # an optional layer the configuration does not name
        data_sha = frame_checksum(frame)
        owner = owners.get(kind) or lc.owner
        table = source_sha = delivered = None
        if lc.is_database:
            table = lc.table or lc.layer
            source = without_password(lc.path)
            source_sha, _ = postgis.table_checksum(lc.path, table)  # type: ignore[arg-type]
        else:
            path = Path(lc.path)
            source = display_path(path, base) + (f" (laag {lc.layer})" if lc.layer else "")
            source_sha = file_checksum(path)
            delivered = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).replace(microsecond=0) \
                .isoformat().replace("+00:00", "Z")
        out.append(InputSnapshot(layer=kind, snapshot_id=snapshot_id(kind, data_sha), source=source,
                                 data_sha256=data_sha, rows=len(frame), table=table, source_sha256=source_sha,
                                 owner=owner, delivered_at=delivered))
    return region, out


# ----------------------------------------------------------------------------------------------- operations


#: What a round keeps of a run: the whole output folder, or only its GeoPackage (all result layers).
OUTPUTS = ("all", "gpkg")


def run_chain(region: Region, out_dir: Path, *, scenario: str | None, outputs: str,
              progress: ProgressCallback | None, settings: ProjectSettings | None = None) -> Path:
    """Run the chain: the whole output folder, or (``outputs="gpkg"``) only ``energieplanologie.gpkg``.

    What a round keeps (:data:`OUTPUTS`); the ``rondes vergelijken``/``publiceren`` commands use it for the
    run of now. Returns the path of the GeoPackage.

    Examples
    --------
    >>> import tempfile
    >>> import energieplanologie as ep
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     run_chain(ep.load_sample(), Path(folder), scenario=None, outputs="gpkg", progress=None).name
    'energieplanologie.gpkg'
    """
    from energieplanologie import pipeline
    from energieplanologie.io import write_layers

    if outputs not in OUTPUTS:
        raise ValueError(f"outputs moet een van {', '.join(OUTPUTS)} zijn, niet {outputs!r}.")
    if outputs == "all":
        pipeline.run_pipeline(region, out_dir, settings=settings, scenario=scenario, progress=progress)
    else:
        result = pipeline.analyse(region, settings=settings, scenario=scenario, progress=scaled(progress, 0.0, 0.9))
        write_layers(out_dir / pipeline.GPKG_NAME, pipeline.gpkg_layers(result))
    return out_dir / pipeline.GPKG_NAME


def _config_text(cfg: ProjectConfig | None) -> str | None:
    """The configuration file as text, every password of its database sources masked (also where TOML escapes
    it: a ``"`` or ``\\`` in a password is written ``\\"`` or ``\\\\`` in the file)."""
    from energieplanologie._secrets import MASK, passwords_in

    if cfg is None or cfg.path is None or not Path(cfg.path).is_file():
        return None
    text = Path(cfg.path).read_text(encoding="utf-8")
    sources = [lc.path for lc in cfg.layers.values() if lc.is_database]
    for secret in sorted({p for src in sources for p in passwords_in(src)}, key=len, reverse=True):
        text = text.replace(secret.replace("\\", "\\\\").replace('"', '\\"'), MASK)
    return mask_secrets(text, sources=sources)


def freeze_round(
    config_or_region: Region | ProjectConfig | str | os.PathLike[str],
    round: str | int,
    *,
    store: Store | str | os.PathLike[str],
    owners: Mapping[str, str] | None = None,
    results: str | os.PathLike[str] | None = None,
    scenario: str | None = None,
    outputs: str = "all",
    progress: ProgressCallback | None = None,
    settings: ProjectSettings | None = None,
) -> FrozenRound:
    """Freeze a programming round: store an immutable snapshot of the inputs together with their results.

    Parameters
    ----------
    config_or_region : path of a project configuration, ProjectConfig, or Region
        The inputs. From a configuration, each source is checksummed as delivered and ``[layers.X] owner`` names
        its data owner.
    round : str or int
        Round name, e.g. ``2025``.
    store : FolderStore, PostgisStore, folder or database source
        Where rounds live (:func:`open_store`).
    owners : mapping of layer kind to str, optional
        Data owners (override the configuration).
    results : path, optional
        An output folder (or its ``energieplanologie.gpkg``) already computed from exactly these inputs; its
        provenance must name the same input snapshots. Default: run the whole chain now.
    scenario : str, optional
        Scenario of the run (default the configured one).
    outputs : {"all", "gpkg"}, default "all"
        Keep the whole output folder of the run (maps, overviews, pMIEK) or only ``energieplanologie.gpkg``
        with every result layer (what later comparisons use).
    progress : callable, optional
        ``progress(fraction, message)``.
    settings : ProjectSettings, optional
        The analysis settings of the run; default those of the configuration (none for a Region).

    Returns
    -------
    FrozenRound

    Raises
    ------
    RoundFrozenError
        The round is already frozen in this store (it is never overwritten), or ``results`` belong to other
        inputs.

    Examples
    --------
    >>> import tempfile, energieplanologie as ep
    >>> store = tempfile.mkdtemp()
    >>> frozen = freeze_round(ep.load_sample(), 2025, store=store)  # doctest: +SKIP
    >>> freeze_round(ep.load_sample(), 2025, store=store)  # doctest: +SKIP
    Traceback (most recent call last):
    ...
    energieplanologie.rounds.RoundFrozenError: Ronde 2025 is al bevroren (...)
    """
    round_s = check_round_name(round)
    st = open_store(store)
    if st.exists(round_s):
        raise RoundFrozenError(frozen_message(round_s, st.load(round_s).frozen_at, st.label))
    report(progress, 0.0, "invoer lezen en controlesommen bepalen")
    region, inputs = snapshot_inputs(config_or_region, owners=owners)
    _, cfg = (None, None) if isinstance(config_or_region, Region) else _load_config_only(config_or_region)
    prov = provenance(region, round_s, inputs=inputs)
    with tempfile.TemporaryDirectory(prefix="ep-ronde-") as tmp:
        out = Path(tmp) / "uitvoer"
        if results is None:
            report(progress, 0.1, "resultaten berekenen")
            chosen = settings if settings is not None else (cfg.settings if cfg is not None else None)
            gpkg = run_chain(region, out, scenario=scenario, outputs=outputs, progress=scaled(progress, 0.1, 0.8),
                        settings=chosen)
        else:
            given = Path(results)
            source_dir = given.parent if given.suffix.lower() == ".gpkg" else given
            gpkg_given = given if given.suffix.lower() == ".gpkg" else given / GPKG_NAME
            if not gpkg_given.is_file():
                raise ConfigError(f"resultaten: {gpkg_given} niet gevonden.", key="results")
            theirs = read_gpkg_provenance(gpkg_given)
            if theirs is not None and sorted(theirs.get("snapshot_ids") or []) != sorted(prov["snapshot_ids"]):
                raise RoundFrozenError(
                    f"De resultaten in {gpkg_given} zijn berekend uit andere invoer (snapshots "
                    f"{', '.join(theirs.get('snapshot_ids') or [])}) dan de huidige ({', '.join(prov['snapshot_ids'])}); "
                    "draai opnieuw of bevries zonder --resultaten.")
            if given.suffix.lower() == ".gpkg":
                out.mkdir(parents=True)
                shutil.copy2(gpkg_given, out / GPKG_NAME)
            else:
                shutil.copytree(source_dir, out)
            gpkg = out / GPKG_NAME
        add_gpkg_provenance(gpkg, prov)
        report(progress, 0.85, "ronde opslaan")
        frozen = FrozenRound(round=round_s, region=region.name, frozen_at=_now(), version=__version__,
                             inputs=tuple(inputs))
        frozen = st.save(frozen, out, _config_text(cfg))
    report(progress, 1.0, f"ronde {round_s} bevroren")
    return frozen


def _load_config_only(config: ProjectConfig | str | os.PathLike[str]) -> tuple[None, ProjectConfig]:
    from energieplanologie.config import ProjectConfig, load_config

    return None, config if isinstance(config, ProjectConfig) else load_config(config)


def list_rounds(store: Store | str | os.PathLike[str]) -> pd.DataFrame:
    """The frozen rounds of a store, oldest first: round, region, frozen_at, version, inputs and open changes.

    Examples
    --------
    >>> import tempfile
    >>> list_rounds(tempfile.mkdtemp()).columns.tolist()
    ['round', 'region', 'frozen_at', 'version', 'n_inputs', 'snapshot_ids', 'location']
    """
    st = open_store(store)
    rows = [{"round": r.round, "region": r.region, "frozen_at": r.frozen_at, "version": r.version,
             "n_inputs": len(r.inputs), "snapshot_ids": ", ".join(r.snapshot_ids), "location": r.location}
            for r in st.rounds()]
    return pd.DataFrame(rows, columns=["round", "region", "frozen_at", "version", "n_inputs", "snapshot_ids",
                                       "location"])


def _latest(st: Store, round: str | int | None) -> FrozenRound:
    if round is not None:
        return st.load(check_round_name(round))
    rounds = st.rounds()
    if not rounds:
        raise ConfigError(f"geen bevroren ronde in {st.label}; bevries er eerst een (energieplanologie baseline "
                          "freeze --round …).", key="round")
    return rounds[-1]


def _compare_inputs(frozen: FrozenRound, current: list[InputSnapshot]) -> pd.DataFrame:
    now = _now()
    rows = []
    current_by = {s.layer: s for s in current}
    for layer in LAYER_ORDER:
        old, new = frozen.input(layer), current_by.get(layer)
        if old is None and new is None:
            continue
        if old is not None and new is not None:
            same_source = old.source_sha256 is None or new.source_sha256 is None or \
                old.source_sha256 == new.source_sha256
            if old.data_sha256 == new.data_sha256 and same_source:
                continue
            change = "changed"
        else:
            change = "added" if old is None else "removed"
        ref = new or old
        assert ref is not None  # a layer comes from the frozen round or the current inputs
        rows.append({"layer": layer, "change": change, "source": ref.source, "table": ref.table,
                     "owner": (new.owner if new is not None else None) or (old.owner if old is not None else None),
                     "round": frozen.round,
                     "old_snapshot_id": old.snapshot_id if old else None,
                     "new_snapshot_id": new.snapshot_id if new else None,
                     "old_sha256": (old.source_sha256 or old.data_sha256) if old else None,
                     "new_sha256": (new.source_sha256 or new.data_sha256) if new else None,
                     "detected_at": now, "included_in": None})
    return changes_frame(rows)


def detect_changes(
    config_or_region: Region | ProjectConfig | str | os.PathLike[str],
    *,
    store: Store | str | os.PathLike[str],
    round: str | int | None = None,
    owners: Mapping[str, str] | None = None,
    record: bool = True,
) -> pd.DataFrame:
    """Input layers that differ from a frozen round, recorded as changes for the next round.

    Parameters
    ----------
    config_or_region : path of a project configuration, ProjectConfig, or Region
        The inputs as they are now.
    store : store, folder or database source
        Where the frozen round lives.
    round : str or int, optional
        The frozen round to compare with; default the latest.
    owners : mapping, optional
        Data owners, as for :func:`freeze_round`.
    record : bool, default True
        Add the changes (those not recorded before) to the store's ``wijzigingen``; the frozen round itself is
        never touched.

    Returns
    -------
    DataFrame
        Columns :data:`CHANGE_COLUMNS`: ``layer``, ``change`` (``changed``/``added``/``removed``), ``source``,
        ``table``, ``owner``, ``round`` (the frozen round), old and new snapshot id and sha256, ``detected_at``,
        ``included_in`` (the later round that took the change in; empty while pending).
    """
    st = open_store(store)
    frozen = _latest(st, round)
    _, current = snapshot_inputs(config_or_region, owners=owners)
    changes = _compare_inputs(frozen, current)
    if record and len(changes):
        st.add_changes(changes)
    return changes


@dataclass(frozen=True)
class RoundComparison:
    """A later run against a frozen round: which inputs changed and what that changed in the results."""

    round: str
    inputs: pd.DataFrame
    diff: RoundDiff
    files: list[Path] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        counts = {f"invoer_{INPUT_CHANGES[k]}": int((self.inputs["change"] == k).sum()) for k in INPUT_CHANGES}
        return {**counts, **self.diff.summary()}


def export_round(store: Store | str | os.PathLike[str], round: str | int, path: str | os.PathLike[str]) -> Path:
    """Copy a frozen round's results to a GeoPackage (from a folder or from the database)."""
    st = open_store(store)
    round_s = check_round_name(round)
    target = Path(path)
    with tempfile.TemporaryDirectory(prefix="ep-export-") as tmp:
        source = st.results_gpkg(round_s, Path(tmp))
        from energieplanologie._atomic import atomic_write

        with atomic_write(target) as out:
            shutil.copyfile(source, out)
    target.chmod(0o644)
    return target


def compare_with_round(
    current: Region | ProjectConfig | str | os.PathLike[str],
    round: str | int | None = None,
    *,
    store: Store | str | os.PathLike[str],
    out_dir: str | os.PathLike[str] | None = None,
    owners: Mapping[str, str] | None = None,
    scenario: str | None = None,
    record: bool = True,
    progress: ProgressCallback | None = None,
    settings: ProjectSettings | None = None,
) -> RoundComparison:
    """Compare the current inputs and results with a frozen round.

    ``current`` is a project configuration or Region (its chain is run now), or the ``energieplanologie.gpkg`` of
    a run (its provenance tells the inputs). The frozen results are taken from the store (a round in the database
    is exported to a GeoPackage first) and compared with :func:`energieplanologie.diff.diff_rounds`; changed inputs
    are recorded as changes for the next round (``record=True``). With ``out_dir`` the comparison is written as
    ``verschillen.html``, ``verschillen.csv`` and ``invoerwijzigingen.csv``. ``settings``: the analysis settings
    of the run now (default those of the configuration; none for a Region).
    """
    from energieplanologie.diff import diff_rounds
    from energieplanologie.diff_report import write_diff
    from energieplanologie.io import write_csv
    from energieplanologie.labels import to_dutch

    st = open_store(store)
    frozen = _latest(st, round)
    with tempfile.TemporaryDirectory(prefix="ep-vergelijk-") as tmp:
        tmp_dir = Path(tmp)
        given = Path(current) if isinstance(current, (str, os.PathLike)) and \
            str(current).lower().endswith(".gpkg") else None
        if given is not None:
            prov = read_gpkg_provenance(given) or {}
            snaps = [InputSnapshot.from_dict(s) for s in prov.get("inputs", [])]
            changes = _compare_inputs(frozen, snaps) if snaps else changes_frame([])
            new_gpkg = given
        else:
            report(progress, 0.0, "invoer lezen")
            region, snaps = snapshot_inputs(current, owners=owners)
            changes = _compare_inputs(frozen, snaps)
            report(progress, 0.1, "resultaten berekenen")
            if settings is None and not isinstance(current, Region):
                settings = _load_config_only(current)[1].settings
            new_gpkg = run_chain(region, tmp_dir / "nu", scenario=scenario, outputs="gpkg",
                            progress=scaled(progress, 0.1, 0.8), settings=settings)
            add_gpkg_provenance(new_gpkg, provenance(region, inputs=snaps))
        if record and len(changes):
            st.add_changes(changes)
        report(progress, 0.85, f"vergelijken met ronde {frozen.round}")
        old_gpkg = st.results_gpkg(frozen.round, tmp_dir)
        diff = diff_rounds(old_gpkg, new_gpkg)
        files: list[Path] = []
        if out_dir is not None:
            files = write_diff(diff, Path(out_dir))
            files.append(write_csv(to_dutch(changes.assign(change=changes["change"].map(INPUT_CHANGES))),
                                   Path(out_dir) / "invoerwijzigingen.csv", dutch_headers=False))
    report(progress, 1.0, "klaar")
    return RoundComparison(frozen.round, changes, diff, files)


@dataclass(frozen=True)
class RoundCheck:
    """The outcome of checking one frozen round (:func:`verify_rounds`).

    Attributes
    ----------
    round : str
        The round.
    sha256 : str or None
        Its content hash as stored (None: frozen by an older version, without one).
    problems : tuple of str
        What does not match, in Dutch; empty when the round is as it was frozen.
    """

    round: str
    sha256: str | None
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_rounds(store: Store | str | os.PathLike[str], round: str | int | None = None, *,
                  expected: str | None = None) -> list[RoundCheck]:
    """Recompute every frozen round of a store and its place in the chain; what does not match, per round.

    For each round, oldest first: every stored result file or table against its recorded sha256 (extra ones
    too); the round's content hash (:func:`round_hash`) against the one recorded; and the previous round's hash it
    recorded against that round's own. A round changed after it was frozen — its data, its manifest or catalogue
    rows, the deliveries it took in — fails the first or second check; rewriting a round *and* its hash breaks the
    link from the round after it. The newest round has no successor: compare its hash with one kept elsewhere
    (the minutes of the session that froze it) through ``expected``.

    Parameters
    ----------
    store : store, folder or database source
        Where the rounds live.
    round : str or int, optional
        Report only this round (the chain up to it is still checked).
    expected : str, optional
        The (first 12 or more characters of the) hash the newest (or the given) round must have.

    Returns
    -------
    list of RoundCheck
    """
    st = open_store(store)
    rounds = chain_order(st.rounds())
    wanted = None if round is None else check_round_name(round)
    if wanted is not None and wanted not in [r.round for r in rounds]:
        st.load(wanted)  # the Dutch "not found"
    checks = []
    previous: FrozenRound | None = None
    for r in rounds:
        problems = list(st.verify(r.round))
        if r.sha256 is None:
            if previous is not None and previous.sha256 is not None:
                problems.append("heeft geen inhoudshash, maar de ronde ervoor wel: de ronde of haar hash is "
                                "verwijderd of vervangen")
        else:
            if round_hash(r, st.included_changes(r.round)) != r.sha256:
                problems.append("de inhoud klopt niet meer met de inhoudshash van het bevriezen (invoer, "
                                "resultaten of opgenomen wijzigingen zijn veranderd)")
            recorded = previous.sha256 if previous is not None else None
            if r.previous_sha256 != recorded:
                before = f"ronde {previous.round}" if previous is not None else "geen eerdere ronde"
                problems.append(f"de keten is verbroken: deze ronde verwijst naar vorige hash "
                                f"{(r.previous_sha256 or '(geen)')[:12]}, maar {before} heeft "
                                f"{(recorded or '(geen)')[:12]} (een eerdere ronde is gewijzigd, vervangen of "
                                "verwijderd)")
        checks.append(RoundCheck(r.round, r.sha256, tuple(problems)))
        previous = r
        if r.round == wanted:
            break
    if expected is not None and checks:
        last = checks[-1]
        given = expected.strip().lower()
        if len(given) < 12 or not (last.sha256 or "").startswith(given):
            checks[-1] = RoundCheck(last.round, last.sha256, (*last.problems, (
                f"de inhoudshash {(last.sha256 or '(geen)')[:12]} is niet de verwachte {given[:12]}")))
    if wanted is not None:
        checks = [c for c in checks if c.round == wanted]
    return checks


def verify_round(store: Store | str | os.PathLike[str], round: str | int) -> list[str]:
    """What changed in a frozen round since it was frozen (empty when it is untouched), in Dutch: its results,
    its content hash and its link to the round before it (:func:`verify_rounds`)."""
    return list(verify_rounds(store, round)[0].problems)
