#!/usr/bin/env bash
# Prepare this checkout: system packages, the core environment .venv and (optionally) the QGIS test environment.
#
#   scripts/setup.sh              core: .venv with energieplanologie[dev,pdf,dask] (editable)
#   scripts/setup.sh --qgis       also QGIS ≥ 3.40 LTR (apt; bookworm-backports on Debian 12) and .venv-qgis
#   scripts/setup.sh --browser    also headless Chromium (for the map tests)
#   scripts/setup.sh --postgis    also PostgreSQL 15 + PostGIS 3 (for the database tests; servers start per test run)
#
# Debian bookworm or Ubuntu; as root or as a user with sudo. Safe to run again: apt is skipped when every package
# is installed, and pip is skipped when pyproject.toml has not changed since the last install.
set -euo pipefail

WITH_QGIS=0
WITH_BROWSER=0
WITH_POSTGIS=0
for arg in "$@"; do
  case "$arg" in
    --qgis) WITH_QGIS=1 ;;
    --browser) WITH_BROWSER=1 ;;
    --postgis) WITH_POSTGIS=1 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup.sh: onbekende optie '$arg' (gebruik --qgis, --browser, --postgis)" >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# ------------------------------------------------------------------------------------------ system packages
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  SUDO=()
fi

DISTRO="$( . /etc/os-release 2>/dev/null && echo "${ID:-unknown}" || echo unknown)"
ARCH="$(dpkg --print-architecture 2>/dev/null || uname -m)"

# python3-venv for the environments; pango + harfbuzz-subset for PDF (WeasyPrint); a font for PDFs and maps.
PACKAGES=(python3-venv libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
OPTIONAL=(libharfbuzz-subset0)   # not in older releases; WeasyPrint then works without font subsetting
case "$ARCH" in
  amd64|arm64|x86_64|aarch64) ;;                 # every dependency has wheels here
  *) PACKAGES+=(python3-dev gcc g++) ;;          # elsewhere some may build from source
esac
# Node.js + npm install the JavaScript/CSS that self-contained HTML maps inline (package.json); use what is on
# PATH when present (e.g. a nodesource or nvm install), else Debian's.
if ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi
UBUNTU_BROWSER=()
if [ "$WITH_BROWSER" -eq 1 ]; then
  if [ "$DISTRO" = "ubuntu" ]; then
    UBUNTU_BROWSER=(chromium-browser chromium-chromedriver)   # on Ubuntu these install a snap: may fail in containers
  else
    PACKAGES+=(chromium chromium-driver)
  fi
fi

# The QGIS tests read the atlas PDF with poppler's pdfinfo, pdftotext and pdftoppm.
if [ "$WITH_QGIS" -eq 1 ]; then
  PACKAGES+=(poppler-utils)
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

MISSING=()
for pkg in "${PACKAGES[@]}"; do installed "$pkg" || MISSING+=("$pkg"); done
MISSING_OPTIONAL=()
for pkg in "${OPTIONAL[@]}" "${UBUNTU_BROWSER[@]}"; do installed "$pkg" || MISSING_OPTIONAL+=("$pkg"); done

# Optional packages are tried after an update anyway; without one, only when apt already knows them.
OPTIONAL_TODO=()
for pkg in "${MISSING_OPTIONAL[@]}"; do
  if [ "${#MISSING[@]}" -gt 0 ] || apt-cache show "$pkg" >/dev/null 2>&1; then OPTIONAL_TODO+=("$pkg"); fi
done

if [ "${#MISSING[@]}" -gt 0 ] || [ "${#OPTIONAL_TODO[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup.sh: apt-get ontbreekt; installeer zelf: ${MISSING[*]} ${OPTIONAL_TODO[*]}" >&2
    exit 1
  fi
  if [ "$(id -u)" -ne 0 ] && [ "${#SUDO[@]}" -eq 0 ]; then
    echo "setup.sh: root of sudo nodig om te installeren: ${MISSING[*]} ${OPTIONAL_TODO[*]}" >&2
    exit 1
  fi
  say "apt-get install ${MISSING[*]} ${OPTIONAL_TODO[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  if [ "${#MISSING[@]}" -gt 0 ]; then
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${MISSING[@]}"
  fi
  for pkg in "${OPTIONAL_TODO[@]}"; do
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" \
      || echo "  waarschuwing: $pkg niet geïnstalleerd (niet beschikbaar op $DISTRO); verder zonder" >&2
  done
else
  say "systeempakketten: alles al aanwezig"
fi

# QGIS: the LTR line provinces run (3.40). Debian 12 (bookworm) itself has 3.22 (end of life), its backports have
# 3.40: add the backports suite to apt and install from there. Elsewhere (Ubuntu, newer Debian) the release's own
# QGIS is taken; below 3.40 the tests still run, but the plugin's metadata asks for 3.40.
QGIS_MIN=3.40
QGIS_PACKAGES=(qgis python3-qgis qgis-providers)
qgis_current() {  # every QGIS package installed at QGIS_MIN or newer?
  local pkg v
  for pkg in "${QGIS_PACKAGES[@]}"; do
    installed "$pkg" || return 1
    v="$(dpkg-query -W -f='${Version}' "$pkg")"
    dpkg --compare-versions "$v" ge "$QGIS_MIN" || return 1
  done
}
if [ "$WITH_QGIS" -eq 1 ] && ! qgis_current; then
  CODENAME="$( . /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}" || true)"
  QGIS_TARGET=()
  if [ "$DISTRO" = "debian" ] && [ "$CODENAME" = "bookworm" ]; then
    QGIS_TARGET=(-t bookworm-backports)
    if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
      say "apt: bookworm-backports toevoegen (QGIS $QGIS_MIN LTR)"
      printf '%s\n' "Types: deb" "URIs: http://deb.debian.org/debian" "Suites: bookworm-backports" \
        "Components: main" "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" \
        | "${SUDO[@]}" tee /etc/apt/sources.list.d/backports.sources >/dev/null
    fi
  fi
  if [ "$(id -u)" -ne 0 ] && [ "${#SUDO[@]}" -eq 0 ]; then
    echo "setup.sh: root of sudo nodig om QGIS te installeren: ${QGIS_PACKAGES[*]}" >&2
    exit 1
  fi
  say "apt-get install ${QGIS_TARGET[*]} ${QGIS_PACKAGES[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${QGIS_TARGET[@]}" "${QGIS_PACKAGES[@]}"
  if ! qgis_current; then
    echo "  waarschuwing: QGIS $(dpkg-query -W -f='${Version}' qgis 2>/dev/null) is ouder dan $QGIS_MIN (de versie" \
         "die de plugin vraagt en CI test); de tests draaien wel" >&2
  fi
elif [ "$WITH_QGIS" -eq 1 ]; then
  say "QGIS: $(dpkg-query -W -f='${Version}' qgis) al geïnstalleerd"
fi

if [ "$WITH_POSTGIS" -eq 1 ]; then
  scripts/postgis.sh install
fi

# ------------------------------------------------------------------------------------------ python environments
# A stamp per environment remembers what was installed; pip runs again only when its inputs change.
stamp_of() { { cat pyproject.toml; "$1" -c 'import sys; print(sys.version)'; echo "$2"; } | sha256sum | cut -d' ' -f1; }

ensure_venv() {  # DIR PYTHON PROBE [venv options…]: (re)create DIR unless its python runs PROBE
  local dir="$1" python="$2" probe="$3"; shift 3
  if [ -x "$dir/bin/python" ] && "$dir/bin/python" -c "$probe" >/dev/null 2>&1; then
    return 0
  fi
  say "$python -m venv ${*:+$* }$dir"
  rm -rf "$dir"
  "$python" -m venv "$@" "$dir"
  "$dir/bin/python" -m pip install -q --upgrade pip
}

PYTHON="$(command -v python3 || true)"
if [ -z "$PYTHON" ]; then
  echo "setup.sh: geen python3 op PATH" >&2
  exit 1
fi
ensure_venv .venv "$PYTHON" "import sys"
STAMP="$(stamp_of .venv/bin/python "core .[dev,pdf,dask]")"
if [ "$(cat .venv/.setup-stamp 2>/dev/null || true)" != "$STAMP" ]; then
  say ".venv: pip install -e '.[dev,pdf,dask]'"
  .venv/bin/python -m pip install -q -e '.[dev,pdf,dask]'
  echo "$STAMP" > .venv/.setup-stamp
else
  say ".venv: al bijgewerkt ($(.venv/bin/python --version))"
fi

# JavaScript/CSS for self-contained maps (leaflet & co., see package.json); again only when the lock file changed.
NSTAMP="$({ cat package-lock.json; npm --version; } | sha256sum | cut -d' ' -f1)"
if [ ! -d node_modules ] || [ "$(cat node_modules/.setup-stamp 2>/dev/null || true)" != "$NSTAMP" ]; then
  say "npm ci (JavaScript voor zelfstandige kaarten)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$NSTAMP" > node_modules/.setup-stamp
else
  say "node_modules: al bijgewerkt"
fi

if [ "$WITH_QGIS" -eq 1 ]; then
  # QGIS's Python bindings belong to the system Python; the test venv sees them through system site packages.
  # numpy<2: Debian's compiled modules (GDAL, matplotlib) are built against numpy 1.
  ensure_venv .venv-qgis /usr/bin/python3 "import qgis.core" --system-site-packages
  QSTAMP="$(stamp_of .venv-qgis/bin/python "qgis numpy<2 pytest pytest-qgis==5.0.2")"
  if [ "$(cat .venv-qgis/.setup-stamp 2>/dev/null || true)" != "$QSTAMP" ]; then
    say ".venv-qgis: pip install 'numpy<2' pytest pytest-qgis==5.0.2"
    .venv-qgis/bin/python -m pip install -q "numpy<2" pytest "pytest-qgis==5.0.2"
    echo "$QSTAMP" > .venv-qgis/.setup-stamp
  else
    say ".venv-qgis: al bijgewerkt"
  fi
  .venv-qgis/bin/python -c 'from qgis.core import Qgis; print("QGIS", Qgis.QGIS_VERSION)'
fi

say "klaar: $(.venv/bin/energieplanologie --version)"
