"""Write ``docs/api.md``, the reference of the public API, from the docstrings.

    python tools/make_api_docs.py           # (re)write docs/api.md
    python tools/make_api_docs.py --check   # exit 1 when docs/api.md is not what the docstrings say

The docstrings are the source (numpydoc, parsed with :mod:`numpydoc.docscrape`); this page only arranges them by
step of the process, turns their reStructuredText roles into Markdown and keeps the examples as they are (they
run as doctests in ``tests/test_doctests.py``). The output is deterministic: no dates, names in a fixed order.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import re
import sys
from pathlib import Path

from numpydoc.docscrape import ClassDoc, FunctionDoc, NumpyDocString

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "api.md"

#: The public API (``import energieplanologie as ep``; ``ep.<name>``) by step of the process: heading, intro,
#: then ``name: module`` (the module under ``energieplanologie`` that defines the name).
GROUPS: list[tuple[str, str, dict[str, str]]] = [
    ("Inzicht: inlezen, valideren, de regio",
     "Stap 1 van de handreiking: bestaande data bundelen. Lezen is vergevingsgezind (kolommapping, Nederlandse koppen "
     "en waarden, omprojecteren), valideren is streng en niets gebeurt stil.",
     {"load_sample": "sample", "read_layer": "io", "LayerRead": "io", "validate": "schema",
      "ValidationReport": "report", "Region": "region", "load_config": "config",
      "read_capaciteitskaart": "capaciteitskaart", "write_layers": "writers", "write_csv": "writers",
      "get_scenario": "scenarios", "weighted_mw": "scenarios", "synthetic_region": "synthetic"}),
    ("Stationsbalans",
     "Pilot West-Brabant: capaciteit per station tegenover de last, per jaar, richting en scenario, en wat "
     "netprojecten mogelijk maken; flexopties (opslag, conversie, niet-vaste contracten, kabelpooling) en de "
     "flex die elk tekort overbrugt.",
     {"allocate": "allocation", "allocate_region": "allocation", "allocate_result": "allocation",
      "allocate_region_result": "allocation", "AllocationResult": "allocation", "station_balance": "balance",
      "station_balance_result": "balance", "BalanceResult": "balance", "project_enablement": "balance",
      "project_enablement_result": "balance", "EnablementResult": "balance", "flex_assets": "flex",
      "flex_need": "flex", "station_chart": "charts"}),
    ("Knooppunten en dichtheid",
     "Pilot Noord-Holland Noord, stap 3: waar ontwikkelingen samenkomen, met een lokaal, provinciaal of nationaal "
     "karakter.",
     {"detect_hotspots": "hotspots", "hotspots_through_time": "hotspots",
      "hotspots_through_time_result": "hotspots", "HotspotsThroughTimeResult": "hotspots", "kde": "density",
      "write_density": "raster_output"}),
    ("Kaarten en gemeenteoverzichten",
     "Pilot Zeeuws-Vlaanderen: per gemeente een totaalbeeld; interactieve (folium) en statische (matplotlib) "
     "kaarten.",
     {"region_map": "maps", "static_region_map": "maps", "publish": "maps",
      "municipality_overview": "overview", "write_overviews": "overview"}),
    ("Afwegen, varianten en het pMIEK",
     "Stap 2 en 4: het afwegingskader A–H, ontwikkelvarianten, de projectenlijst en de projectfiches.",
     {"load_framework": "assessment", "score_projects": "assessment", "Variant": "variants",
      "compare_variants": "variants", "compare_variants_result": "variants", "VariantsResult": "variants",
      "project_list": "pmiek", "project_sheet_html": "pmiek",
      "write_pmiek": "pmiek"}),
    ("Programmeerrondes",
     "Wat is er veranderd sinds de vorige ronde?",
     {"diff_rounds": "diff"}),
    ("Borgen en uitvoeren: de halfjaarlijkse voortgangstoets",
     "Stap 5: de stand van de projecten tegenover het programma, en welke stations door een vertraging eerder, "
     "langer of dieper tekortkomen en welke ontwikkelingen moeten wachten.",
     {"monitor": "monitoring", "MonitorResult": "monitoring", "consequences_result": "monitoring",
      "ConsequencesResult": "monitoring"}),
    ("De hele keten",
     "Alles in één keer, zoals `energieplanologie run` en `energieplanologie demo` het doen.",
     {"analyse": "pipeline", "Analysis": "pipeline", "run_pipeline": "pipeline"}),
    ("Fouten",
     "Alle fouten op invoer zijn een `EnergieplanologieError` (een `ValueError`) met een Nederlandse melding.",
     {"EnergieplanologieError": "_errors", "ReadError": "_errors", "ConfigError": "_errors",
      "ValidationError": "_errors"}),
]


def public_api() -> dict[str, str]:
    """Every public name and its module, in page order."""
    return {name: module for _, _, names in GROUPS for name, module in names.items()}


# ---------------------------------------------------------------------------------------------- rendering

_ROLE = re.compile(r":(?:func|class|meth|data|attr|mod|obj|exc):`~?([^`]+)`")


def markdown(text: str) -> str:
    """reStructuredText inline markup of the docstrings as Markdown."""
    text = _ROLE.sub(lambda m: f"`{m.group(1).split('.')[-1] if m.group(0).count('~') else m.group(1)}`", text)
    text = re.sub(r"``([^`]+)``", r"`\1`", text)
    return text


def _paragraphs(lines: list[str]) -> str:
    return markdown("\n".join(lines).strip())


def _annotation(value: object) -> str:
    """An annotation as written in the source (``from __future__ import annotations`` keeps them as text)."""
    if isinstance(value, str):
        return value
    if hasattr(value, "__forward_arg__"):  # typing.ForwardRef, e.g. in a NamedTuple
        return value.__forward_arg__  # type: ignore[no-any-return]
    return inspect.formatannotation(value)


def _signature(name: str, obj: object) -> str:
    """``name(a: int, *, b: str = "x") -> T``, on one line or one parameter per line."""
    try:
        signature = inspect.signature(obj)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    params: list[str] = []
    star_done = False
    for p in signature.parameters.values():
        if p.name == "self":
            continue
        if p.kind is p.KEYWORD_ONLY and not star_done:
            params.append("*")
            star_done = True
        prefix = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "")
        star_done = star_done or p.kind is p.VAR_POSITIONAL
        text = prefix + p.name
        if p.annotation is not p.empty:
            text += f": {_annotation(p.annotation)}"
        if p.default is not p.empty:
            text += f" = {p.default!r}" if p.annotation is not p.empty else f"={p.default!r}"
        params.append(text)
    ret = signature.return_annotation
    arrow = "" if ret is inspect.Signature.empty else f" -> {_annotation(ret)}"
    one_line = f"{name}({', '.join(params)}){arrow}"
    if len(one_line) <= 100:
        return one_line
    return f"{name}(\n" + "".join(f"    {p},\n" for p in params) + f"){arrow}"


def _parameters(title: str, items: list) -> list[str]:
    if not items:
        return []
    out = [f"**{title}**", ""]
    for item in items:
        name, kind, desc = item.name, item.type, " ".join(line.strip() for line in item.desc)
        head = f"`{name}`" if name else ""
        kind_md = f"*{markdown(kind)}*" if kind else ""
        label = " : ".join(x for x in (head, kind_md) if x)
        out.append(f"- {label}" + (f" — {markdown(desc)}" if desc else ""))
    return [*out, ""]


def _examples(lines: list[str]) -> list[str]:
    body = "\n".join(lines).strip("\n")
    if not body:
        return []
    return ["**Voorbeeld**", "", "```pycon", body, "```", ""]


def _methods(cls: type) -> list[str]:
    out = []
    for name, member in sorted(vars(cls).items()):
        if name.startswith("_"):
            continue
        func = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
        if isinstance(member, property):
            func = member.fget
        if not callable(func) and not isinstance(member, property):
            continue
        doc = inspect.getdoc(func) or ""
        summary = doc.split("\n\n")[0].replace("\n", " ").strip()
        kind = "eigenschap" if isinstance(member, property) else "methode"
        out.append(f"- `{name}` ({kind}) — {markdown(summary)}" if summary else f"- `{name}` ({kind})")
    return ["**Methoden en eigenschappen**", "", *out, ""] if out else []


def entry(name: str, module: str) -> list[str]:
    """The Markdown of one public name."""
    qualified = f"energieplanologie.{module}"
    obj = getattr(importlib.import_module(qualified), name)
    is_class = inspect.isclass(obj)
    doc: NumpyDocString = ClassDoc(obj, config={"show_class_members": False}) if is_class else FunctionDoc(obj)
    lines = [f"### `ep.{name}`", "", f"{'Klasse' if is_class else 'Functie'} in `{qualified}`.", ""]
    signature = _signature(name, obj)
    if is_class:
        signature = signature.removesuffix(" -> None")
    if signature and not (is_class and issubclass(obj, Exception)):
        lines += ["```python", signature, "```", ""]
    for part in (doc["Summary"], doc["Extended Summary"]):
        if "".join(part).strip():
            lines += [_paragraphs(part), ""]
    lines += _parameters("Parameters", doc["Parameters"])
    lines += _parameters("Attributen", doc["Attributes"])
    lines += _parameters("Geeft terug", doc["Returns"])
    lines += _parameters("Fouten", doc["Raises"])
    if is_class and not issubclass(obj, Exception):
        lines += _methods(obj)
    if doc["See Also"]:
        refs = ", ".join(f"`{name_}`" for names, _ in doc["See Also"] for name_, _role in names)
        lines += [f"Zie ook: {refs}", ""]
    lines += _examples(doc["Examples"])
    return lines


def render() -> str:
    lines = [
        "# energieplanologie — API",
        "",
        "<!-- Gegenereerd door tools/make_api_docs.py uit de docstrings; niet met de hand bewerken. -->",
        "",
        "Alles wat een analist of ontwikkelaar vanuit Python gebruikt, op één pagina. Importeer het pakket als",
        "`ep`; elke naam hieronder hoort bij het publieke API. De voorbeelden draaien op de meegeleverde",
        "voorbeeldregio Zeeuws-Vlaanderen en worden als doctests getest. De notebooks in `notebooks/` laten",
        "dezelfde functies in samenhang zien.",
        "",
        "```python",
        "import energieplanologie as ep",
        "",
        "region = ep.load_sample()          # of: ep.load_region_config(\"project.toml\")",
        "balance = ep.station_balance(region, \"verwacht\")",
        "```",
        "",
        "Functies die in de eigen module staan, zijn ook daar te importeren (`from energieplanologie.balance "
        "import station_balance`).",
        "",
        "## Inhoud",
        "",
    ]
    for title, _, names in GROUPS:
        anchors = ", ".join(f"[`{n}`](#ep{n.lower()})" for n in names)
        lines.append(f"- **{title}**: {anchors}")
    lines.append("")
    for title, intro, names in GROUPS:
        lines += [f"## {title}", "", intro, ""]
        for name, module in names.items():
            lines += entry(name, module)
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/api.md is out of date")
    parser.add_argument("--out", type=Path, default=OUT, help="output file (default docs/api.md)")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is niet bijgewerkt: draai python tools/make_api_docs.py", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"{args.out}: {len(public_api())} namen")
    return 0


if __name__ == "__main__":
    sys.exit(main())
