"""The variant chart: :func:`plot_variants` draws a :func:`~energieplanologie.variants.compare_variants`
comparison with Dutch labels, :func:`write_variants` writes it as ``varianten.csv`` and ``varianten.png``.

The comparison is computed in :mod:`energieplanologie.variants`; this module only presents it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from energieplanologie._atomic import atomic_write
from energieplanologie.labels import format_number
from energieplanologie.writers import write_csv

__all__ = ["plot_variants", "write_variants"]


def plot_variants(comparison: pd.DataFrame, *, title: str | None = None) -> Any:
    """A three-panel figure: remaining shortage per year, stations short per year, and cost against the
    developments accommodated in the last year. Dutch labels.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import energieplanologie as ep
    >>> from energieplanologie.variants import Variant, compare_variants
    >>> variants = [Variant("ip", ("P01", "P03"), label="Investeringsplan"), Variant("niets", ())]
    >>> fig = plot_variants(compare_variants(ep.load_sample(), variants))
    >>> len(fig.axes)
    3
    >>> fig.savefig("varianten.png")  # doctest: +SKIP
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 4.2), dpi=120, layout="constrained")
    ax1, ax2, ax3 = fig.subplots(1, 3)
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    labels = dict(zip(comparison["variant"], comparison["label"], strict=False))
    names = list(dict.fromkeys(comparison["variant"]))
    years = sorted(comparison["year"].unique())
    width = 0.8 / max(1, len(names))
    for i, name in enumerate(names):
        grp = comparison.loc[comparison["variant"] == name]
        ax1.plot(grp["year"], grp["total_shortage_mw"], marker="o", color=f"C{i}", label=labels[name],
                 linestyle=("-", "--", ":", "-.")[i % 4])
        pos = np.searchsorted(years, grp["year"]) + (i - (len(names) - 1) / 2) * width
        ax2.bar(pos, grp["stations_short"], width=width, color=f"C{i}", label=labels[name])
    ax1.set(title="Resterend tekort", xlabel="Jaar", ylabel="Tekort (MW, alle stations en richtingen)")
    ax1.set_xticks(years)
    ax2.set(title="Stations met tekort", xlabel="Jaar", ylabel="Aantal stations")
    ax2.set_xticks(range(len(years)), [str(y) for y in years])
    last = comparison.loc[comparison["year"] == comparison["year"].max()]
    ax3.scatter(last["total_cost_meur"], last["developments_accommodated"], s=60,
                c=[f"C{names.index(n)}" for n in last["variant"]], zorder=3)
    for x, y, lab in zip(last["total_cost_meur"], last["developments_accommodated"], last["label"], strict=True):
        ax3.annotate(str(lab), (x, y), xytext=(6, 4), textcoords="offset points", fontsize=9)
    total = int(last["developments_total"].max()) if len(last) else 0
    ax3.set(title=f"Kosten en ontwikkelingen ({int(comparison['year'].max())})", xlabel="Totale kosten (M€)",
            ylabel=f"Ontwikkelingen geaccommodeerd (van {total})")
    ax3.margins(x=0.25, y=0.15)
    for ax in (ax2, ax3):
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    dutch = FuncFormatter(lambda value, _pos: format_number(value, 1, trim=True))
    ax1.yaxis.set_major_formatter(dutch)
    ax3.xaxis.set_major_formatter(dutch)
    for ax in (ax1, ax2, ax3):
        ax.grid(alpha=0.3)
    ax1.legend(fontsize=8, title="Variant", title_fontsize=8)
    if title:
        fig.suptitle(title)
    return fig


def write_variants(comparison: pd.DataFrame, out_dir: str | Path, *, title: str | None = None) -> list[Path]:
    """Write ``varianten.csv`` (Dutch headers) and ``varianten.png`` (the chart) into ``out_dir``, atomically.

    Parameters
    ----------
    comparison : DataFrame
        :func:`energieplanologie.variants.compare_variants`.
    out_dir : str or Path
        The folder (it must exist).
    title : str, optional
        The chart's title.

    Returns
    -------
    list of Path
        The CSV and the PNG.

    Examples
    --------
    >>> import tempfile
    >>> import energieplanologie as ep
    >>> from energieplanologie.variants import Variant, compare_variants
    >>> comparison = compare_variants(ep.load_sample(), [Variant("ip", ("P01", "P03"))])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     [p.name for p in write_variants(comparison, folder)]
    ['varianten.csv', 'varianten.png']
    """
    out = Path(out_dir)
    csv = write_csv(comparison, out / "varianten.csv")
    png = out / "varianten.png"
    fig = plot_variants(comparison, title=title)
    with atomic_write(png) as tmp:
        fig.savefig(tmp, format="png", metadata={"Software": None})
    return [csv, png]
