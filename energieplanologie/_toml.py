"""Reading a TOML file (configuration, afwegingskader, variants) with every failure as a Dutch
:class:`~energieplanologie.ConfigError` naming the file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from energieplanologie._errors import ConfigError, os_reason
from energieplanologie._limits import MAX_NESTING, nesting_exceeds

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["read_toml"]


def read_toml(path: Path, *, what: str = "configuratie") -> dict[str, Any]:
    """Read a TOML file, turning every failure into a :class:`ConfigError` that names the file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{what} niet gevonden: {path}", key=None)
    too_deep = ConfigError(f"{path}: te diep genest (meer dan {MAX_NESTING} niveaus)")
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: geen geldige TOML ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: geen UTF-8-tekst ({exc})") from exc
    except RecursionError:
        raise too_deep from None
    except OSError as exc:
        raise ConfigError(f"{path}: {what} niet te lezen ({os_reason(exc)})") from exc
    if nesting_exceeds(data):
        raise too_deep
    return data
