"""Reading vector formats through pyogrio (GeoPackage, GeoJSON, Shapefile also zipped, FlatGeobuf).

:func:`read_vector` is the vector part of :func:`energieplanologie.io.read_layer`: it picks the layer
(:func:`pick_layer`), checks the memory a read needs, reads with or without Arrow, and checks the read is
complete; every failure a Dutch :class:`~energieplanologie.ReadError` naming the file.
"""

from __future__ import annotations

import json
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio

from energieplanologie._errors import ReadError, error_line
from energieplanologie._limits import READ_MEMORY_FACTOR, available_memory
from energieplanologie.labels import LAYER_NAMES
from energieplanologie.report import ValidationReport
from energieplanologie.schema import (
    SCHEMAS,
)

__all__ = ["pick_layer", "read_vector"]


_PLURAL = {"laag": "lagen", "shapefile": "shapefiles", "werkblad": "werkbladen"}


def pick_layer(names: list[str], kind: str, layer: str | None, path: Path, what: str) -> str:
    """The layer (or sheet, or zipped shapefile) to read among ``names``: the one asked for (also in other case),
    the only one, or the one named after the kind (canonical, Dutch layer name or Dutch label); otherwise a
    :class:`~energieplanologie.ReadError` listing them. ``what``: ``"laag"``, ``"shapefile"`` or ``"werkblad"``.

    Examples
    --------
    >>> pick_layer(["stations", "infrastructuur"], "infrastructure", None, Path("a.gpkg"), "laag")
    'infrastructuur'
    >>> pick_layer(["Blad1"], "stations", None, Path("a.xlsx"), "werkblad")
    'Blad1'
    """
    listed = ", ".join(names) or "(geen)"
    if layer is not None:
        if layer in names:
            return layer
        loose = [n for n in names if n.casefold() == layer.casefold()]
        if len(loose) == 1:
            return loose[0]
        raise ReadError(f"{path}: {what} {layer!r} bestaat niet (aanwezig: {listed}).", option="layer")
    if len(names) == 1:
        return names[0]
    if not names:
        raise ReadError(f"{path}: bevat geen {_PLURAL[what]}.")
    wanted = {kind.casefold(), LAYER_NAMES.get(kind, kind).casefold()}
    if kind in SCHEMAS:
        wanted.add(SCHEMAS[kind].label_nl.casefold())
    match = [n for n in names if n.casefold() in wanted]
    if len(match) == 1:
        return match[0]
    raise ReadError(f"{path}: meerdere {_PLURAL[what]} ({listed}); kies er één met layer=… (of --layer).")


def _vector_source(path: Path, fmt: str, kind: str, layer: str | None) -> tuple[str, str | None]:
    """The GDAL path and layer name to read."""
    if fmt == "zip":
        try:
            with zipfile.ZipFile(path) as zf:
                members = [m for m in zf.namelist() if not m.endswith("/") and "__MACOSX" not in m]
        except (zipfile.BadZipFile, OSError) as exc:
            raise ReadError(f"{path}: geen geldig zip-bestand ({exc}).") from exc
        shps = sorted(m for m in members if m.lower().endswith(".shp"))
        if not shps:
            raise ReadError(f"{path}: zip-bestand bevat geen shapefile (.shp); inhoud: {', '.join(members) or '(leeg)'}.")
        stems = [Path(m).stem for m in shps]
        chosen = pick_layer(stems, kind, layer, path, "shapefile")
        return f"/vsizip/{path.absolute()}/{shps[stems.index(chosen)]}", None
    if fmt == "gpkg":
        names = [str(n) for n in _list_layers(path)[:, 0]]
        return str(path), pick_layer(names, kind, layer, path, "laag")
    return str(path), None


def _list_layers(path: Path) -> np.ndarray:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pyogrio.list_layers(path)
    except Exception as exc:  # pyogrio.errors.DataSourceError and GDAL failures
        raise ReadError(f"{path}: niet te lezen als GeoPackage ({error_line(exc)}).") from exc


def read_vector(path: Path, fmt: str, kind: str, layer: str | None, report: ValidationReport) -> pd.DataFrame:
    """Read a vector source (``fmt`` a key of :data:`energieplanologie.io.FORMATS`'s values: gpkg, geojson, json,
    fgb, shp, zip) as a GeoDataFrame, unvalidated; what was noticed on the way goes into ``report``.

    Examples
    --------
    >>> from energieplanologie.report import ValidationReport
    >>> from energieplanologie.sample import SAMPLE_DIR
    >>> frame = read_vector(SAMPLE_DIR / "stations.gpkg", "gpkg", "stations", None, ValidationReport("stations"))
    >>> len(frame), str(frame.crs)
    (16, 'EPSG:28992')
    """
    source, layer_name = _vector_source(path, fmt, kind, layer)
    if fmt in ("geojson", "json", "fgb", "shp") and layer is not None:
        report.warning("layer_ignored", None, [], f"layer={layer!r} genegeerd: dit formaat heeft één laag")
    _check_read_memory(path, fmt, source)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            frame = pyogrio.read_dataframe(source, layer=layer_name, use_arrow=_arrow_readable(fmt, source, layer_name))
    except MemoryError as exc:  # GDAL's std::bad_alloc
        raise ReadError(f"{path}: te groot om in het geheugen te lezen (onvoldoende geheugen).") from exc
    except Exception as exc:  # DataSourceError, DataLayerError, FieldTypeError, GDAL errors on corrupt files
        raise ReadError(f"{path}: niet te lezen ({error_line(exc)}).") from exc
    measured = [w for w in caught if _MEASURED in str(w.message)]
    if measured:
        report.repair("dropped_m", "geometry", [],
                      "M-waarden (maatwaarden) verwijderd bij het lezen; de analyses zijn tweedimensionaal")
    for w in caught:
        if w not in measured:
            report.warning("reader_warning", None, [], f"melding bij het lezen: {w.message}")
    _check_complete(path, fmt, source, layer_name, len(frame))
    if fmt in ("geojson", "json"):
        frame = _restore_nul_texts(path, frame, report)
    # QGIS writes a layer without CRS to GeoPackage as an "undefined" SRS; that is no CRS at all.
    if getattr(frame, "crs", None) is not None and frame.crs.name in _UNDEFINED_SRS:
        frame = frame.set_crs(None, allow_override=True)
    report.rows_in = len(frame)
    return frame


def _source_bytes(path: Path, fmt: str, source: str) -> int:
    """Bytes GDAL will read for this source: for a shapefile (zipped or not) its .shp and .dbf unpacked, else the
    file itself."""
    if fmt == "zip" and source.startswith("/vsizip/"):
        member = source[len(f"/vsizip/{path.absolute()}/"):]
        stem = member[: -len(".shp")]
        try:
            with zipfile.ZipFile(path) as zf:
                return sum(i.file_size for i in zf.infolist() if i.filename in (member, stem + ".dbf", stem + ".DBF"))
        except (OSError, zipfile.BadZipFile):
            return 0
    if fmt == "shp":
        return sum(p.stat().st_size for p in (path, path.with_suffix(".dbf")) if p.exists())
    return path.stat().st_size


def _check_read_memory(path: Path, fmt: str, source: str) -> None:
    """Refuse, before reading, a source that would need more memory than is available (a small zip can hold a
    shapefile of gigabytes): GDAL would end in ``std::bad_alloc`` or the system would start killing processes."""
    size = _source_bytes(path, fmt, source)
    need = READ_MEMORY_FACTOR * size
    available = available_memory()
    if available is not None and need > available:
        raise ReadError(f"{path}: te groot om te lezen: {_mb(size)} aan gegevens (uitgepakt) vraagt ongeveer "
                        f"{_mb(need)} geheugen, er is {_mb(available)} beschikbaar. Lees het in delen of op een "
                        "machine met meer geheugen.")


def _mb(n: float) -> str:
    return f"{n / 1e6:.0f} MB"


def _restore_nul_texts(path: Path, frame: pd.DataFrame, report: ValidationReport) -> pd.DataFrame:
    """GDAL cuts a text at a NUL character (``"D17\\u0000-oud"`` becomes ``"D17"``, which may then clash with
    another id). When the GeoJSON holds an escaped NUL, take those texts from the file itself, with the NUL as
    U+FFFD (as the writers do), and say so."""
    data = path.read_bytes()
    if data.find(b"\\u0000") < 0:
        return frame
    try:
        features = json.loads(data.decode("utf-8-sig")).get("features") or []
    except (ValueError, UnicodeDecodeError, AttributeError, RecursionError):
        return frame  # GDAL read it; what it could not, the rest of validation reports
    if len(features) != len(frame):
        return frame
    fixed: dict[str, list[int]] = {}
    out = frame
    for i, feature in enumerate(features):
        props = feature.get("properties") if isinstance(feature, dict) else None
        for key, value in (props or {}).items() if isinstance(props, dict) else ():
            if isinstance(value, str) and "\x00" in value and key in frame.columns:
                if out is frame:
                    out = frame.copy()
                if out[key].dtype != object:
                    out[key] = out[key].astype(object)
                out.iat[i, out.columns.get_loc(key)] = value.replace("\x00", "\ufffd")
                fixed.setdefault(key, []).append(i)
    for key, rows in fixed.items():
        report.repair("nul_character", key, rows,
                      "NUL-teken in de tekst vervangen door '\ufffd' (anders was de tekst daar afgekapt)")
    return out


def _arrow_readable(fmt: str, source: str, layer: str | None) -> bool:
    """Whether pyogrio may read the layer through Arrow (2–3× faster on large layers): GeoPackages only (GDAL's
    Arrow path crashed the process on generated FlatGeobuf files), and not when the layer declares M values, which
    only the classic path reports and drops as :func:`read_vector` expects."""
    if fmt != "gpkg":
        return False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            pyogrio.read_info(source, layer=layer)
    except Exception:  # the classic read reports what is wrong
        return False
    return not any(_MEASURED in str(w.message) for w in caught)


#: pyogrio's warning when it reads M (measured) geometries as 2D/3D ones.
_MEASURED = "Measured (M) geometry types are not supported"


def _check_complete(path: Path, fmt: str, source: str, layer: str | None, rows: int) -> None:
    """A truncated FlatGeobuf or Shapefile reads as fewer features (or features without geometry) without an
    error from GDAL: compare with what the file's own header promises."""
    if fmt == "fgb":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            declared = pyogrio.read_info(source, layer=layer)["features"]
        if declared is not None and declared > rows:
            raise ReadError(f"{path}: bestand is afgebroken of beschadigd: de kop noemt {declared} objecten, er zijn "
                            f"er {rows} te lezen.")
    elif fmt in ("shp", "zip"):
        declared_bytes, actual_bytes = _shp_lengths(path, source)
        if declared_bytes is not None and actual_bytes < declared_bytes:
            raise ReadError(f"{path}: shapefile (.shp) is afgebroken of beschadigd: de kop noemt {declared_bytes} "
                            f"bytes, het bestand heeft er {actual_bytes}.")


def _shp_lengths(path: Path, source: str) -> tuple[int | None, int]:
    """The file length a .shp header declares (bytes 24–27, big-endian, in 16-bit words) and its real size."""
    try:
        if source.startswith("/vsizip/"):
            member = source[len(f"/vsizip/{path.absolute()}/"):]
            with zipfile.ZipFile(path) as zf:
                actual = zf.getinfo(member).file_size
                with zf.open(member) as fh:
                    head = fh.read(28)
        else:
            shp = Path(source)
            actual = shp.stat().st_size
            with shp.open("rb") as fh:
                head = fh.read(28)
    except (OSError, KeyError, zipfile.BadZipFile):
        return None, 0
    if len(head) < 28 or int.from_bytes(head[:4], "big") != 9994:  # not a shapefile header: GDAL has judged it
        return None, actual
    return int.from_bytes(head[24:28], "big") * 2, actual


_UNDEFINED_SRS = ("Undefined geographic SRS", "Undefined Cartesian SRS", "Undefined geographic SRS (fallback)")
