#!/usr/bin/env bash
# PostgreSQL + PostGIS for energieplanologie (Debian bookworm: postgresql-15 and postgresql-15-postgis-3).
#
#   scripts/postgis.sh install            apt-get install the server and PostGIS (skipped when already there)
#   scripts/postgis.sh start DIR [PORT]   a private server in DIR on 127.0.0.1 (port default 55432) with a database
#                                         'energie' that has PostGIS; prints its URL (password in DIR/wachtwoord)
#   scripts/postgis.sh stop DIR           stop that server (DIR stays; remove it yourself)
#   scripts/postgis.sh status DIR         is it running?
#
# The tests start and stop a throwaway server of their own (tests/postgis_server.py); CI needs only `install`.
# initdb refuses to run as root, so as root the server runs as the 'postgres' user. Another PostgreSQL version:
# EP_PG_VERSION=16 scripts/postgis.sh install.
set -euo pipefail

VERSION="${EP_PG_VERSION:-15}"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { echo "postgis.sh: $*" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else SUDO=(); fi
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

bindir() {  # the newest installed server that has PostGIS, or EP_PG_BINDIR
  if [ -n "${EP_PG_BINDIR:-}" ]; then echo "$EP_PG_BINDIR"; return; fi
  local d v
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
    v="$(basename "$(dirname "$d")")"
    if [ -x "$d/initdb" ] && [ -f "/usr/share/postgresql/$v/extension/postgis.control" ]; then echo "$d"; return; fi
  done
  die "geen PostgreSQL met PostGIS gevonden; eerst: scripts/postgis.sh install"
}

as_server_user() {  # run a server program as the folder's owner (postgres when we are root)
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cmd_install() {
  local packages=("postgresql-$VERSION" "postgresql-$VERSION-postgis-3")
  local missing=()
  for p in "${packages[@]}"; do installed "$p" || missing+=("$p"); done
  if [ "${#missing[@]}" -eq 0 ]; then
    say "PostgreSQL $VERSION + PostGIS: al geïnstalleerd"
    return
  fi
  command -v apt-get >/dev/null 2>&1 || die "apt-get ontbreekt; installeer zelf: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ] && [ "${#SUDO[@]}" -eq 0 ]; then die "root of sudo nodig om te installeren: ${missing[*]}"; fi
  say "apt-get install ${missing[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  if ! apt-cache show "postgresql-$VERSION-postgis-3" >/dev/null 2>&1; then
    die "postgresql-$VERSION-postgis-3 bestaat niet in deze distributie; kies een versie met EP_PG_VERSION=…"
  fi
  # no cluster of the package's own: energieplanologie starts its servers in folders of its choosing
  "${SUDO[@]}" mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" | "${SUDO[@]}" tee /etc/postgresql-common/createcluster.d/energieplanologie.conf >/dev/null
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  say "klaar: $("$(bindir)/postgres" --version)"
}

cmd_start() {
  local dir="${1:?gebruik: postgis.sh start MAP [POORT]}" port="${2:-55432}" bin
  bin="$(bindir)"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  chmod 700 "$dir"
  as_server_user test -w "$dir" || die "$dir: de servergebruiker (postgres) kan hier niet schrijven; kies een map \
waarvan de bovenliggende mappen voor iedereen toegankelijk zijn (bv. onder /tmp of /var/tmp)"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    local pwfile; pwfile="$(mktemp)"
    head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$dir/wachtwoord"
    chmod 600 "$dir/wachtwoord"
    cp "$dir/wachtwoord" "$pwfile"; chmod 644 "$pwfile"
    say "initdb $dir/data"
    as_server_user "$bin/initdb" -D "$dir/data" -U energie --pwfile="$pwfile" --auth-local=trust \
      --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
  fi
  say "pg_ctl start (127.0.0.1:$port)"
  as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null
  if ! as_server_user "$bin/psql" -X -q -At -h "$dir" -p "$port" -U energie -d postgres \
      -c "SELECT 1 FROM pg_database WHERE datname = 'energie'" | grep -q 1; then
    as_server_user "$bin/psql" -X -q -h "$dir" -p "$port" -U energie -d postgres -c "CREATE DATABASE energie"
  fi
  as_server_user "$bin/psql" -X -q -h "$dir" -p "$port" -U energie -d energie -c "CREATE EXTENSION IF NOT EXISTS postgis"
  echo "postgresql://energie@127.0.0.1:$port/energie   (wachtwoord in $dir/wachtwoord; zet het in ~/.pgpass)"
}

cmd_stop() {
  local dir="${1:?gebruik: postgis.sh stop MAP}"
  [ -f "$dir/data/PG_VERSION" ] || die "$dir: geen server-map"
  as_server_user "$(bindir)/pg_ctl" -D "$dir/data" -m fast -w stop
}

cmd_status() {
  local dir="${1:?gebruik: postgis.sh status MAP}"
  [ -f "$dir/data/PG_VERSION" ] || die "$dir: geen server-map"
  as_server_user "$(bindir)/pg_ctl" -D "$dir/data" status
}

case "${1:-}" in
  install) shift; cmd_install "$@" ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  status) shift; cmd_status "$@" ;;
  -h|--help|"") sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "onbekende opdracht '$1' (install, start, stop, status)" ;;
esac
