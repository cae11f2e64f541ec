"""A throwaway PostgreSQL + PostGIS server for the tests, started on loopback in a temporary folder.

Standard library only, so both the core suite (``.venv``) and the QGIS suite (``.venv-qgis``) can use it::

    server = postgis_server.require()          # started once per process, stopped at exit
    url = server.create_database("proef")      # a fresh database with the postgis extension

The server runs from Debian's ``postgresql-15`` binaries (``scripts/postgis.sh install``; another folder with
``initdb``/``pg_ctl`` can be named in ``$EP_PG_BINDIR``). ``initdb`` refuses to run as root, so as root every
server program runs as the ``postgres`` user through ``runuser``. TCP connections need a password
(scram-sha-256), so the tests see real authentication; the socket in the temporary folder is trusted and used
only by :meth:`PostgisServer.psql` for setting up.

When the server cannot start, :func:`require` skips the calling test, except with ``CI=true`` (or
``EP_REQUIRE_POSTGIS=1``): then it fails, so a CI machine without PostgreSQL cannot pass by skipping.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["PostgisServer", "ServerUnavailable", "find_bindir", "require", "required", "start_server"]

SUPERUSER = "energie"
TEMPLATE = "ep_postgis_template"


class ServerUnavailable(RuntimeError):
    """PostgreSQL/PostGIS is not installed or the server did not start."""


def required() -> bool:
    """True when a missing server must fail the tests (``CI=true`` or ``EP_REQUIRE_POSTGIS=1``)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes") or \
        os.environ.get("EP_REQUIRE_POSTGIS", "").strip() == "1"


def find_bindir() -> Path:
    """The folder with ``initdb``, ``pg_ctl`` and ``psql`` of the newest installed PostgreSQL with PostGIS."""
    candidates = [os.environ["EP_PG_BINDIR"]] if os.environ.get("EP_PG_BINDIR") else \
        sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(re.sub(r"\D", "", p) or 0), reverse=True)
    for cand in candidates:
        bindir = Path(cand)
        if not all((bindir / prog).exists() for prog in ("initdb", "pg_ctl", "psql", "postgres")):
            continue
        version = bindir.parent.name
        if glob.glob(f"/usr/share/postgresql/{version}/extension/postgis.control") or os.environ.get("EP_PG_BINDIR"):
            return bindir
    raise ServerUnavailable(
        "PostgreSQL met PostGIS niet gevonden (verwacht /usr/lib/postgresql/<versie>/bin en de postgis-extensie); "
        "installeer met: scripts/postgis.sh install")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgisServer:
    """A running server: its folder, port and superuser, and helpers to make databases and roles."""

    root: Path
    bindir: Path
    port: int
    password: str
    user: str = SUPERUSER
    host: str = "127.0.0.1"
    run_as: list[str] = field(default_factory=list)
    running: bool = True

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres", *, user: str | None = None, password: str | None = None) -> str:
        """``postgresql://user:password@127.0.0.1:port/database`` (the superuser unless another role is given)."""
        user = user or self.user
        password = self.password if password is None else password
        return f"postgresql://{user}:{password}@{self.host}:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL as the superuser over the trusted socket; return the unaligned output."""
        cmd = [*self.run_as, str(self.bindir / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
               "-h", str(self.root), "-p", str(self.port), "-U", self.user, "-d", database, "-c", sql]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"psql faalde ({proc.returncode}): {proc.stderr.strip()}")
        return proc.stdout.strip()

    def create_database(self, name: str | None = None) -> str:
        """A new database with PostGIS (copied from a template); returns its URL."""
        name = name or f"proef_{secrets.token_hex(4)}"
        self.psql(f'CREATE DATABASE "{name}" TEMPLATE {TEMPLATE} STRATEGY FILE_COPY')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def create_role(self, name: str, password: str) -> None:
        """A login role without special rights (a QGIS user who only reads, say)."""
        self.psql(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'")

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        if self.running:
            subprocess.run([*self.run_as, str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast",
                            "-w", "stop"], capture_output=True, text=True, timeout=120, check=False)
            self.running = False
        shutil.rmtree(self.root, ignore_errors=True)


def start_server() -> PostgisServer:
    """initdb in a temporary folder, start on a free loopback port, create the PostGIS template database."""
    bindir = find_bindir()
    run_as: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="ep-postgis-"))
    if os.geteuid() == 0:
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError as exc:
            shutil.rmtree(root, ignore_errors=True)
            raise ServerUnavailable("als root draait initdb niet en er is geen gebruiker 'postgres'") from exc
        os.chown(root, pw.pw_uid, pw.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    password = secrets.token_urlsafe(12)
    pwfile = root / "pw"
    pwfile.write_text(password + "\n", encoding="utf-8")
    if run_as:
        os.chown(pwfile, pwd.getpwnam("postgres").pw_uid, -1)
    server = PostgisServer(root=root, bindir=bindir, port=_free_port(), password=password, run_as=run_as,
                           running=False)
    try:
        init = subprocess.run(
            [*run_as, str(bindir / "initdb"), "-D", str(server.data_dir), "-U", SUPERUSER, f"--pwfile={pwfile}",
             "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
            capture_output=True, text=True, timeout=300, check=False)
        pwfile.unlink()
        if init.returncode != 0:
            raise ServerUnavailable(f"initdb faalde: {init.stderr.strip()[-800:]}")
        options = (f"-p {server.port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50")
        start = subprocess.run(
            [*run_as, str(bindir / "pg_ctl"), "-D", str(server.data_dir), "-o", options, "-l", str(root / "log"),
             "-w", "-t", "120", "start"], capture_output=True, text=True, timeout=180, check=False)
        if start.returncode != 0:
            log = (root / "log").read_text(encoding="utf-8", errors="replace")[-1500:] if (root / "log").exists() else ""
            raise ServerUnavailable(f"pg_ctl start faalde: {start.stderr.strip()[-500:]}\n{log}")
        server.running = True
        server.psql(f"CREATE DATABASE {TEMPLATE}")
        server.psql("CREATE EXTENSION postgis", database=TEMPLATE)
    except BaseException:
        server.stop()
        raise
    return server


_SERVER: PostgisServer | None = None
_FAILURE: str | None = None


def require() -> PostgisServer:
    """The process-wide server, started on first use and stopped at exit; skip (or fail in CI) without one."""
    import pytest

    global _SERVER, _FAILURE
    if _SERVER is None and _FAILURE is None:
        try:
            _SERVER = start_server()
            atexit.register(_SERVER.stop)
        except (ServerUnavailable, OSError, subprocess.SubprocessError, RuntimeError) as exc:
            _FAILURE = str(exc)
    if _SERVER is None:
        message = f"PostGIS-testserver start niet: {_FAILURE}"
        if required():
            pytest.fail(message + " (CI=true/EP_REQUIRE_POSTGIS=1: overslaan is niet toegestaan)", pytrace=False)
        pytest.skip(message)
    return _SERVER
