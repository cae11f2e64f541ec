#!/usr/bin/env bash
# The whole pipeline on the shipped Zeeuws-Vlaanderen sample, from a fresh checkout:
#
#   scripts/demo.sh [UITVOERMAP]      (default: uitvoer)
#
# Runs scripts/setup.sh (core only) first, then `energieplanologie demo --out UITVOERMAP`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="${1:-uitvoer}"

scripts/setup.sh
printf '\033[1m==> energieplanologie demo --out %s\033[0m\n' "$OUT"
.venv/bin/energieplanologie demo --out "$OUT"

OUT_ABS="$(cd "$OUT" && pwd)"
echo
echo "Uitvoer staat in: $OUT_ABS"
for item in energieplanologie.gpkg kaart.html gemeenten/index.html stationsbalans.csv validatie.txt \
            dichtheid_mw_per_km2.tif pmiek/projectenlijst.xlsx; do
  if [ -e "$OUT_ABS/$item" ]; then echo "  $OUT_ABS/$item"; fi
done
echo "Open de kaart in een browser: file://$OUT_ABS/kaart.html"
