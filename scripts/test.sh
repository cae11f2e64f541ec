#!/usr/bin/env bash
# Every test: the static checks (ruff, mypy, the import-linter layers), the core suite in .venv and the QGIS plugin
# suite under real QGIS in .venv-qgis.
#
#   scripts/test.sh [--skip-setup]
#
# Runs scripts/setup.sh --qgis --browser --postgis first (unless --skip-setup). The static checks run first; both suites
# always run; the exit status is non-zero when a check or a suite fails. With CI=true (see .ci/run) a skipped test
# counts as a failure.
set -euo pipefail

SKIP_SETUP=0
for arg in "$@"; do
  case "$arg" in
    --skip-setup) SKIP_SETUP=1 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test.sh: onbekende optie '$arg'" >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if [ "$SKIP_SETUP" -eq 0 ]; then
  scripts/setup.sh --qgis --browser --postgis
fi

# QGIS and Qt write their profile, caches and runtime files here instead of the home folder.
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/energieplanologie-test.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT
mkdir -p "$SCRATCH/runtime" "$SCRATCH/config" "$SCRATCH/data" "$SCRATCH/cache"
chmod 700 "$SCRATCH/runtime"

run_suite() {  # NAME LOGFILE COMMAND…  → sets SUITE_RC and SUITE_LINE
  local name="$1" log="$2"; shift 2
  say "$name: $*"
  set +e
  "$@" 2>&1 | tee "$log"
  SUITE_RC=${PIPESTATUS[0]}
  set -e
  SUITE_LINE="$(grep -E '^=+ .*(passed|failed|error|skipped|no tests ran).* =+$' "$log" | tail -n 1 | sed -E 's/^=+ //; s/ =+$//')"
}

# Static checks, before the suites: lint (ruff), types (mypy) and the layers contract in pyproject.toml (lint-imports:
# each layer imports only lower layers, imports inside functions included). A failure fails the run.
STATIC_RC=0
static_check() {  # NAME COMMAND…
  local name="$1"; shift
  say "$name: $*"
  if "$@"; then STATIC_LINES+=("  $name: geslaagd"); else STATIC_RC=1; STATIC_LINES+=("  $name: MISLUKT"); fi
}
STATIC_LINES=()
static_check "ruff" .venv/bin/ruff check energieplanologie tests tools benchmarks
static_check "mypy" .venv/bin/mypy energieplanologie
static_check "lagen (lint-imports)" .venv/bin/lint-imports --no-cache

run_suite "kerntests" "$SCRATCH/core.log" .venv/bin/python -m pytest
CORE_RC=$SUITE_RC; CORE_LINE=$SUITE_LINE

run_suite "QGIS-tests" "$SCRATCH/qgis.log" env \
  QT_QPA_PLATFORM=offscreen \
  XDG_RUNTIME_DIR="$SCRATCH/runtime" XDG_CONFIG_HOME="$SCRATCH/config" \
  XDG_DATA_HOME="$SCRATCH/data" XDG_CACHE_HOME="$SCRATCH/cache" \
  ENERGIEPLANOLOGIE_ENGINE="$ROOT/.venv/bin/python" \
  .venv-qgis/bin/python -m pytest --qgis_disable_gui tests/qgis
QGIS_RC=$SUITE_RC; QGIS_LINE=$SUITE_LINE

verdict() { if [ "$1" -eq 0 ]; then echo "geslaagd"; else echo "MISLUKT (exit $1)"; fi; }
echo
say "samenvatting"
printf '%s\n' "${STATIC_LINES[@]}"
printf '  kerntests  (.venv):      %s — %s\n' "$(verdict "$CORE_RC")" "${CORE_LINE:-geen pytest-samenvatting}"
printf '  QGIS-tests (.venv-qgis): %s — %s\n' "$(verdict "$QGIS_RC")" "${QGIS_LINE:-geen pytest-samenvatting}"
if [ "${CI:-}" = "true" ]; then echo "  (CI=true: overgeslagen tests tellen als mislukt)"; fi

if [ "$STATIC_RC" -ne 0 ] || [ "$CORE_RC" -ne 0 ] || [ "$QGIS_RC" -ne 0 ]; then
  exit 1
fi
