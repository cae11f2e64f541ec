"""Domain exceptions. All subclass :class:`ValueError` so callers can catch them broadly."""

from __future__ import annotations

import errno

__all__ = ["ConfigError", "EnergieplanologieError", "EnergieplanologieWarning", "OutputError", "ReadError",
           "UnusableLayerError", "ValidationError", "error_line", "os_reason"]

_OS_REASONS = {
    errno.ENOENT: "bestaat niet",
    errno.EACCES: "geen toegang (rechten)",
    errno.EPERM: "geen toegang (rechten)",
    errno.ENOTDIR: "een deel van het pad is een bestand, geen map",
    errno.EISDIR: "is een map, geen bestand",
    errno.ENOSPC: "schijf vol",
    errno.EROFS: "alleen-lezen bestandssysteem",
    errno.EEXIST: "bestaat al",
    errno.EIO: "leesfout van het apparaat",
    errno.ELOOP: "te veel symbolische koppelingen (een kring?)",
    errno.ENAMETOOLONG: "naam te lang",
}


def error_line(exc: BaseException) -> str:
    """The first line of an exception's text (its type's name when it has none), at most 300 characters: what a
    Dutch message quotes of a library's error.

    Examples
    --------
    >>> error_line(ValueError("kapot\\nmeer details"))
    'kapot'
    >>> error_line(KeyError())
    'KeyError'
    """
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]


def os_reason(exc: OSError) -> str:
    """A Dutch reason for an operating-system error (the system's own text when there is no Dutch one).

    Examples
    --------
    >>> os_reason(PermissionError(13, "Permission denied"))
    'geen toegang (rechten)'
    """
    return _OS_REASONS.get(exc.errno or -1) or exc.strerror or str(exc)


class EnergieplanologieError(ValueError):
    """Base class of every error this package raises on bad input.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> try:
    ...     ep.read_layer("bestaat_niet.gpkg", "stations")
    ... except ep.EnergieplanologieError as exc:  # ReadError, ConfigError and ValidationError are all caught
    ...     print(type(exc).__name__, exc)
    ReadError bestaat_niet.gpkg: bestand niet gevonden.
    """


class ReadError(EnergieplanologieError):
    """A source could not be read at all (missing, empty, corrupt or unknown format).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import energieplanologie as ep
    >>> empty = pathlib.Path(tempfile.mkdtemp()) / "stations.gpkg"
    >>> _ = empty.write_bytes(b"")
    >>> try:
    ...     ep.read_layer(empty, "stations")
    ... except ep.ReadError as exc:
    ...     print(str(exc).split(": ", 1)[1])
    bestand is leeg (0 bytes).

    ``option`` names the reading option at fault when it is not the source itself: ``"layer"`` for a layer,
    worksheet or zip member that does not exist, ``"table"`` for a missing database table (the configuration turns
    it into its own key without reading the message).
    """

    def __init__(self, message: str, *, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option


class ValidationError(EnergieplanologieError):
    """A layer failed validation; ``report`` holds every error, repair and the row accounting.

    Raised by :func:`~energieplanologie.validate` with ``raise_on_error=True``; without it, rejected rows are
    only reported.

    Examples
    --------
    >>> import pandas as pd
    >>> import energieplanologie as ep
    >>> rows = pd.DataFrame({"station_id": ["TNZ"], "year": [1850], "offtake_capacity_mw": [120.0]})
    >>> try:
    ...     ep.validate(rows, "station_capacity", raise_on_error=True)
    ... except ep.ValidationError as exc:
    ...     print(exc.report.rows_rejected, exc.report.errors[0].column, exc.report.errors[0].message)
    1 year waarde buiten bereik (≥ 2000 verwacht)
    """

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report


class UnusableLayerError(ValidationError):
    """A layer the user supplied yields no usable row (empty, no CRS, every row rejected): the analysis stops.

    ``layers`` maps each such layer kind to ``(code, reason)``: the code of its layer-level error
    (``missing_crs``, ``empty_layer``, ``missing_column`` …) or ``all_rejected``, and the Dutch reason. Every
    interface adds its own hint (a configuration key, a command-line option, a dialog parameter).

    Examples
    --------
    >>> exc = UnusableLayerError("ontwikkelingen: geen bruikbare rijen", {"developments": ("empty_layer", "leeg")})
    >>> exc.layers["developments"][0]
    'empty_layer'
    """

    def __init__(self, message: str, layers: dict[str, tuple[str, str]], report: object | None = None) -> None:
        super().__init__(message, report)
        self.layers = layers


class ConfigError(EnergieplanologieError):
    """A project configuration is wrong; the message names the offending key.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> from energieplanologie.config import load_config
    >>> try:
    ...     load_config(data={"layers": {"rivieren": {"path": "x.gpkg"}}})
    ... except ep.ConfigError as exc:
    ...     print(exc.key)
    layers.rivieren
    """

    def __init__(self, message: str, key: str | None = None, *, option: str | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.option = option  # the reading option at fault ("mapping"), for the configuration's key


class OutputError(EnergieplanologieError):
    """The output cannot be written: the output path is a file, not writable, full, holds files that are not
    ours, or would replace an input. The message is one Dutch line; nothing in the output folder has changed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import energieplanologie as ep
    >>> from energieplanologie.pipeline import run_pipeline
    >>> not_a_folder = pathlib.Path(tempfile.mkdtemp()) / "uitvoer"
    >>> _ = not_a_folder.write_text("een bestand", encoding="utf-8")
    >>> try:
    ...     run_pipeline(ep.load_sample(), not_a_folder)
    ... except ep.OutputError as exc:
    ...     print(str(exc).split(" is ")[1])
    een bestand, geen map; geef een map op (die wordt gemaakt als hij ontbreekt).
    """


class EnergieplanologieWarning(UserWarning):
    """A setting or input that works but probably not as the user meant (Dutch message naming the key).

    The command line prints each one as ``Waarschuwing: …`` on stderr.

    Examples
    --------
    >>> import warnings
    >>> import energieplanologie as ep
    >>> from energieplanologie.density import kde
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = kde(ep.load_sample(), cell_m=1000, bandwidth_m=500)
    >>> print(str(caught[0].message).split(":")[0])
    density.bandwidth_m
    """
