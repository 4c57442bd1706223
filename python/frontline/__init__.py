"""frontline: areas of control (DeepStateMap snapshots) in regions, measured
geodesically on the WGS84 ellipsoid, as pandas DataFrames.

A thin layer over the Rust crate of the same name: every figure is the crate's
(the ``frontline`` command's), computed with the GIL released.

>>> import frontline
>>> snap = frontline.read_zones("data/snapshots/deepstate_20250801.geojson")
>>> df = snap.share("data/city.geojson", name="Demo City")
>>> df[["name", "area_km2", "occupied_km2", "occupied_pct"]].round(1)
        name  area_km2  occupied_km2  occupied_pct
0  Demo City      30.0          10.2          34.0

Reading: :func:`read_zones`, :func:`read_places`, :class:`Timeline`.
Measures: :meth:`Snapshot.share`, :meth:`Snapshot.totals`,
:meth:`Timeline.series`, :meth:`Snapshot.status_at`, :meth:`Snapshot.near`,
:meth:`Snapshot.front`, :meth:`Snapshot.layers`.
Errors: :class:`FrontlineError` and its subclasses (:mod:`frontline.errors`).
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass
from typing import Any, Iterator, Sequence, Union

import numpy as np
import pandas as pd

from . import _convert, _frontline
from .errors import (
    CrsError,
    FrontlineError,
    FrontlineWarning,
    InputError,
    ReadError,
    RepairWarning,
    UnknownNameError,
)

__all__ = [
    "read_zones",
    "read_places",
    "Snapshot",
    "Places",
    "Timeline",
    "Front",
    "FrontlineError",
    "InputError",
    "CrsError",
    "UnknownNameError",
    "ReadError",
    "FrontlineWarning",
    "RepairWarning",
]

__version__ = "0.1.0"

PathLike = Union[str, "os.PathLike[str]"]


def read_zones(
    path: PathLike,
    source: str | None = None,
    *,
    status_property: str | None = None,
    status_map: dict[str, str] | None = None,
) -> "Snapshot":
    """Reads a zone file: a DeepStateMap raw snapshot, an occupied-only archive
    file, or a generic zone file whose features carry a status property.

    GeoJSON (``.gz`` too), FlatGeobuf, GeoParquet and Shapefile are read alike.
    ``source`` is ``"deepstate"``, ``"occupied"`` or ``"generic"`` (default: told
    from the content); a generic file needs ``status_property`` (the property
    holding each feature's status) and optionally ``status_map`` (value → status,
    e.g. ``{"RU": "occupied", "grey": "contested"}``). Repairs made to the
    geometry are issued as :class:`RepairWarning` s; doubts about the file (a
    kind its name contradicts, polygons no rule classified) as
    :class:`FrontlineWarning` s, as the CLI prints them.

    >>> snap = read_zones("data/snapshots/deepstate_20250601.geojson")
    >>> snap.source, str(snap.date)
    ('deepstate', '2025-06-01 09:00:00+00:00')
    >>> snap.report["unclassified"]
    []
    """
    status_pairs = None if status_map is None else [(str(k), str(v)) for k, v in status_map.items()]
    raw = _frontline.read_zones(_convert.fspath(path), source, status_property, status_pairs)
    for doubt in raw.doubts():
        warnings.warn(doubt, FrontlineWarning, stacklevel=2)
    _convert.warn_repairs(raw.path(), raw.warnings(), "Snapshot.report['warnings']")
    return Snapshot(raw)


def read_places(path: PathLike) -> "Places":
    """Reads a place file (regions, cities, settlements: polygons or points), in
    any format :func:`read_zones` reads.

    >>> towns = read_places("data/city.geojson")
    >>> towns.names
    ['Demo City', 'Demo Village']
    """
    raw = _frontline.read_places(_convert.fspath(path))
    _convert.warn_repairs(raw.path(), raw.warnings(), "Places.warnings")
    return Places(raw)


Regions = Any
"""What every ``regions`` or ``aoi`` argument takes: a path, :class:`Places`, a
GeoDataFrame, a GeoSeries, a shapely geometry, a dict ``{name: geometry}`` or a
sequence of ``(name, geometry)`` pairs (see :mod:`frontline._convert` for the CRS
rules)."""


class Places:
    """Named features read from a file (:func:`read_places`) or made from a
    GeoDataFrame: what regions, towns and outlines are.

    >>> towns = read_places("data/city.geojson")
    >>> len(towns), towns.find("demo city")
    (2, [0])
    >>> gdf = towns.to_geodataframe()
    >>> gdf.crs.to_epsg(), list(gdf.columns)[-1]
    (4326, 'geometry')
    """

    def __init__(self, raw: Any):
        self._raw = raw

    @classmethod
    def from_geodataframe(cls, frame: Any) -> "Places":
        """Places from a GeoDataFrame (reprojected to EPSG:4326 if need be), its
        columns as properties (``name``, ``name:en``, ... give the names)."""
        raw, _ = _convert.places(frame, "GeoDataFrame")
        return cls(raw)

    @property
    def path(self) -> str:
        """The file they came from (or ``"GeoDataFrame"``)."""
        return self._raw.path()

    @property
    def names(self) -> list[str]:
        """Each place's label (``name:en``, else ``name``), in order."""
        return self._raw.labels()

    @property
    def warnings(self) -> list[str]:
        """Every repair made while reading them."""
        return self._raw.warnings()

    def __len__(self) -> int:
        return len(self._raw)

    def __repr__(self) -> str:
        return f"<frontline.Places: {len(self)} from {self.path}>"

    def find(self, name: str | Sequence[str]) -> list[int]:
        """Positions of the places with this name (any ``name``, ``name:*`` or
        ``alternatenames``, case-insensitive); :class:`UnknownNameError`, with
        close names, when none has it."""
        names = [name] if isinstance(name, str) else list(name)
        return self._raw.find(names)

    def to_geodataframe(self) -> Any:
        """The places as a GeoDataFrame (EPSG:4326): their properties, and their
        geometry (MultiPolygon or Point)."""
        import geopandas

        props = pd.DataFrame(json.loads(self._raw.properties_json()))
        geoms = [_convert.geometry(b) for b in self._raw.wkb()]
        return geopandas.GeoDataFrame(props, geometry=geoms, crs="EPSG:4326")


@dataclass(frozen=True)
class Front:
    """A front line (:meth:`Snapshot.front`): shapely MultiLineStrings and their
    geodesic lengths on WGS84.

    ``line`` is where occupied-or-contested ground meets the rest (less what runs
    along the area of interest's outline), ``grey_occupied`` where the grey zone
    meets occupied ground, ``grey_rest`` the grey zone's other edge.
    """

    line: Any
    length_km: float
    grey_occupied: Any
    grey_occupied_km: float
    grey_rest: Any
    grey_rest_km: float

    def to_geodataframe(self) -> Any:
        """The three lines as a GeoDataFrame (EPSG:4326): ``line``, ``km``, geometry."""
        import geopandas

        return geopandas.GeoDataFrame(
            {
                "line": ["front", "grey_occupied", "grey_rest"],
                "km": [self.length_km, self.grey_occupied_km, self.grey_rest_km],
            },
            geometry=[self.line, self.grey_occupied, self.grey_rest],
            crs="EPSG:4326",
        )


class Snapshot:
    """The zones of one dated map, resolved into disjoint layers (occupied over
    contested over liberated over other) on first use. Made by
    :func:`read_zones` or taken from a :class:`Timeline`.

    >>> snap = read_zones("data/snapshots/deepstate_20250801.geojson")
    >>> snap.statuses
    ['occupied', 'contested', 'liberated', 'other']
    """

    def __init__(self, raw: Any):
        self._raw = raw

    @property
    def date(self) -> pd.Timestamp | None:
        """When the map was published (UTC), when known."""
        return _convert.timestamp(self._raw.date_ns())

    @property
    def path(self) -> str:
        """The file it was read from."""
        return self._raw.path()

    @property
    def source(self) -> str | None:
        """``"deepstate"``, ``"occupied"`` or ``"generic"`` (None from a store)."""
        return self._raw.source()

    @property
    def report(self) -> dict:
        """What the import did with every feature: ``features``, ``zones`` (per
        status), ``markers``, ``outside``, ``ignored``, ``unclassified``,
        ``warnings`` (the repairs)."""
        return json.loads(self._raw.report_json())

    @property
    def statuses(self) -> list[str]:
        """Every status its measures list, strongest first."""
        return self._raw.statuses()

    def __repr__(self) -> str:
        return f"<frontline.Snapshot {self.date} from {self.path}>"

    def share(
        self,
        regions: Regions,
        name: str | Sequence[str] | None = None,
        id: str | None = None,
        lang: str | None = "en",
    ) -> pd.DataFrame:
        """How each region's ground divides between statuses: one row per region.

        Columns: ``id``, ``name``, ``area_km2``, then ``<status>_km2`` and
        ``<status>_pct`` for every status the snapshot lists (strongest first;
        all of them, zero where absent), ``occupied`` followed by its parts
        ``occupied_since_2014`` and ``occupied_since_2022`` (NaN, never zero,
        where the file cannot tell them apart, as in occupied-only archives),
        then ``unmarked_km2`` and ``unmarked_pct`` (ground no zone covers). The
        percentages of the statuses and unmarked sum to 100 (the parts are not
        added). The figures are those of ``frontline share --format json``.

        ``regions``: a path, :class:`Places`, a GeoDataFrame (reprojected to
        EPSG:4326 if it is in another CRS), a GeoSeries, a shapely geometry, a
        dict ``{name: geometry}`` or a sequence of ``(name, geometry)``. ``name``
        keeps only the regions with that name (or names), as ``--name`` does.
        ``id`` names the property that identifies each region (``--id``: unique in
        the file); by default it is the first of ``katotth``, ``@id``,
        ``geonameid``, ``id`` that is unique, else the GeoJSON feature id, else
        the feature's (row's) index, as text. ``lang`` labels regions by
        ``name:<lang>``, else ``name`` (``--lang``, default ``en``).

        >>> snap = read_zones("data/snapshots/deepstate_20250801.geojson")
        >>> df = snap.share("data/city.geojson")
        >>> df[["id", "name", "occupied_pct", "contested_pct", "unmarked_pct"]].round(1)
           id          name  occupied_pct  contested_pct  unmarked_pct
        0  0     Demo City          34.0           25.9          40.2
        1  1  Demo Village         100.0            0.0           0.0
        """
        raw, _ = _convert.places(regions)
        raw, indices = _convert.select(raw, name, id, lang)
        frame = pd.DataFrame(dict(self._raw.share(raw, indices)))
        frame.attrs.update(date=self.date, file=self.path)
        return frame

    def totals(self) -> pd.DataFrame:
        """km² of each status over the whole snapshot (``status``, ``km2``),
        strongest first, the parts of occupied (since 2014, since 2022) after it
        (NaN where the file cannot tell them), as ``frontline share`` without
        regions gives them.

        >>> read_zones("data/snapshots/deepstate_20250801.geojson").totals().status.tolist()
        ['occupied', 'occupied_since_2014', 'occupied_since_2022', 'contested', 'liberated', 'other']
        """
        rows = self._raw.totals()
        return pd.DataFrame({"status": [s for s, _ in rows], "km2": [k for _, k in rows]})

    def status_at(self, lon: Any, lat: Any) -> pd.Categorical:
        """The status at each point (longitude, latitude in degrees, WGS84), as a
        pandas Categorical whose categories are the snapshot's statuses and
        ``unmarked``. ``lon`` and ``lat`` are array-likes of the same length; a
        NaN or out-of-range coordinate is an :class:`InputError` naming the point.

        >>> import numpy as np
        >>> snap = read_zones("data/snapshots/deepstate_20250801.geojson")
        >>> snap.status_at(np.array([37.2, 30.0]), np.array([48.3, 50.0])).tolist()
        [..., 'unmarked']
        """
        codes, categories = self._raw.status_at(
            _convert.coordinates(lon, "lon"), _convert.coordinates(lat, "lat")
        )
        return _convert.categorical(codes, categories)

    def near(
        self,
        lon: Any,
        lat: Any,
        *,
        status: str | None = None,
        aoi: Regions | None = None,
        tolerance_km: float = 1.0,
    ) -> pd.DataFrame:
        """Each point's status and geodesic distance to the front line (or, with
        ``status``, to the nearest ground of that status: 0 inside it), with the
        point reached: columns ``lon``, ``lat``, ``status``, ``distance_km``,
        ``nearest_lon``, ``nearest_lat``, one row per point in order
        (``distance_km`` NaN where there is nothing to measure to).

        The front is derived as :meth:`front` does, with ``aoi`` and
        ``tolerance_km``.

        >>> snap = read_zones("data/snapshots/deepstate_20250801.geojson")
        >>> far = snap.near([36.5], [48.5], status="occupied")
        >>> bool(far.distance_km[0] > 0)
        True
        """
        aoi_raw = None if aoi is None else _convert.places(aoi, "aoi")[0]
        if status is None and aoi is None:
            _warn_no_aoi()
        lon_b, lat_b = _convert.coordinates(lon, "lon"), _convert.coordinates(lat, "lat")
        out = self._raw.near(lon_b, lat_b, status, aoi_raw, float(tolerance_km) * 1000.0)
        return pd.DataFrame(
            {
                "lon": _convert.floats(lon_b),
                "lat": _convert.floats(lat_b),
                "status": _convert.categorical(out["status"], out["categories"]),
                "distance_km": _convert.floats(out["distance_km"]),
                "nearest_lon": _convert.floats(out["nearest_lon"]),
                "nearest_lat": _convert.floats(out["nearest_lat"]),
            }
        )

    def near_places(
        self,
        places: Regions,
        *,
        within_km: float | None = None,
        status: str | None = None,
        aoi: Regions | None = None,
        tolerance_km: float = 1.0,
    ) -> pd.DataFrame:
        """:meth:`near` for places (a polygon is measured from its interior
        point), nearest first, optionally only those within ``within_km``: what
        ``frontline near --places`` lists, with a ``name`` column first."""
        raw, _ = _convert.places(places, "places")
        # The crate's interior points, as the CLI measures from them.
        lon, lat = (_convert.floats(b) for b in raw.points())
        usable = ~(np.isnan(lon) | np.isnan(lat))
        frame = self.near(lon[usable], lat[usable], status=status, aoi=aoi, tolerance_km=tolerance_km)
        frame.insert(0, "name", np.asarray(raw.labels(), dtype=object)[usable])
        if within_km is not None:
            frame = frame[frame.distance_km <= within_km]
        return frame.sort_values("distance_km", kind="stable", na_position="last").reset_index(drop=True)

    def front(self, aoi: Regions | None = None, tolerance_km: float = 1.0) -> Front:
        """The front line: the boundary of occupied-or-contested ground, less
        what lies outside the area of interest ``aoi`` (e.g. Ukraine's outline)
        or within ``tolerance_km`` of its outline; without ``aoi`` state borders
        and coasts count as front (a :class:`FrontlineWarning` says so). Lengths
        are geodesic on WGS84, as ``frontline front`` gives them.

        >>> snap = read_zones("data/snapshots/deepstate_20250801.geojson")
        >>> front = snap.front(aoi="data/region.geojson")
        >>> front.line.geom_type, front.length_km > 0
        ('MultiLineString', True)
        """
        aoi_raw = None if aoi is None else _convert.places(aoi, "aoi")[0]
        if aoi is None:
            _warn_no_aoi()
        out = self._raw.front(aoi_raw, float(tolerance_km) * 1000.0)
        return Front(
            line=_convert.geometry(out["line"]),
            length_km=out["line_km"],
            grey_occupied=_convert.geometry(out["grey_occupied"]),
            grey_occupied_km=out["grey_occupied_km"],
            grey_rest=_convert.geometry(out["grey_rest"]),
            grey_rest_km=out["grey_rest_km"],
        )

    def layers(self) -> Any:
        """The resolved layers as a GeoDataFrame (EPSG:4326): ``status``,
        ``area_km2`` (geodesic) and a MultiPolygon each, strongest first;
        disjoint, so no km² is in two rows.

        >>> layers = read_zones("data/snapshots/deepstate_20250801.geojson").layers()
        >>> layers.crs.to_epsg(), layers.status.iloc[0]
        (4326, 'occupied')
        """
        import geopandas

        rows = self._raw.layers()
        return geopandas.GeoDataFrame(
            {"status": [s for s, _, _ in rows], "area_km2": [k for _, _, k in rows]},
            geometry=[_convert.geometry(w) for _, w, _ in rows],
            crs="EPSG:4326",
        )


def _warn_no_aoi() -> None:
    warnings.warn(
        "no aoi: the front includes state borders and coasts of occupied ground",
        FrontlineWarning,
        stacklevel=3,
    )


class Timeline:
    """Dated snapshots: files, directories (every ``.geojson``/``.json``,
    optionally ``.gz``), glob patterns, or store files (``frontline store``).

    Nothing is read until needed: :meth:`series` streams through the files,
    reading only the zones near the regions (the fast path, as ``frontline
    series``); :meth:`load` (or indexing, :meth:`as_of`, :attr:`dates`) reads
    every snapshot whole and keeps it. Files that cannot be read, undated files
    and same-date duplicates are reported as :class:`FrontlineWarning` s (and in
    :attr:`issues`), or end the work with ``strict=True``. Loading shows a tqdm
    progress bar when tqdm is installed (``progress=False`` hides it; by
    default tqdm hides it when stderr is not a terminal).

    >>> tl = Timeline("data/snapshots")
    >>> len(tl), [str(d.date()) for d in tl.dates]
    (2, ['2025-06-01', '2025-08-01'])
    >>> str(tl.as_of("2025-07-15").date)
    '2025-06-01 09:00:00+00:00'
    """

    def __init__(
        self,
        inputs: PathLike | Sequence[PathLike],
        *,
        source: str | None = None,
        strict: bool = False,
        progress: bool | None = None,
    ):
        paths = [inputs] if _convert.is_path(inputs) else list(inputs)
        self._raw = _frontline.RawTimeline([_convert.fspath(p) for p in paths], source, strict)
        self._progress = progress
        self._issues: list[str] = []

    @property
    def files(self) -> list[str]:
        """The files read, sorted."""
        return self._raw.files()

    @property
    def issues(self) -> list[str]:
        """Files skipped and duplicates dropped by the last load or series."""
        return list(self._issues)

    def _bar(self, what: str):
        return _convert.progress_bar(len(self.files), what, self._progress)

    def _report(self, issues: list[str]) -> None:
        # As the CLI: the first ten, then a count (all of them in `issues`).
        self._issues = issues
        for issue in issues[:10]:
            warnings.warn(issue, FrontlineWarning, stacklevel=3)
        if len(issues) > 10:
            warnings.warn(f"{len(issues) - 10} more (see Timeline.issues)", FrontlineWarning, stacklevel=3)

    def load(self) -> "Timeline":
        """Reads every snapshot whole (once) and keeps them; returns ``self``."""
        if not self._raw.is_loaded():
            bar = self._bar("loading")
            try:
                issues = self._raw.load(None if bar is None else bar.update)
            finally:
                if bar is not None:
                    bar.close()
            self._report(issues)
        return self

    def __len__(self) -> int:
        self.load()
        return len(self._raw)

    def __getitem__(self, i: int) -> Snapshot:
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"snapshot {i} of {n}")
        return Snapshot(self._raw.entry(i % n))

    def __iter__(self) -> Iterator[Snapshot]:
        for i in range(len(self)):
            yield self[i]

    def __repr__(self) -> str:
        return f"<frontline.Timeline: {len(self.files)} files>"

    @property
    def dates(self) -> pd.DatetimeIndex:
        """Each snapshot's date (UTC), oldest first."""
        self.load()
        return pd.DatetimeIndex(pd.to_datetime([d for d, _ in self._raw.entries()], unit="ns", utc=True))

    def as_of(self, when: str) -> Snapshot:
        """The latest snapshot at or before ``when`` (``YYYY-MM-DD``: the end of
        that day; or an RFC 3339 time); an :class:`InputError` before the first."""
        self.load()
        return Snapshot(self._raw.entry(self._raw.as_of(str(when))))

    def series(
        self,
        regions: Regions,
        name: str | Sequence[str] | None = None,
        id: str | None = None,
        *,
        start: str | None = None,
        end: str | None = None,
        lang: str | None = "en",
    ) -> pd.DataFrame:
        """Every snapshot's shares of the regions, in long form: one row per
        snapshot, region and figure (every status met, strongest first, the parts
        of occupied after it, NaN where unknown, then ``unmarked``), with columns ``date`` (UTC), ``id``, ``name``, ``status``
        (Categorical), ``km2``, ``pct`` and ``file``. The figures are those of
        ``frontline series``. ``regions``, ``name``, ``id`` and ``lang`` as in
        :meth:`Snapshot.share`; ``start`` and ``end`` (``YYYY-MM-DD``, inclusive,
        or RFC 3339) keep a range of dates.

        >>> s = Timeline("data/snapshots").series("data/city.geojson", name="Demo City")
        >>> wide = s.pivot_table(index="date", columns="status", values="pct", observed=True)
        >>> wide["occupied"].round(1).tolist()
        [0.0, 34.0]
        """
        return _series_frame(self._series_columns(regions, name, id, start, end, lang))

    def _series_columns(self, regions, name, id, start, end, lang="en"):
        """The crate's part of :meth:`series`: the columns."""
        raw, _ = _convert.places(regions)
        raw, indices = _convert.select(raw, name, id, lang)
        bar = None if self._raw.is_loaded() else self._bar("series")
        try:
            columns, issues = self._raw.series(
                raw, indices, start, end, None if bar is None else bar.update
            )
        finally:
            if bar is not None:
                bar.close()
        self._report(issues)
        return columns


def _series_frame(columns: dict) -> pd.DataFrame:
    """The DataFrame of a series from the crate's columns."""
    return pd.DataFrame(
        {
            "date": pd.to_datetime(np.frombuffer(columns["date"], dtype="<i8"), unit="ns", utc=True),
            "id": columns["id"],
            "name": columns["name"],
            "status": _convert.categorical(columns["status"], columns["categories"]),
            "km2": _convert.floats(columns["km2"]),
            "pct": _convert.floats(columns["pct"]),
            "file": columns["file"],
        }
    )
