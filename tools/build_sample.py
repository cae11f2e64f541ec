"""Build the Zeeuws-Vlaanderen sample region from the real open data in ``../shared/data/nl/``.

Real: the boundaries of Sluis (GM1714), Hulst (GM0677) and Terneuzen (GM0715) (CBS Kerncijfers wijken en buurten
2022 via PDOK, CC BY 4.0) and the positions and names of the HS/EHS/TS grid stations (© OpenStreetMap
contributors, ODbL 1.0, SciGRID-style extraction, Zenodo 10.5281/zenodo.250427).
Illustrative (made up for the demo, not real data): the medium-voltage stations, hydrogen and heat connection
points, capacities, loads, projects, developments and the Natura 2000 / heritage outlines.

Run from the repository root::

    .venv/bin/python tools/build_sample.py            # writes energieplanologie/sample_data/zeeuws-vlaanderen/
    .venv/bin/python tools/build_sample.py --data ../shared/data/nl --out /tmp/zv

The output is deterministic: the same input gives byte-identical files (GeoPackage timestamps are pinned).
"""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely import LineString, MultiLineString, Point, Polygon

from energieplanologie.schema import level_from_voltage

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "nl"
DEFAULT_OUT = ROOT / "energieplanologie" / "sample_data" / "zeeuws-vlaanderen"

RD = "EPSG:28992"
WGS84 = "EPSG:4326"
YEARS = range(2025, 2041)
MUNICIPALITIES = {"GM1714": "Sluis", "GM0677": "Hulst", "GM0715": "Terneuzen"}

# GeoPackages carry a last-change timestamp; pin it so a rebuild gives the same bytes.
os.environ.setdefault("OGR_CURRENT_DATE", "2025-01-01T00:00:00.000Z")

_TO_RD = Transformer.from_crs(WGS84, RD, always_xy=True)


def rd(lon: float, lat: float) -> tuple[float, float]:
    """WGS84 lon/lat → RD New x/y in metres, rounded to the centimetre."""
    x, y = _TO_RD.transform(lon, lat)
    return round(x, 2), round(y, 2)


def pt(lon: float, lat: float) -> Point:
    return Point(rd(lon, lat))


def line(*lonlats: tuple[float, float]) -> LineString:
    return LineString([rd(lon, lat) for lon, lat in lonlats])


def poly(*lonlats: tuple[float, float]) -> Polygon:
    return Polygon([rd(lon, lat) for lon, lat in lonlats])


def blob(lon: float, lat: float, width_m: float, height_m: float, angle_deg: float = 0.0, seed: int = 0) -> Polygon:
    """A hand-drawn-looking area: an ellipse whose radius wobbles with a few seeded low harmonics."""
    rng = np.random.default_rng(seed)
    phases = rng.uniform(0, 2 * math.pi, 3)
    theta = np.linspace(0, 2 * math.pi, 28, endpoint=False)
    r = 1 + 0.10 * np.sin(2 * theta + phases[0]) + 0.07 * np.sin(3 * theta + phases[1]) + 0.04 * np.sin(5 * theta + phases[2])
    x = width_m / 2 * r * np.cos(theta)
    y = height_m / 2 * r * np.sin(theta)
    a = math.radians(angle_deg)
    cx, cy = rd(lon, lat)
    xs = cx + x * math.cos(a) - y * math.sin(a)
    ys = cy + x * math.sin(a) + y * math.cos(a)
    return Polygon(np.round(np.column_stack([xs, ys]), 1))


# ============================================================================================= stations
# OSM node ids (v_id) of the real stations; positions and names are read from osm_power_nodes_2016.csv.
OSM_STATIONS = [
    # station_id, v_id, name, operator, voltage_kv, short_code
    ("BSL", 5955, "Borssele 380 kV", "TenneT", "380/150", "BSL 380"),
    ("OBG", 485, "Oostburg 150 kV", "TenneT", "150/20", "OBG 150"),
    ("TNZ", 5908, "Terneuzen 150 kV (ELSTA)", "TenneT", "150/50", "TNZ 150"),
    ("SKL", 681, "Sluiskil 150 kV (Hydro Agri)", "TenneT", "150/10", "SKL 150"),
    ("WDO", 635, "Westdorpe 150 kV", "TenneT", "150/50", "WDO 150"),
    ("HST", 668, "Hulst 50 kV", "Stedin", "50/10", "HST 50"),
]

# Illustrative medium-voltage stations at real towns, and the hydrogen and heat connection points.
PLACED_STATIONS = [
    # station_id, name, operator, voltage_kv, carrier, short_code, lon, lat
    ("HLZ", "MS-station Hulst-Zuid", "Stedin", "10", "electricity", "HLZ 10", 4.0600, 51.2745),
    ("AXL", "MS-station Axel", "Stedin", "10", "electricity", "AXL 10", 3.9150, 51.2625),
    ("SVG", "MS-station Sas van Gent", "Stedin", "10", "electricity", "SVG 10", 3.7935, 51.2250),
    ("SLU", "MS-station Sluis", "Stedin", "20", "electricity", "SLU 20", 3.3950, 51.3050),
    ("BRK", "MS-station Breskens", "Stedin", "20", "electricity", "BRK 20", 3.5480, 51.3920),
    ("ADB", "MS-station Aardenburg", "Stedin", "20", "electricity", "ADB 20", 3.4520, 51.2700),
    ("KWT", "MS-station Koewacht (nieuw)", "Stedin", "10", "electricity", "KWT 10", 3.9680, 51.2320),
    ("H2SK", "Waterstofaansluiting Sluiskil", "Hynetwork (Gasunie)", None, "hydrogen", None, 3.8580, 51.2850),
    ("H2SG", "Waterstofaansluiting Sas van Gent (grens)", "Hynetwork (Gasunie)", None, "hydrogen", None, 3.8090, 51.2160),
    ("WKZ", "Warmtebron Kanaalzone (restwarmte Sluiskil)", "WarmCO2", None, "heat", None, 3.8470, 51.2720),
]

# ============================================================================================= capacity
# Illustrative base capacity (constant 2025–2040: the study's own projects add to it) and baseline load
# (autonomous growth, without the developments in this study) per station, in MW.
CAPACITY = {
    # station_id: (cap_off, cap_feed, base_off_2025, growth_off, base_feed_2025, growth_feed, queue_off, queue_feed)
    "BSL": (1500, 2200, 640.0, 0.010, 1480.0, 0.000, None, None),
    "OBG": (60, 45, 34.0, 0.020, 28.0, 0.015, None, 18.5),
    "TNZ": (250, 500, 195.0, 0.015, 380.0, 0.000, 45.0, None),
    "SKL": (150, 70, 115.0, 0.010, 35.0, 0.000, 60.0, None),
    "WDO": (120, 85, 82.0, 0.015, 46.0, 0.010, 25.0, 12.0),
    "HST": (45, 25, 26.0, 0.020, 14.0, 0.030, None, 9.5),
    "HLZ": (24, 12, 9.5, 0.020, 4.5, 0.030, None, None),
    "AXL": (15, 15, 8.5, 0.015, 4.0, 0.030, None, None),
    "SVG": (20, 10, 7.5, 0.015, 3.5, 0.030, None, None),
    "SLU": (12, 10, 6.5, 0.015, 4.5, 0.030, None, None),
    "BRK": (14, 10, 7.8, 0.020, 4.8, 0.030, None, 2.5),
    "ADB": (10, 8, 5.5, 0.015, 3.6, 0.030, None, None),
    # KWT: a newly placed station without capacity data yet (deliberately absent).
    "H2SK": (250, 100, 40.0, 0.000, 0.0, 0.000, None, None),
    "H2SG": (150, 150, 0.0, 0.000, 0.0, 0.000, None, None),
    "WKZ": (60, 80, 30.0, 0.000, 0.0, 0.000, None, None),
}

# ============================================================================================= projects
# project_id, name, infra_type, carrier, operator, status, year_ready, station_id, +offtake, +feedin, cost,
# funding, parties, description, geometry
PROJECTS = [
    ("P01", "Oostburg 150 kV: extra transformator 150/20 kV", "station_expansion", "electricity", "TenneT",
     "investment_plan", 2030, "OBG", 30.0, 60.0, 18.0, "secured", "TenneT, Stedin, gemeente Sluis",
     "Derde transformator 150/20 kV in station Oostburg; lost het invoedingstekort door zon in West-Zeeuws-"
     "Vlaanderen op.", pt(3.5098, 51.3386)),
    ("P02", "Netbatterij Oostburg", "battery", "electricity", "Stedin", "proposed", 2027, "OBG", 0.0, 10.0, 12.0,
     "partial", "Stedin, lokale energiecoöperatie, provincie Zeeland",
     "Batterij van 10 MW / 20 MWh naast station Oostburg die de middagpiek van zonneparken opvangt "
     "(tijdelijke ontlasting tot de nieuwe transformator er staat).", pt(3.5120, 51.3372)),
    ("P03", "150 kV station Kanaalzone", "station_new", "electricity", "TenneT", "investment_plan", 2032, "TNZ",
     200.0, 100.0, 65.0, "secured",
     "TenneT, Stedin, North Sea Port, gemeente Terneuzen, provincie Zeeland",
     "Nieuw 150 kV schakel- en transformatorstation op de Axelse Vlakte voor de elektrificatie van de "
     "Kanaalzone; neemt afname over van station Terneuzen.", pt(3.8560, 51.3050)),
    ("P04", "150 kV kabelverbinding Kanaalzone – Terneuzen", "cable_hv", "electricity", "TenneT",
     "investment_plan", 2032, None, 0.0, 0.0, 28.0, "secured", "TenneT, North Sea Port, gemeente Terneuzen",
     "Twee 150 kV kabelcircuits (ca. 7 km) tussen het nieuwe station Kanaalzone en station Terneuzen, "
     "met een kruising van het Kanaal Gent–Terneuzen.",
     line((3.8560, 51.3050), (3.8420, 51.3120), (3.8300, 51.3190), (3.8050, 51.3260), (3.7785, 51.3329))),
    ("P05", "Westdorpe 150 kV: uitbreiding 150/50 kV", "station_expansion", "electricity", "TenneT", "proposed",
     2036, "WDO", 80.0, 40.0, 22.0, "partial", "TenneT, Stedin, gemeente Terneuzen",
     "Vierde veld en extra transformator in station Westdorpe voor glastuinbouw, elektrolyse en wind langs "
     "het kanaal; nog niet in het investeringsplan.", pt(3.8290, 51.2644)),
    ("P06", "Sluiskil 150 kV: uitbreiding voor elektrolyse", "station_expansion", "electricity", "TenneT",
     "proposed", 2034, "SKL", 120.0, 0.0, 25.0, "partial", "TenneT, Yara Sluiskil, North Sea Port",
     "Uitbreiding van station Sluiskil met twee transformatoren voor de elektrolyser en elektrificatie van de "
     "ammoniakfabriek.", pt(3.8531, 51.2778)),
    ("P07", "Waterstofleiding Kanaalzone (Terneuzen – Sluiskil – Sas van Gent)", "h2_pipeline", "hydrogen",
     "Hynetwork (Gasunie)", "investment_plan", 2028, "H2SK", 150.0, 100.0, 45.0, "partial",
     "Gasunie, North Sea Port, Dow Terneuzen, Yara Sluiskil, provincie Zeeland",
     "Omgebouwde aardgasleiding en nieuw tracé van het Dow-terrein via Sluiskil naar de grens bij Sas van "
     "Gent (aansluiting op het Vlaamse waterstofnet richting Gent).",
     line((3.7930, 51.3360), (3.8150, 51.3250), (3.8350, 51.3050), (3.8580, 51.2850), (3.8450, 51.2600),
          (3.8230, 51.2380), (3.8090, 51.2160))),
    ("P08", "Warmtenet Kanaalzone fase 2 (Sluiskil – Terneuzen)", "heat_network", "heat",
     "WarmCO2", "proposed", 2029, "WKZ", 50.0, 25.0, 35.0, "partial",
     "WarmCO2, Yara Sluiskil, Dow Terneuzen, gemeente Terneuzen, woningcorporatie",
     "Uitbreiding van het restwarmtenet: een transportleiding naar Terneuzen-Zuid en een tak naar de nieuwe "
     "kassen bij Westdorpe.",
     MultiLineString([
         [rd(3.8470, 51.2720), rd(3.8400, 51.2900), rd(3.8360, 51.3100), rd(3.8360, 51.3220)],
         [rd(3.8470, 51.2720), rd(3.8400, 51.2600), rd(3.8360, 51.2520)],
     ])),
    ("P09", "150 kV Westerscheldekruising Borssele – Terneuzen", "cable_hv", "electricity", "TenneT",
     "narrative", 2036, "TNZ", 300.0, 300.0, 140.0, "none",
     "TenneT, provincie Zeeland, Rijkswaterstaat, North Sea Port",
     "Denkrichting: een tweede verbinding onder de Westerschelde tussen Borssele en Terneuzen om de Kanaalzone "
     "direct op het 380 kV-net aan te sluiten. Kruist Natura 2000-gebied Westerschelde & Saeftinghe.",
     line((3.7217, 51.4333), (3.7350, 51.4050), (3.7550, 51.3700), (3.7700, 51.3450), (3.7785, 51.3329))),
    ("P10", "MS-verzwaring Oostburg – Breskens", "cable_mv", "electricity", "Stedin", "investment_plan", 2026,
     "BRK", 6.0, 8.0, 3.5, "secured", "Stedin, gemeente Sluis",
     "Nieuwe 20 kV-kabel van Oostburg naar Breskens voor laadpunten in de veerhaven en zon op daken.",
     line((3.5098, 51.3386), (3.5250, 51.3600), (3.5400, 51.3800), (3.5480, 51.3920))),
    ("P11", "Netbatterij Hulst 50 kV", "battery", "electricity", "Stedin", "proposed", 2030, "HST", 0.0, 0.0, 9.0,
     "partial", "Stedin, Zeeuwind, gemeente Hulst, provincie Zeeland",
     "Batterij van 10 MW / 20 MWh bij station Hulst 50 kV die de middagpiek van de zonneparken opvangt; "
     "flexmiddel (vermogen_mw) zolang er geen netproject voor oostelijk Zeeuws-Vlaanderen is.",
     pt(4.0265, 51.3080)),
]
#: Flex columns of the projects (energieplanologie.flex): project_id → power_mw, energy_mwh, firm, efficiency.
FLEX_ASSETS = {"P11": (10.0, 20.0, "false", None)}

# ============================================================================================= developments
# Dutch columns as a province would deliver them. Geometry helpers take WGS84 lon/lat.
E, H2, W = "elektriciteit", "waterstof", "warmte"
DEVELOPMENTS = [
    # id, naam, sector, programma, energiedrager, afname_mw, invoeding_mw, jaar, zekerheid, station_id, geometrie,
    # toelichting
    # --- Sluis: energiepark Oostburg, kernen, kust
    ("ZV-001", "Zonnepark Oostburg-Noord", "opwek", "RES", E, 0.0, 12.0, 2026, "vergund", None,
     blob(3.5020, 51.3465, 900, 550, 15, 1), "Vergund zonnepark (ca. 14 ha) ten noorden van het station."),
    ("ZV-002", "Zoekgebied zon Oostburg-Zuid", "opwek", "RES", E, 0.0, 24.0, 2028, "vastgesteld", None,
     blob(3.4990, 51.3135, 1500, 900, -10, 2), "RES Zeeland: zoekgebied grootschalige zon ten zuiden van de kern."),
    ("ZV-003", "Bedrijventerrein Oostburg-Zuid (uitbreiding)", "bedrijventerrein", "overig", E, 4.0, 1.0, 2027,
     "vastgesteld", None, blob(3.5050, 51.3220, 550, 400, 0, 3), "Uitbreiding met 8 ha; all-electric."),
    ("ZV-004", "Woningbouw Oostburg-Noord", "woningbouw", "woonagenda", E, 1.5, 0.8, 2029, "vastgesteld", None,
     blob(3.4850, 51.3320, 450, 300, 30, 4), "Circa 250 woningen, all-electric met zon op dak."),
    ("ZV-005", "Snellaadplein Oostburg", "mobiliteit", "RAL", E, 3.0, 0.0, 2027, "voornemen", None,
     pt(3.5150, 51.3310), "Laadplein voor vracht en personenauto's aan de invalsweg."),
    ("ZV-006", "Aardgasvrij Oostburg-Centrum", "gebouwde omgeving", "TVW", E, 2.0, 0.0, 2030, "voornemen", None,
     blob(3.4875, 51.3258, 600, 450, 0, 5), "Transitievisie warmte: individuele warmtepompen in de kern."),
    ("ZV-007", "Woningbouw Breskens Waterfront", "woningbouw", "woonagenda", E, 1.2, 0.3, 2028, "vergund", None,
     blob(3.5530, 51.3955, 320, 220, 20, 6), "Appartementen aan de haven."),
    ("ZV-008", "Walstroom en laadpunten veerhaven Breskens", "mobiliteit", "RMP", E, 3.5, 0.0, 2030, "voornemen",
     None, pt(3.5440, 51.3960), "Walstroom voor de veerdienst Vlissingen–Breskens en laadpunten bussen."),
    ("ZV-009", "Zoekgebied zon Schoondijke", "opwek", "RES", E, 0.0, 9.0, 2030, "voornemen", None,
     blob(3.5600, 51.3520, 700, 500, 25, 7), "RES-zoekgebied kleinschalige zon bij Schoondijke."),
    ("ZV-010", "Zoekgebied wind Groede", "opwek", "RES", E, 0.0, 15.0, 2037, "idee", None,
     blob(3.5150, 51.3700, 1800, 700, 10, 8), "Idee uit de RES 2.0-verkenning; draagvlak onzeker."),
    ("ZV-011", "Woningbouw Sluis-Zuid", "woningbouw", "woonagenda", E, 0.8, 0.2, 2027, "vastgesteld", None,
     blob(3.3900, 51.3030, 350, 250, 0, 9), "Circa 120 woningen."),
    ("ZV-012", "Elektrificatie recreatieparken Cadzand", "overig", "overig", E, 3.0, 0.5, 2032, "voornemen", None,
     blob(3.3950, 51.3660, 900, 450, -20, 10), "Vakantieparken stappen over van gas en propaan op stroom."),
    ("ZV-013", "Laadplein Aardenburg (grens Eede)", "mobiliteit", "RAL", E, 2.0, 0.0, 2030, "vastgesteld", None,
     pt(3.4550, 51.2660), "Laadplein aan de grensweg richting Maldegem."),
    ("ZV-014", "Woningbouw Aardenburg", "woningbouw", "woonagenda", E, 0.6, 0.2, 2029, "vastgesteld", None,
     blob(3.4440, 51.2760, 300, 220, 0, 11), "Circa 90 woningen."),
    ("ZV-015", "Koel- en bewaarhuizen akkerbouw IJzendijke", "landbouw", "overig", E, 2.5, 0.0, 2029, "voornemen",
     None, pt(3.6250, 51.3150), "Elektrificatie van koelhuizen voor aardappelen en uien."),
    ("ZV-016", "Zoekgebied zon Biervliet–IJzendijke", "opwek", "RES", E, 0.0, 20.0, 2033, "voornemen", None,
     poly((3.6050, 51.3290), (3.6400, 51.3330), (3.6700, 51.3290), (3.6950, 51.3200), (3.6900, 51.3110),
          (3.6600, 51.3150), (3.6300, 51.3130), (3.6080, 51.3170), (3.6050, 51.3290)),
     "Langgerekt RES-zoekgebied zon langs de N61 tussen IJzendijke en Biervliet (twee voedingsgebieden)."),
    # --- Terneuzen: Kanaalzone (Dow – Axelse Vlakte – Sluiskil – Westdorpe – Sas van Gent)
    ("ZV-020", "Elektrificatie stoomproductie Dow Terneuzen (e-boilers)", "industrie", "CES", E, 60.0, 0.0, 2029,
     "vastgesteld", None, pt(3.7920, 51.3380), "CES Zeeland: elektrische boilers vervangen gasgestookte stoom."),
    ("ZV-021", "Waterstof voor kraakfornuizen Dow", "industrie", "CES", H2, 40.0, 0.0, 2032, "voornemen", None,
     pt(3.7970, 51.3330), "Bijstoken van waterstof in de kraakfornuizen."),
    ("ZV-022", "Restwarmte Dow naar warmtenet", "industrie", "CES", W, 0.0, 25.0, 2031, "voornemen", None,
     pt(3.8010, 51.3360), "Levering van restwarmte aan het warmtenet Kanaalzone."),
    ("ZV-023", "Elektrolyser Yara Sluiskil (groene ammoniak)", "industrie", "CES", E, 100.0, 0.0, 2030,
     "voornemen", "SKL", pt(3.8550, 51.2810),
     "100 MW elektrolyser; aansluiting op station Sluiskil afgesproken met TenneT."),
    ("ZV-024", "Elektrificatie ammoniakfabriek Yara", "industrie", "CES", E, 80.0, 0.0, 2035, "idee", None,
     pt(3.8500, 51.2750), "Verkenning elektrische stoomketels en warmtepompen."),
    ("ZV-025", "Waterstofimport Yara via backbone", "industrie", "CES", H2, 80.0, 0.0, 2035, "idee", None,
     pt(3.8560, 51.2790), "Vervanging van aardgas als grondstof door geïmporteerde waterstof."),
    ("ZV-026", "Datacenter Axelse Vlakte", "datacenter", "overig", E, 40.0, 0.0, 2031, "voornemen", "TNZ",
     pt(3.8620, 51.3000), "Hyperscale-datacenter; netbeheerder wijst aansluiting op Terneuzen toe."),
    ("ZV-027", "Bedrijventerrein Koegorspolder (uitbreiding)", "bedrijventerrein", "overig", E, 8.0, 2.0, 2028,
     "vastgesteld", None, blob(3.8480, 51.3120, 900, 600, 30, 12), "Havengebonden bedrijven North Sea Port."),
    ("ZV-028", "Warmtenet Terneuzen-Zuid", "gebouwde omgeving", "TVW", W, 12.0, 0.0, 2030, "vastgesteld", None,
     blob(3.8330, 51.3230, 1200, 800, 0, 13), "Transitievisie warmte: 3.000 woningen op restwarmte Kanaalzone."),
    ("ZV-029", "Warmtenet Sluiskil", "gebouwde omgeving", "TVW", W, 3.0, 0.0, 2028, "vastgesteld", None,
     blob(3.8360, 51.2790, 600, 450, 0, 14), "Dorp Sluiskil op restwarmte van Yara."),
    ("ZV-030", "Woningbouw Terneuzen-Zuid", "woningbouw", "woonagenda", E, 2.0, 0.6, 2029, "vastgesteld", None,
     blob(3.8430, 51.3180, 500, 350, 10, 15), "Circa 350 woningen aan de zuidrand."),
    ("ZV-031", "Woningbouw Scheldekwartier Terneuzen", "woningbouw", "woonagenda", E, 1.5, 0.4, 2027, "vergund",
     None, blob(3.8230, 51.3370, 400, 250, 0, 16), "Binnenstedelijke herontwikkeling."),
    ("ZV-032", "Laadplein N62 Terneuzen-West", "mobiliteit", "RAL", E, 4.0, 0.0, 2028, "vastgesteld", None,
     pt(3.7950, 51.3180), "Snellaadplein voor vrachtverkeer bij de aansluiting N62/N61."),
    ("ZV-033", "Elektrificatie busremise Terneuzen", "mobiliteit", "RMP", E, 2.5, 0.0, 2025, "vergund", None,
     pt(3.8350, 51.3280), "Elektrische streekbussen Zeeuws-Vlaanderen."),
    ("ZV-034", "Waterstoftankstation Terneuzen", "mobiliteit", "RMP", H2, 2.0, 0.0, 2030, "voornemen", None,
     pt(3.8200, 51.3150), "Tankstation voor zwaar transport en havenlogistiek."),
    ("ZV-035", "Glastuinbouw Westdorpe: warmte (WarmCO2)", "glastuinbouw", "overig", W, 15.0, 0.0, 2026,
     "vergund", None, blob(3.8320, 51.2530, 1300, 800, 0, 17), "Nieuwe kassen op restwarmte en CO2 van Yara."),
    ("ZV-036", "Glastuinbouw Westdorpe: elektrificatie", "glastuinbouw", "overig", E, 20.0, 0.0, 2027,
     "vastgesteld", None, blob(3.8420, 51.2470, 1100, 700, 0, 18), "Belichting en warmtepompen in de kassen."),
    ("ZV-037", "Zoekgebied wind Kanaalzone-Zuid", "opwek", "RES", E, 0.0, 30.0, 2028, "vastgesteld", None,
     blob(3.8050, 51.2500, 2600, 600, 80, 19), "RES Zeeland: windturbines ten westen van het kanaal tussen Sas van Gent en Sluiskil."),
    ("ZV-038", "Elektrificatie Cargill Sas van Gent", "industrie", "CES", E, 15.0, 0.0, 2030, "voornemen", None,
     pt(3.8000, 51.2320), "Elektrificatie van de zetmeelfabriek."),
    ("ZV-039", "Bedrijventerrein Kanaalzone-Zuid Sas van Gent", "bedrijventerrein", "overig", E, 6.0, 1.5, 2030,
     "vastgesteld", None, blob(3.8120, 51.2380, 700, 450, 0, 20), "Herontwikkeling haventerrein."),
    ("ZV-040", "Elektrolyser Sas van Gent (grensoverschrijdend)", "industrie", "CES", E, 45.0, 0.0, 2033,
     "voornemen", None, pt(3.8080, 51.2220), "Elektrolyser aan de grens, gekoppeld aan het Vlaamse waterstofnet."),
    ("ZV-041", "Waterstofinvoeding elektrolyser Sas van Gent", "industrie", "CES", H2, 0.0, 30.0, 2033,
     "voornemen", None, pt(3.8090, 51.2210), "Groene waterstof uit de elektrolyser van ZV-040."),
    ("ZV-042", "Woningbouw Sas van Gent", "woningbouw", "woonagenda", E, 0.8, 0.3, 2028, "vastgesteld", None,
     blob(3.7900, 51.2290, 300, 220, 0, 21), "Circa 110 woningen."),
    ("ZV-043", "Laadplein N62 grens Sas van Gent", "mobiliteit", "RAL", E, 3.0, 0.0, 2029, "voornemen", None,
     pt(3.8000, 51.2180), "Laadplein aan de N62 bij de grens met Zelzate."),
    ("ZV-044", "Woningbouw Axel-Zuid", "woningbouw", "woonagenda", E, 1.0, 0.3, 2028, "vastgesteld", None,
     blob(3.9100, 51.2620, 350, 250, 0, 22), "Circa 150 woningen."),
    ("ZV-045", "Warmtenet Axel", "gebouwde omgeving", "TVW", W, 6.0, 0.0, 2040, "idee", None,
     blob(3.9080, 51.2680, 700, 500, 0, 23), "Idee: aansluiting van Axel op het restwarmtenet."),
    ("ZV-046", "Zoekgebied zon Zaamslag", "opwek", "RES", E, 0.0, 8.0, 2029, "vastgesteld", None,
     blob(3.9250, 51.3000, 700, 450, 20, 24), "RES-zoekgebied zon aan de rand van Zaamslag."),
    ("ZV-047", "Bedrijventerrein Axel-West", "bedrijventerrein", "overig", E, 3.0, 0.5, 2031, "voornemen", None,
     blob(3.8950, 51.2650, 450, 300, 0, 25), "Lokaal bedrijventerrein."),
    ("ZV-048", "Glastuinbouw Koewacht", "glastuinbouw", "overig", E, 6.0, 0.0, 2029, "voornemen", None,
     blob(3.9820, 51.2380, 800, 500, 0, 26), "Nieuw glastuinbouwgebied; aansluiting via het nieuwe MS-station."),
    ("ZV-049", "Woningbouw Zaamslag", "woningbouw", "woonagenda", E, 0.5, 0.2, 2030, "idee", None,
     blob(3.9120, 51.3100, 250, 200, 0, 27), "Idee: circa 60 woningen."),
    ("ZV-050", "Rioolwaterzuivering Terneuzen: elektrificatie slibverwerking", "overig", "overig", E, 2.0, 0.0,
     2031, "vastgesteld", None, pt(3.8550, 51.3300), "Waterschap Scheldestromen."),
    ("ZV-051", "Windpark Koegorspolder (uitbreiding)", "opwek", "RES", E, 0.0, 18.0, 2031, "vastgesteld", None,
     blob(3.8750, 51.3150, 1600, 500, 60, 28), "Opschaling van het bestaande windpark."),
    ("ZV-052", "Woningbouw Philippine", "woningbouw", "woonagenda", E, 0.3, 0.1, 2029, "vastgesteld", None,
     blob(3.7480, 51.2900, 220, 180, 0, 29), "Circa 40 woningen."),
    ("ZV-053", "Zon op daken Kanaalzone", "opwek", "RES", E, 0.0, 6.0, 2027, "vastgesteld", None,
     blob(3.8270, 51.2900, 900, 500, 70, 30), "Zonnepanelen op bedrijfsdaken langs het kanaal."),
    # --- Hulst
    ("ZV-055", "Woningbouw Hulst-Zuid", "woningbouw", "woonagenda", E, 1.8, 0.5, 2027, "vastgesteld", None,
     blob(4.0560, 51.2720, 500, 350, 0, 31), "Circa 300 woningen."),
    ("ZV-056", "Aardgasvrij Hulst (all-electric)", "gebouwde omgeving", "TVW", E, 3.0, 0.0, 2032, "voornemen", None,
     blob(4.0500, 51.2790, 800, 600, 0, 32), "Transitievisie warmte: warmtepompen in de vestingstad."),
    ("ZV-057", "Laadplein N60 Hulst", "mobiliteit", "RAL", E, 2.5, 0.0, 2028, "vastgesteld", None,
     pt(4.0350, 51.2870), "Snellaadplein aan de N60."),
    ("ZV-058", "Bedrijventerrein Hulst-Noord (uitbreiding)", "bedrijventerrein", "overig", E, 5.0, 1.0, 2030,
     "vastgesteld", None, blob(4.0450, 51.2930, 700, 450, 0, 33), "Uitbreiding met 12 ha."),
    ("ZV-059", "Zonnepark Vogelwaarde", "opwek", "RES", E, 0.0, 9.0, 2026, "vergund", None,
     blob(3.9900, 51.3200, 700, 500, 0, 34),
     "Vergund zonnepark op landbouwgrond; deelt met Lamswaarde één aansluiting van 12 MW (kabelpooling)."),
    ("ZV-060", "Zonnepark Lamswaarde", "opwek", "RES", E, 0.0, 8.0, 2028, "vergund", None,
     blob(4.0300, 51.3150, 650, 450, 0, 35),
     "Vergund zonnepark naast station Hulst 50 kV; deelt met Vogelwaarde één aansluiting van 12 MW (kabelpooling)."),
    ("ZV-061", "Zoekgebied wind Hulst-Noord", "opwek", "RES", E, 0.0, 21.0, 2033, "voornemen", "HST",
     blob(4.0900, 51.3350, 2200, 700, 20, 36),
     "RES-zoekgebied voor 3–4 turbines; aansluiting op het 50 kV-net bij Hulst."),
    ("ZV-062", "Koelhuizen en mechanisatie akkerbouw Kloosterzande", "landbouw", "overig", E, 3.0, 0.0, 2031,
     "voornemen", None, pt(4.0150, 51.3650), "Elektrificatie van akkerbouwbedrijven en koelhuizen."),
    ("ZV-063", "Woningbouw Kloosterzande", "woningbouw", "woonagenda", E, 0.6, 0.2, 2030, "vastgesteld", None,
     blob(4.0120, 51.3700, 300, 220, 0, 37), "Circa 80 woningen."),
    ("ZV-064", "Glastuinbouw Clinge", "glastuinbouw", "overig", E, 4.0, 0.0, 2034, "idee", None,
     blob(4.0850, 51.2720, 600, 400, 0, 38), "Idee voor een klein glastuinbouwcluster."),
]

#: Cable pooling (energieplanologie.flex): the two solar parks next to Hulst 50 kV share one 12 MW connection
#: (kabelpooling); development id → (kabelpool_id, kabelpool_aansluiting_mw).
POOLS = {"ZV-059": ("KP-HULST", 12.0), "ZV-060": ("KP-HULST", 12.0)}

# ============================================================================================= constraints
# Approximate outlines, drawn for the demo. Not the legal Natura 2000 boundaries.
WESTERSCHELDE_ENVELOPE = [
    (3.5300, 51.3950), (3.5700, 51.4550), (3.7000, 51.4550), (3.8500, 51.4300), (3.9800, 51.4650),
    (4.1200, 51.4500), (4.2300, 51.4200), (4.2450, 51.3900), (4.1500, 51.3550), (4.0000, 51.3550),
    (3.9000, 51.3450), (3.8000, 51.3380), (3.7000, 51.3500), (3.6000, 51.3700), (3.5300, 51.3950),
]
SAEFTINGHE = [(4.1100, 51.3750), (4.2450, 51.3750), (4.2450, 51.3300), (4.1800, 51.3300), (4.1100, 51.3500),
              (4.1100, 51.3750)]


# ============================================================================================= builders
def read_municipalities(data: Path) -> gpd.GeoDataFrame:
    """The three municipalities with PDOK/CBS column names, in WGS84 as PDOK delivers them."""
    kwb = gpd.read_file(data / "cbs_kwb_gemeenten_2022.geojson")
    sel = kwb[kwb["gemeentecode"].isin(list(MUNICIPALITIES))].sort_values("gemeentecode")
    out = gpd.GeoDataFrame(
        {
            "statcode": sel["gemeentecode"].to_numpy(),
            "statnaam": sel["gemeentenaam"].to_numpy(),
            "provincie": "Zeeland",
            "aantal_inwoners": sel["aantal_inwoners"].astype("int64").to_numpy(),
            "woningvoorraad": sel["woningvoorraad"].astype("int64").to_numpy(),
        },
        geometry=sel.geometry.to_numpy(),
        crs=WGS84,
    )
    assert dict(zip(out["statcode"], out["statnaam"], strict=True)) == MUNICIPALITIES, out[["statcode", "statnaam"]]
    return out


def build_stations(data: Path) -> gpd.GeoDataFrame:
    nodes = pd.read_csv(data / "osm_power_nodes_2016.csv", sep="#")
    nodes = nodes.set_index("v_id")
    rows = []
    for sid, vid, name, operator, voltage, short in OSM_STATIONS:
        node = nodes.loc[vid]
        rows.append({"station_id": sid, "name": name, "operator": operator, "voltage_kv": voltage,
                     "carrier": "electricity", "short_code": short, "osm_v_id": vid,
                     "osm_naam": str(node["name"]), "bron": "OpenStreetMap (stand 2016)",
                     "geometry": pt(float(node["lon"]), float(node["lat"]))})
    for sid, name, operator, voltage, carrier, short, lon, lat in PLACED_STATIONS:
        rows.append({"station_id": sid, "name": name, "operator": operator, "voltage_kv": voltage,
                     "carrier": carrier, "short_code": short, "osm_v_id": None, "osm_naam": None,
                     "bron": "illustratief", "geometry": pt(lon, lat)})
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=RD)
    gdf["osm_v_id"] = gdf["osm_v_id"].astype("Int64")
    gdf.insert(4, "level", level_from_voltage(gdf["voltage_kv"]))  # None for hydrogen/heat points
    return gdf


def _nl(value: float | None) -> str:
    """A number as a Dutch spreadsheet exports it: integer plainly, else one decimal with a comma."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    v = round(float(value), 1)
    return str(int(v)) if v == int(v) else f"{v:.1f}".replace(".", ",")


def build_capacity() -> pd.DataFrame:
    rows = []
    for sid, (cap_off, cap_feed, off0, g_off, feed0, g_feed, q_off, q_feed) in CAPACITY.items():
        for year in YEARS:
            n = year - 2025
            rows.append({
                "station_id": sid,
                "jaar": str(year),
                "capaciteit_afname_mw": _nl(cap_off),
                "capaciteit_invoeding_mw": _nl(cap_feed),
                "basislast_afname_mw": _nl(off0 * (1 + g_off) ** n),
                "basislast_invoeding_mw": _nl(feed0 * (1 + g_feed) ** n),
                # The queue is the operator's current state (peildatum 2025), not a forecast.
                "wachtrij_afname_mw": _nl(q_off) if year == 2025 else "",
                "wachtrij_invoeding_mw": _nl(q_feed) if year == 2025 else "",
            })
    return pd.DataFrame(rows)


def build_projects() -> gpd.GeoDataFrame:
    cols = ["project_id", "name", "infra_type", "carrier", "operator", "status", "year_ready", "station_id",
            "offtake_capacity_added_mw", "feedin_capacity_added_mw", "cost_meur", "funding", "parties",
            "description", "geometry"]
    gdf = gpd.GeoDataFrame(pd.DataFrame(PROJECTS, columns=cols), geometry="geometry", crs=RD)
    gdf["year_ready"] = gdf["year_ready"].astype("int32")
    flex = pd.DataFrame.from_dict(FLEX_ASSETS, orient="index", columns=["power_mw", "energy_mwh", "firm", "efficiency"])
    flex = flex.reindex(gdf["project_id"]).reset_index(drop=True)
    for c in ("power_mw", "energy_mwh", "efficiency"):
        gdf[c] = flex[c].astype(float).to_numpy()
    gdf["firm"] = flex["firm"].astype(object).where(flex["firm"].notna(), None).to_numpy()
    return gdf[[c for c in gdf.columns if c != "geometry"] + ["geometry"]]


def build_developments(land: shapely.Geometry) -> gpd.GeoDataFrame:
    cols = ["id", "naam", "sector", "programma", "energiedrager", "afname_mw", "invoeding_mw", "jaar",
            "zekerheid", "station_id", "geometry", "toelichting"]
    df = pd.DataFrame(DEVELOPMENTS, columns=cols)
    geoms = np.array(df["geometry"].tolist(), dtype=object)
    areal = shapely.get_dimensions(geoms) == 2
    # Drawn areas are clipped to the land of the three municipalities (no polygons in the Westerschelde or Belgium).
    geoms[areal] = shapely.intersection(geoms[areal], land)
    geoms[areal] = shapely.set_precision(geoms[areal], 0.1)
    gdf = gpd.GeoDataFrame(df.drop(columns="geometry"), geometry=list(geoms), crs=RD)
    gdf["jaar"] = gdf["jaar"].astype("int32")
    pools = pd.DataFrame.from_dict(POOLS, orient="index", columns=["kabelpool_id", "kabelpool_aansluiting_mw"])
    pools = pools.reindex(gdf["id"]).reset_index(drop=True)
    gdf["kabelpool_id"] = pools["kabelpool_id"].astype(object).where(pools["kabelpool_id"].notna(), None).to_numpy()
    gdf["kabelpool_aansluiting_mw"] = pools["kabelpool_aansluiting_mw"].astype(float).to_numpy()
    return gdf[[c for c in cols if c != "geometry"] + ["kabelpool_id", "kabelpool_aansluiting_mw", "geometry"]]


def build_constraints(all_land: shapely.Geometry, region: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Illustrative constraint areas: Natura 2000 (Westerschelde & Saeftinghe, Zwin) and two town centres."""
    envelope = poly(*WESTERSCHELDE_ENVELOPE)
    water = shapely.difference(envelope, all_land)
    parts = [p for p in shapely.get_parts(water) if p.area > 2_000_000]  # the estuary, not harbour slivers
    water = shapely.union_all(parts)
    hulst = region.loc[region["municipality_code"] == "GM0677", "geometry"].iloc[0]
    # The drowned land is cut by creeks; a morphological closing of Hulst takes the creeks in as well.
    hulst_closed = shapely.buffer(shapely.buffer(hulst, 400), -400)
    saeftinghe = shapely.intersection(poly(*SAEFTINGHE), hulst_closed)
    foreshore = shapely.intersection(shapely.buffer(water, 150), all_land)  # schorren en slikken langs de kust
    westerschelde = shapely.union_all([water, saeftinghe, foreshore])
    sluis = region.loc[region["municipality_code"] == "GM1714", "geometry"].iloc[0]
    zwin = shapely.intersection(blob(3.3720, 51.3640, 2200, 1100, 35, 40), sluis)
    rows = [
        ("natura2000", "Westerschelde & Saeftinghe", westerschelde),
        ("natura2000", "Zwin & Kievittepolder", zwin),
        ("heritage", "Beschermd stadsgezicht Hulst (vestingwerken)", blob(4.0530, 51.2800, 1300, 1100, 0, 41)),
        ("heritage", "Beschermd stadsgezicht Sluis", blob(3.3861, 51.3083, 900, 750, 0, 42)),
    ]
    gdf = gpd.GeoDataFrame(rows, columns=["kind", "name", "geometry"], geometry="geometry", crs=RD)
    gdf["geometry"] = shapely.set_precision(shapely.simplify(gdf.geometry.values, 5), 0.1)
    gdf["geometry"] = gdf.geometry.map(lambda g: shapely.MultiPolygon([g]) if g.geom_type == "Polygon" else g)
    gdf["bron"] = "illustratief (bij benadering getekend)"
    return gdf


def check(stations: gpd.GeoDataFrame, developments: gpd.GeoDataFrame, projects: gpd.GeoDataFrame,
          region_land: shapely.Geometry) -> None:
    """Guard the design: everything but Borssele lies in the region, references resolve, ids are unique."""
    inside = stations.geometry.within(region_land)
    outside = stations.loc[~inside, "station_id"].tolist()
    assert outside == ["BSL"], f"stations buiten de regio: {outside}"
    rep = developments.geometry.representative_point()
    assert rep.within(region_land).all(), developments.loc[~rep.within(region_land), "id"].tolist()
    assert not developments.geometry.is_empty.any()
    assert developments["id"].is_unique and stations["station_id"].is_unique and projects["project_id"].is_unique
    known = set(stations["station_id"])
    assert set(developments["station_id"].dropna()) <= known
    assert set(projects["station_id"].dropna()) <= known
    assert set(CAPACITY) <= known and set(known) - set(CAPACITY) == {"KWT"}


def write(out: Path, data: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    municipalities = read_municipalities(data)
    region = municipalities.to_crs(RD).rename(columns={"statcode": "municipality_code"})
    region_land = shapely.union_all(region.geometry.values)
    # All land around the Westerschelde (both banks), to cut the estuary out of its drawn envelope.
    kwb = gpd.read_file(data / "cbs_kwb_gemeenten_2022.geojson", bbox=(3.3, 51.15, 4.35, 51.6)).to_crs(RD)
    all_land = shapely.union_all(shapely.make_valid(kwb.geometry.values))

    stations = build_stations(data)
    capacity = build_capacity()
    projects = build_projects()
    developments = build_developments(region_land)
    constraints = build_constraints(all_land, region)
    check(stations, developments, projects, region_land)

    geojson = out / "gemeenten.geojson"
    geojson.unlink(missing_ok=True)
    municipalities.to_file(geojson, driver="GeoJSON", engine="pyogrio", layer_options={"COORDINATE_PRECISION": 6,
                                                                                         "WRITE_NAME": "NO"})
    for name, gdf, layer in [("stations.gpkg", stations, "stations"), ("projecten.gpkg", projects, "projecten"),
                             ("ontwikkelingen.gpkg", developments, "ontwikkelingen"),
                             ("beperkingen.gpkg", constraints, "beperkingen")]:
        path = out / name
        path.unlink(missing_ok=True)
        gdf.to_file(path, layer=layer, driver="GPKG", engine="pyogrio", dataset_options={"VERSION": "1.2"})
    capacity.to_csv(out / "capaciteit.csv", sep=";", index=False, lineterminator="\n", encoding="utf-8")
    print(f"geschreven naar {out}: {len(municipalities)} gemeenten, {len(stations)} stations, "
          f"{len(capacity)} capaciteitsrijen, {len(projects)} projecten, {len(developments)} ontwikkelingen, "
          f"{len(constraints)} beperkingen")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="map met de open data (shared/data/nl)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="uitvoermap")
    args = parser.parse_args(argv)
    write(args.out, args.data)


if __name__ == "__main__":
    main()
