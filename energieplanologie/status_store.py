"""Status reports of the half-yearly check in a shared PostGIS workspace, stored like the deliveries of a round.

:func:`save_status` appends the reports of a status layer to table ``<schema>.statusmeldingen`` — one row per
project and reference date (*peildatum*) with the data owner (*eigenaar*), where it came from (*bron*, never with a
password) and when it was recorded (*vastgelegd_op*). The table is append-only, as ``wijzigingen`` of the rounds
(:class:`energieplanologie.rounds.PostgisStore`): a trigger refuses UPDATE, DELETE and TRUNCATE, so what a party
reported at a reference date stays on record. A report that repeats the latest stored one for its project and
date is not stored again; a corrected one is stored beside it and wins. :func:`load_status` reads the latest
report per project and reference date back as a status layer (every date: the history).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from energieplanologie._secrets import without_password
from energieplanologie.schema import DUTCH_VALUES

__all__ = ["STATUS_TABLE", "load_status", "save_status"]

#: The table in the workspace schema.
STATUS_TABLE = "statusmeldingen"

_COLUMNS = ("projectcode", "peildatum", "status", "verwacht_gereed", "toelichting", "eigenaar", "bron")


def _ensure(conn: Any, schema: str) -> None:
    from psycopg import sql

    s = sql.Identifier(schema)
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(s))
    if conn.execute("SELECT to_regclass(%s) IS NOT NULL", [f'"{schema}".{STATUS_TABLE}']).fetchone()[0]:
        return
    conn.execute(sql.SQL(
        "CREATE TABLE {t} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, projectcode text NOT NULL, "
        "peildatum date NOT NULL, status text NOT NULL, verwacht_gereed integer, toelichting text, eigenaar text, "
        "bron text, vastgelegd_op timestamptz NOT NULL DEFAULT now())").format(t=sql.Identifier(schema, STATUS_TABLE)))
    conn.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(
        sql.Identifier(schema, STATUS_TABLE),
        sql.Literal("Statusmeldingen van de halfjaarlijkse voortgangstoets per project en peildatum, met eigenaar en "
                    "tijdstip; alleen toevoegen (een correctie is een nieuwe rij).")))
    conn.execute(sql.SQL(
        "CREATE FUNCTION {f}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION "
        "'statusmeldingen zijn vastgelegd: % op %.% is niet toegestaan (een correctie is een nieuwe melding)', "
        "TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'raise_exception'; END $$").format(
        f=sql.Identifier(schema, "ep_statusmelding")))
    for name, when in (("ep_statusmelding", "UPDATE OR DELETE ON {t} FOR EACH ROW"),
                       ("ep_statusmelding_truncate", "TRUNCATE ON {t} FOR EACH STATEMENT")):
        conn.execute(sql.SQL("CREATE TRIGGER {n} BEFORE " + when + " EXECUTE FUNCTION {f}()").format(
            n=sql.Identifier(name), t=sql.Identifier(schema, STATUS_TABLE),
            f=sql.Identifier(schema, "ep_statusmelding")))


def _schema_name(schema: str) -> str:
    from energieplanologie._errors import ConfigError
    from energieplanologie.postgis import SQL_NAME

    if not SQL_NAME.match(schema) or len(schema) > 40:
        raise ConfigError(f"schema: {schema!r} is geen geldige schemanaam (kleine letters, cijfers, _).", key="schema")
    return schema


def save_status(source: str, status: pd.DataFrame, *, schema: str = "voortgang", owner: str | None = None,
                origin: str | None = None) -> int:
    """Append a validated status layer's reports to ``<schema>.statusmeldingen``; returns how many were new.

    Parameters
    ----------
    source : str
        The workspace: a PostgreSQL URL or ``service=naam`` (see :func:`energieplanologie.postgis.connect`).
    status : DataFrame
        A validated status layer (canonical columns, as :func:`energieplanologie.io.read_layer` returns it).
    schema : str, default "voortgang"
        Created with the table (and its append-only trigger) when missing.
    owner : str, optional
        The party that reported (data owner).
    origin : str, optional
        Where the reports came from (a file name); a connection string is stored without its password.

    Returns
    -------
    int
        Rows stored; a report equal to the latest stored one for its project and date is skipped.

    Examples
    --------
    >>> save_status("postgresql://gebruiker@server/db", status, owner="Stedin")  # doctest: +SKIP
    12
    """
    from energieplanologie.postgis import connect

    schema = _schema_name(schema)
    words = DUTCH_VALUES["project_status"]
    rows = [(str(r.project_id), str(r.reference_date), words.get(r.project_status, r.project_status),
             None if pd.isna(r.expected_year_ready) else int(r.expected_year_ready),
             None if "note" not in status.columns or pd.isna(getattr(r, "note", None)) else str(r.note))
            for r in status.itertuples(index=False)]
    bron = None if origin is None else without_password(str(origin))
    with connect(source) as conn:
        _ensure(conn, schema)
        known = {(r[0], r[1]): tuple(r[2:5]) for r in _latest(conn, schema)}
        new = [r for r in rows if known.get((r[0], r[1])) != tuple(r[2:5])]
        if new:
            from psycopg import sql

            with conn.cursor() as cur:
                cur.executemany(sql.SQL(
                    "INSERT INTO {t} (projectcode, peildatum, status, verwacht_gereed, toelichting, eigenaar, bron) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s)").format(t=sql.Identifier(schema, STATUS_TABLE)),
                    [(*r, owner, bron) for r in new])
        conn.commit()
    return len(new)


def _latest(conn: Any, schema: str) -> list[tuple[Any, ...]]:
    from psycopg import sql

    cur = conn.execute(sql.SQL(
        "SELECT DISTINCT ON (projectcode, peildatum) projectcode, to_char(peildatum, 'YYYY-MM-DD'), status, "
        "verwacht_gereed, toelichting, eigenaar, to_char(vastgelegd_op AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM {t} ORDER BY projectcode, peildatum, vastgelegd_op DESC, id DESC"
    ).format(t=sql.Identifier(schema, STATUS_TABLE)))
    return [tuple(row) for row in cur.fetchall()]


def load_status(source: str, *, schema: str = "voortgang") -> pd.DataFrame:
    """The latest stored report per project and reference date, as a status layer to validate.

    Returns
    -------
    DataFrame
        Dutch headers as stored (``projectcode``, ``peildatum``, ``status``, ``verwacht_gereed``, ``toelichting``,
        ``eigenaar``, ``vastgelegd_op``), sorted by project and date: pass it through
        :func:`energieplanologie.io.map_columns` and :func:`energieplanologie.schema.validate` (kind ``status``) as
        any other source.

    Examples
    --------
    >>> load_status("postgresql://gebruiker@server/db").columns[:3].tolist()  # doctest: +SKIP
    ['projectcode', 'peildatum', 'status']
    """
    from energieplanologie._errors import ConfigError
    from energieplanologie.postgis import connect

    schema = _schema_name(schema)
    with connect(source) as conn:
        if not (conn.execute("SELECT to_regclass(%s) IS NOT NULL", [f'"{schema}".{STATUS_TABLE}']).fetchone() or [False])[0]:
            raise ConfigError(f"{schema}.{STATUS_TABLE}: de werkruimte heeft nog geen statusmeldingen (leg ze vast "
                              "met monitor --vastleggen).", key="status")
        rows = _latest(conn, schema)
    columns = ["projectcode", "peildatum", "status", "verwacht_gereed", "toelichting", "eigenaar", "vastgelegd_op"]
    frame = pd.DataFrame({c: pd.Series([r[i] for r in rows], dtype=object) for i, c in enumerate(columns)})
    frame["verwacht_gereed"] = pd.array(frame["verwacht_gereed"].tolist(), dtype="Int64")
    return frame
