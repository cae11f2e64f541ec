"""Secret masking: the one place that knows where a password hides in a PostgreSQL connection string.

Every URL or connection string that reaches a message, a log line, a report, provenance or a database row goes
through this module. It understands every form libpq accepts, and a few it does not but a careless user types:

* a URL ``postgresql://user:password@host:port/db?password=…&sslpassword=…`` (also ``postgres://``), with the
  password percent-encoded or written as is — ``#``, ``?``, ``/``, ``:``, spaces and even ``@`` included (the
  credentials end at the *last* ``@``);
* a key/value string ``host=gis dbname=energie user=piet password='met spatie'`` (quoted values and backslash
  escapes as libpq reads them), optionally prefixed ``PG:`` as GDAL does;
* ``service=naam`` (the password then lives in the service file or ``~/.pgpass`` and is never seen here).

:func:`mask_secrets` replaces passwords in any text by ``***`` (for messages and reports);
:func:`without_password` removes them from a connection string altogether (for provenance and database rows);
:func:`is_connection_string` tells a connection string from a file path, so that a key/value string is never
taken for a file name and echoed. Passwords seen by any of these are remembered for the life of the process
(:func:`remember`), so that :func:`mask_secrets` also removes them where they appear on their own — in a
driver's error message, say.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

__all__ = [
    "MASK",
    "SECRET_KEYS",
    "is_connection_string",
    "mask_secrets",
    "passwords_in",
    "remember",
    "url_password_problem",
    "without_password",
]

#: What a password is replaced by.
MASK = "***"
#: Connection parameters whose values are secrets.
SECRET_KEYS = ("password", "sslpassword")
#: The parameter names libpq knows (PostgreSQL 17, ``libpq-connect.html#LIBPQ-PARAMKEYWORDS``); a key/value string
#: whose keys are all in here is a connection string, not a file name.
LIBPQ_KEYWORDS = frozenset({
    "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "require_auth", "channel_binding",
    "connect_timeout", "client_encoding", "options", "application_name", "fallback_application_name", "keepalives",
    "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout", "replication", "gssencmode",
    "sslmode", "requiressl", "sslnegotiation", "sslcompression", "sslcert", "sslkey", "sslkeylogfile", "sslpassword",
    "sslcertmode", "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "requirepeer", "ssl_min_protocol_version",
    "ssl_max_protocol_version", "krbsrvname", "gsslib", "gssdelegation", "service", "target_session_attrs",
    "load_balance_hosts", "oauth_issuer", "oauth_client_id", "oauth_client_secret", "oauth_scope",
})
_URL_PREFIXES = ("postgresql://", "postgres://")
_GDAL_PREFIX = "PG:"

#: Passwords met in this process (see :func:`remember`).
_KNOWN: set[str] = set()


# ------------------------------------------------------------------------------------------------ parsing


def _kv_pairs(text: str) -> list[tuple[str, int, int, str]] | None:
    """libpq's key/value syntax: ``(key, value_start, value_end, value)`` per pair, or None when it is not one.

    As libpq's ``conninfo_parse``: ``key = value`` separated by white space; a value in single quotes may hold
    spaces; a backslash escapes the next character, quoted or not.
    """
    pairs: list[tuple[str, int, int, str]] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            return pairs or None
        start = i
        while i < n and not text[i].isspace() and text[i] != "=":
            i += 1
        key = text[start:i]
        while i < n and text[i].isspace():
            i += 1
        if not key or i >= n or text[i] != "=":
            return None
        i += 1
        while i < n and text[i].isspace():
            i += 1
        value: list[str] = []
        v_start = i
        if i < n and text[i] == "'":
            i += 1
            while i < n and text[i] != "'":
                if text[i] == "\\" and i + 1 < n:
                    i += 1
                value.append(text[i])
                i += 1
            if i >= n:
                return None  # an unterminated quote: libpq refuses the string
            i += 1
        else:
            while i < n and not text[i].isspace():
                if text[i] == "\\" and i + 1 < n:
                    i += 1
                value.append(text[i])
                i += 1
        pairs.append((key, v_start, i, "".join(value)))


def _split_url(url: str) -> tuple[str, str, str | None, str] | None:
    """``(scheme://, user, password or None, rest after the credentials)`` of a URL, or None when it is not one.

    The credentials end at the last ``@`` (libpq stops at the first ``@`` or ``/``, so an unencoded ``@`` or ``/``
    in a password makes libpq fail; the user's intent, and the secret, are still what comes before the last ``@``).
    """
    lowered = url.lower()
    prefix = next((p for p in _URL_PREFIXES if lowered.startswith(p)), None)
    if prefix is None:
        return None
    scheme, rest = url[:len(prefix)], url[len(prefix):]
    at = rest.rfind("@")
    if at < 0:
        return scheme, "", None, rest
    userinfo = rest[:at]
    user, sep, password = userinfo.partition(":")
    return scheme, user, password if sep else None, rest[at:]


def _query_secrets(rest: str) -> list[str]:
    """The values of the secret query parameters in the part of a URL after its credentials."""
    q = rest.find("?")
    if q < 0:
        return []
    return [param.split("=", 1)[1] for param in rest[q + 1:].split("&")
            if "=" in param and param.split("=", 1)[0].lower() in SECRET_KEYS]


def passwords_in(text: str) -> list[str]:
    """Every password in a connection string, as written and as decoded (longest first).

    Examples
    --------
    >>> passwords_in("postgresql://piet:ge%23heim@gis/energie")
    ['ge%23heim', 'ge#heim']
    >>> passwords_in("host=gis password='a b\\\\'c' user=piet")
    ["'a b\\\\'c'", "a b'c"]
    >>> passwords_in("service=provincie")
    []
    """
    found: list[str] = []
    source = text.strip()
    body = source[len(_GDAL_PREFIX):] if source.startswith(_GDAL_PREFIX) else source
    parts = _split_url(body)
    if parts is not None:
        _, _, password, rest = parts
        if password:
            found += [password, unquote(password)]
        for value in _query_secrets(rest):
            found += [value, unquote(value.replace("+", " ")), unquote(value)]
    else:
        for key, start, end, value in _kv_pairs(body) or []:
            if key.lower() in SECRET_KEYS:
                found += [value, body[start:end]]
    try:  # what libpq itself reads (it may differ for strings it has to repair)
        from psycopg.conninfo import conninfo_to_dict

        parsed = conninfo_to_dict(body)
        found += [str(parsed[k]) for k in SECRET_KEYS if parsed.get(k)]
    except Exception:  # psycopg missing, or a string libpq refuses: the parses above still apply
        pass
    return sorted({s for s in found if s and s != MASK}, key=lambda s: (-len(s), s))


def remember(text: str) -> str:
    """Note the passwords of a connection string, so :func:`mask_secrets` removes them from any later text.

    Returns ``text`` unchanged, so a caller can write ``connect(remember(url))``.
    """
    if isinstance(text, str):
        _KNOWN.update(passwords_in(text))
    return text


def is_connection_string(value: object) -> bool:
    """True when ``value`` is a PostgreSQL connection (URL, ``PG:…``, ``service=…`` or key/value string).

    A key/value string counts only when every key is a libpq parameter, so a file called ``a=b.gpkg`` stays a
    file. A connection string found here is remembered (:func:`remember`).

    Examples
    --------
    >>> is_connection_string("postgresql://gis/energie"), is_connection_string("service=provincie")
    (True, True)
    >>> is_connection_string("host=gis dbname=energie password='met spatie'")
    True
    >>> is_connection_string("ontwikkelingen.gpkg"), is_connection_string("data/jaar=2030.gpkg")
    (False, False)
    """
    if not isinstance(value, str):
        return False
    text = value.strip()
    if text.startswith(_URL_PREFIXES) or text.startswith(_GDAL_PREFIX):
        remember(text)
        return True
    pairs = _kv_pairs(text)
    if pairs and all(key.lower() in LIBPQ_KEYWORDS for key, *_ in pairs):
        remember(text)
        return True
    return False


def url_password_problem(source: str) -> str | None:
    """Why libpq would misread the password of a URL, in Dutch, or None when it reads it as written.

    libpq ends the credentials at the first ``@`` or ``/`` and refuses spaces, so a password holding one of
    these unencoded is cut into host, port and database name — and libpq's own error would then show pieces of
    it. Such a URL is refused before it reaches libpq, with the fix.

    Examples
    --------
    >>> url_password_problem("postgresql://piet:ge/heim@gis/energie")
    "het wachtwoord bevat '/', dat in een URL procent-gecodeerd moet worden ('/' als %2F)"
    >>> url_password_problem("postgresql://piet:ge%2Fheim@gis/energie") is None
    True
    """
    text = source.strip()
    body = text[len(_GDAL_PREFIX):] if text.startswith(_GDAL_PREFIX) else text
    parts = _split_url(body)
    if parts is None or parts[2] is None:
        return None
    password = parts[2]
    bad = [c for c in ("/", "@", " ", "%") if c in password and
           (c != "%" or re.search(r"%(?![0-9A-Fa-f]{2})", password))]
    if not bad:
        return None
    codes = {"/": "%2F", "@": "%40", " ": "%20", "%": "%25"}
    shown = ", ".join(f"{c!r}" for c in bad)
    how = ", ".join(f"{c!r} als {codes[c]}" for c in bad)
    return f"het wachtwoord bevat {shown}, dat in een URL procent-gecodeerd moet worden ({how})"


# ------------------------------------------------------------------------------------------------ masking


def _query_masked(rest: str, replacement: str | None) -> str:
    """The part of a URL after its credentials with secret query parameters replaced, or dropped (None)."""
    q = rest.find("?")
    if q < 0:
        return rest
    kept = []
    for param in rest[q + 1:].split("&"):
        key = param.split("=", 1)[0]
        if key.lower() in SECRET_KEYS:
            if replacement is None:
                continue
            param = f"{key}={replacement}"
        kept.append(param)
    return rest[:q] + ("?" + "&".join(kept) if kept else "")


def _mask_connection(text: str, replacement: str | None) -> str | None:
    """A whole connection string with its secrets replaced (``replacement``) or removed (None); None if not one."""
    lead = text[:len(text) - len(text.lstrip())]
    source = text.strip()
    prefix = _GDAL_PREFIX if source.startswith(_GDAL_PREFIX) else ""
    body = source[len(prefix):]
    parts = _split_url(body)
    if parts is not None:
        scheme, user, password, rest = parts
        rest = _query_masked(rest, replacement)
        if password is not None and replacement is not None:
            auth = f"{user}:{replacement}"
        else:
            auth = user
            if not user and rest.startswith("@"):
                rest = rest[1:]
        return lead + prefix + scheme + auth + rest
    pairs = _kv_pairs(body)
    if not pairs or not all(key.lower() in LIBPQ_KEYWORDS for key, *_ in pairs):
        return None
    out = body
    for key, start, end, _ in reversed(pairs):
        if key.lower() not in SECRET_KEYS:
            continue
        if replacement is not None:
            out = out[:start] + replacement + out[end:]
        else:  # remove "key = value" and the white space before it
            m = re.search(r"\s*" + re.escape(key) + r"\s*=\s*$", out[:start])
            cut = m.start() if m else start
            out = (out[:cut] + out[end:]).strip() if cut == 0 else out[:cut] + out[end:]
    return lead + prefix + out.strip()


#: In free text: a URL's credentials (the password runs to the last ``@`` on the line) …
_URL_IN_TEXT = re.compile(r"(postgres(?:ql)?://[^:/?#@\s]*):(?!\*\*\*@)([^\n]*)@", re.IGNORECASE)
#: … a query parameter, and a key/value pair (quoted, or up to white space).
_QUERY_IN_TEXT = re.compile(r"([?&](?:ssl)?password=)([^&\s]*)", re.IGNORECASE)
_KV_IN_TEXT = re.compile(r"((?<![?&\w])(?:ssl)?password\s*=\s*)(?!\*\*\*(?:[\s),;.]|$))('(?:[^'\\]|\\.)*'?|(?:[^\s\\]|\\.)+)", re.IGNORECASE)


def mask_secrets(text: object, *, sources: tuple[str, ...] | list[str] = ()) -> str:
    """``text`` with every password replaced by ``***``: in connection strings, and wherever a known one appears.

    Parameters
    ----------
    text : object
        A connection string, a message, a file's content; turned into ``str`` first.
    sources : sequence of str, optional
        Connection strings whose passwords must also go wherever they appear in ``text`` (they are remembered).

    Returns
    -------
    str

    Examples
    --------
    >>> mask_secrets("postgresql://piet:ge#h?e/im @x@gis.example:5432/energie")
    'postgresql://piet:***@gis.example:5432/energie'
    >>> mask_secrets("host=gis dbname=energie password='ge heim' user=piet")
    'host=gis dbname=energie password=*** user=piet'
    >>> mask_secrets("postgresql://gis.example/energie?user=piet&password=geheim")
    'postgresql://gis.example/energie?user=piet&password=***'
    >>> mask_secrets("Verbinden met postgresql://piet:a b@gis/db mislukt")
    'Verbinden met postgresql://piet:***@gis/db mislukt'
    """
    for source in sources:
        remember(source)
    out = str(text)
    whole = _mask_connection(out, MASK) if is_connection_string(out) else None
    if whole is not None:
        out = whole
    for secret in sorted(_KNOWN, key=len, reverse=True):
        if len(secret) >= 4 or secret in out.split():  # a very short password only as a whole word
            out = out.replace(secret, MASK)
    out = _URL_IN_TEXT.sub(lambda m: f"{m.group(1)}:{MASK}@", out)
    out = _QUERY_IN_TEXT.sub(lambda m: m.group(1) + (m.group(2) if m.group(2) == MASK else MASK), out)
    return _KV_IN_TEXT.sub(lambda m: m.group(1) + MASK, out)


def without_password(source: str) -> str:
    """A connection string without any password (for provenance and database rows); other text is masked.

    Examples
    --------
    >>> without_password("postgresql://piet:ge#h eim@gis:5432/energie?sslmode=require&password=x")
    'postgresql://piet@gis:5432/energie?sslmode=require'
    >>> without_password("PG:host=gis password='a b' dbname=energie")
    'PG:host=gis dbname=energie'
    >>> without_password("service=provincie")
    'service=provincie'
    """
    remember(source)
    stripped = _mask_connection(source, None)
    return mask_secrets(stripped if stripped is not None else source)
