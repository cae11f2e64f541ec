"""Domain exceptions. All subclass :class:`ValueError` so callers can catch them broadly."""

from __future__ import annotations

__all__ = ["ConfigError", "EnergieplanologieError", "ReadError", "ValidationError"]


class EnergieplanologieError(ValueError):
    """Base class of every error this package raises on bad input."""


class ReadError(EnergieplanologieError):
    """A source could not be read at all (missing, empty, corrupt or unknown format)."""


class ValidationError(EnergieplanologieError):
    """A layer failed validation; ``report`` holds every error, repair and the row accounting."""

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report


class ConfigError(EnergieplanologieError):
    """A project configuration is wrong; the message names the offending key."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key
