"""Exceptions and warnings of the frontline package.

Every error the package raises is a :class:`FrontlineError`, with the same message
the ``frontline`` command prints (without its ``frontline: error:`` prefix). Each
subclass also derives from the built-in exception it refines, so code that
catches ``ValueError``, ``LookupError`` or ``OSError`` keeps working.

>>> import frontline
>>> try:
...     frontline.read_zones("no/such/file.geojson")
... except frontline.ReadError as e:
...     print(type(e).__mro__[1].__name__, isinstance(e, OSError))
FrontlineError True
"""

from __future__ import annotations

__all__ = [
    "FrontlineError",
    "InputError",
    "CrsError",
    "UnknownNameError",
    "ReadError",
    "FrontlineWarning",
    "RepairWarning",
]


class FrontlineError(Exception):
    """Base class of every error frontline raises."""


class InputError(FrontlineError, ValueError):
    """Bad input: a file that is not what it should be, a feature that cannot be
    used (named by its index), an option out of range, arrays that do not fit."""


class CrsError(InputError):
    """A GeoDataFrame whose coordinate system cannot be brought to WGS84
    longitude/latitude (or that has none, and coordinates outside its range)."""


class UnknownNameError(FrontlineError, LookupError):
    """No region has the name asked for. ``name`` is the name asked,
    ``suggestions`` the close names found (possibly none)."""

    name: str
    suggestions: list

    def __init__(self, message: str, name: str = "", suggestions: list | None = None):
        super().__init__(message)
        self.name = name
        self.suggestions = list(suggestions or [])

    def __str__(self) -> str:  # LookupError would quote it as KeyError does not, but be plain
        return str(self.args[0]) if self.args else ""


class ReadError(FrontlineError, OSError):
    """A file that cannot be opened or read (missing, unreadable)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class FrontlineWarning(UserWarning):
    """Something the caller should know about: a file skipped in a timeline, a
    GeoDataFrame read as WGS84 for want of a CRS, a front without an area of
    interest."""


class RepairWarning(FrontlineWarning):
    """A documented repair of a geometry made while reading (a ring closed, a
    self-intersecting polygon rebuilt, ...), as the CLI prints on stderr."""
