"""The whole chain on one region, writing the output folder of DESIGN §9.

``demo`` and ``run`` call :func:`run_pipeline`; each stage is a thin call into the core followed by atomic
writes, so an interrupted run never leaves a half-written file behind.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from energieplanologie.io import atomic_write, write_layers
from energieplanologie.labels import LAYER_NAMES
from energieplanologie.progress import ProgressCallback, report
from energieplanologie.region import Region

__all__ = ["GPKG_NAME", "run_pipeline"]

GPKG_NAME = "energieplanologie.gpkg"


def _write_validation(region: Region, out_dir: Path) -> list[Path]:
    json_path, txt_path = out_dir / "validatie.json", out_dir / "validatie.txt"
    with atomic_write(json_path) as tmp:
        Path(tmp).write_text(json.dumps(region.validation_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    with atomic_write(txt_path) as tmp:
        Path(tmp).write_text(region.validation_text() + "\n", encoding="utf-8")
    return [json_path, txt_path]


def run_pipeline(
    region: Region,
    out_dir: str | Path,
    *,
    scenario: str | None = None,
    progress: ProgressCallback | None = None,
) -> list[Path]:
    """Run every analysis on ``region`` and write the output folder.

    Parameters
    ----------
    region : Region
        A validated region (:func:`~energieplanologie.load_sample` or :meth:`Region.from_config`).
    out_dir : path
        Output folder; created when missing. Existing files of a previous run are replaced atomically.
    scenario : str, optional
        Scenario name; default the region's configured scenario (``[analysis] scenario``) or ``verwacht``.
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    list of Path
        The files written, in order.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    report(progress, 0.0, "validatierapport schrijven")
    written += _write_validation(region, out)

    layers: dict[str, Any] = {LAYER_NAMES[k]: region.layer(k) for k in
                              ("municipalities", "stations", "infrastructure", "developments")}
    layers[LAYER_NAMES["station_capacity"]] = region.station_capacity
    if len(region.constraints):
        layers[LAYER_NAMES["constraints"]] = region.constraints
    report(progress, 0.9, "GeoPackage schrijven")
    gpkg = out / GPKG_NAME
    write_layers(gpkg, layers)
    written.append(gpkg)
    report(progress, 1.0, "klaar")
    return written
