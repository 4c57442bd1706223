"""Conversions between Python's data types and the extension's: regions given as
paths, GeoDataFrames, GeoSeries or shapely geometries become places (WKB and
properties, checked and repaired by the crate), coordinate arrays become bytes,
and what comes back becomes pandas and shapely objects.

CRS rules for GeoDataFrames and GeoSeries (the crate measures on WGS84
longitude/latitude and never reads metres as degrees):

- in EPSG:4326 or OGC:CRS84: used as they are;
- in any other CRS (projected, or geographic on another datum): reprojected with
  their own ``to_crs("EPSG:4326")`` (pyproj); a CRS that cannot be reprojected
  (an engineering CRS, say) is refused with :class:`~frontline.CrsError`;
- without a CRS: read as WGS84 with a :class:`~frontline.FrontlineWarning` when
  every coordinate is within longitude/latitude range, refused with
  :class:`~frontline.CrsError` otherwise (its coordinates cannot be degrees).

Shapely geometries carry no CRS: they are taken as longitude/latitude, and a
coordinate outside that range is an :class:`~frontline.InputError`.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from typing import Any

import numpy as np
import pandas as pd

from . import _frontline
from .errors import CrsError, FrontlineWarning, InputError, RepairWarning

# As the CLI: the first repairs of a file, then a count.
_SHOWN_WARNINGS = 10


def warn_repairs(path: str, repairs: list[str], where: str, stacklevel: int = 3) -> None:
    """Issues a file's repairs as :class:`RepairWarning` s, the first ten and a count."""
    for text in repairs[:_SHOWN_WARNINGS]:
        warnings.warn(f"{path}: {text}", RepairWarning, stacklevel=stacklevel)
    if len(repairs) > _SHOWN_WARNINGS:
        warnings.warn(
            f"{path}: {len(repairs) - _SHOWN_WARNINGS} more repairs (see {where})",
            RepairWarning,
            stacklevel=stacklevel,
        )


def is_path(value: Any) -> bool:
    return isinstance(value, (str, os.PathLike))


def fspath(value: Any) -> str:
    return os.fspath(value)


def _geopandas():
    import geopandas

    return geopandas


def _is_wgs84(crs) -> bool:
    try:
        if crs.to_epsg() == 4326:
            return True
        return crs.equals("OGC:CRS84") or crs.equals("EPSG:4326")
    except Exception:  # a CRS pyproj cannot compare is not plainly WGS84
        return False


def _lon_lat_range(bounds) -> bool:
    w, s, e, n = (float(b) for b in bounds)
    return all(math.isfinite(b) for b in (w, s, e, n)) and -180 <= w <= e <= 180 and -90 <= s <= n <= 90


def to_wgs84(frame, what: str):
    """A GeoDataFrame or GeoSeries in WGS84 longitude/latitude, by the rules above."""
    crs = frame.crs
    if crs is None:
        geoms = frame.geometry if hasattr(frame, "geometry") else frame
        present = geoms[~(geoms.isna() | geoms.is_empty)]
        if len(present) == 0 or _lon_lat_range(present.total_bounds):
            if len(present):
                warnings.warn(
                    f"{what}: the GeoDataFrame has no CRS; its coordinates are all within "
                    "longitude/latitude range, so they are read as WGS84 (EPSG:4326). Set it "
                    "(set_crs) to say so, or to say what they are.",
                    FrontlineWarning,
                    stacklevel=4,
                )
            return frame
        raise CrsError(
            f"{what}: the GeoDataFrame has no CRS and its coordinates (bounds "
            f"{[round(float(b), 3) for b in present.total_bounds]}) are not longitude/latitude: "
            "set the CRS they are in (set_crs) so that they can be reprojected"
        )
    if _is_wgs84(crs):
        return frame
    try:
        moved = frame.to_crs("EPSG:4326")
    except Exception as e:
        raise CrsError(
            f"{what}: cannot reproject from {crs.name} to WGS84 longitude/latitude (EPSG:4326): {e}"
        ) from e
    geoms = moved.geometry if hasattr(moved, "geometry") else moved
    present = geoms[~(geoms.isna() | geoms.is_empty)]
    if len(present) and not _lon_lat_range(present.total_bounds):
        raise CrsError(
            f"{what}: reprojecting from {crs.name} to EPSG:4326 gave coordinates that are not "
            "longitude/latitude (some positions are outside the CRS's area of use)"
        )
    return moved


def _geometry_columns(frame) -> list:
    geopandas = _geopandas()
    return [c for c in frame.columns if isinstance(frame[c].dtype, geopandas.array.GeometryDtype)]


def _wkb(geoms) -> list:
    import shapely

    return [None if g is None else bytes(g) for g in shapely.to_wkb(np.asarray(geoms, dtype=object), output_dimension=2)]


def _from_geodataframe(frame, what: str):
    try:
        geometry = frame.geometry
    except AttributeError as e:
        raise InputError(
            f"{what}: the GeoDataFrame has no active geometry column (columns: "
            f"{list(frame.columns)}); set one with set_geometry"
        ) from e
    frame = to_wgs84(frame, what)
    geometry = frame.geometry
    props = pd.DataFrame(frame.drop(columns=_geometry_columns(frame)))
    try:
        records = props.to_json(orient="records", date_format="iso", default_handler=str)
    except (ValueError, TypeError) as e:
        raise InputError(f"{what}: its columns cannot be read as properties: {e}") from e
    raw = _frontline.places_from_wkb("GeoDataFrame", _wkb(geometry.values), records)
    return raw, list(frame.index)


def _from_geometries(names: list, geoms: list, what: str):
    import shapely

    for i, g in enumerate(geoms):
        if g is not None and not isinstance(g, shapely.Geometry):
            raise TypeError(f"{what}: item {i} is a {type(g).__name__}, not a shapely geometry")
    records = json.dumps([{"name": str(n)} for n in names])
    return _frontline.places_from_wkb(what, _wkb(geoms), records), list(range(len(geoms)))


def places(value: Any, what: str = "regions"):
    """The extension's places for any accepted form of regions, and each one's
    default id (a GeoDataFrame's index, else the position)."""
    from . import Places

    if isinstance(value, Places):
        return value._raw, list(range(len(value._raw)))
    if is_path(value):
        raw = _frontline.read_places(fspath(value))
        warn_repairs(raw.path(), raw.warnings(), "Places.warnings", stacklevel=4)
        return raw, list(range(len(raw)))
    try:
        geopandas = _geopandas()
    except ImportError:
        geopandas = None
    if geopandas is not None and isinstance(value, geopandas.GeoDataFrame):
        return _from_geodataframe(value, what)
    if geopandas is not None and isinstance(value, geopandas.GeoSeries):
        value = to_wgs84(value, what)
        raw, _ = _from_geometries([str(i) for i in value.index], list(value.values), what)
        return raw, list(value.index)
    if isinstance(value, pd.DataFrame):
        raise InputError(
            f"{what}: a pandas DataFrame has no geometry column that frontline can trust; "
            "give a GeoDataFrame (geopandas.GeoDataFrame(df, geometry=..., crs=...))"
        )
    import shapely

    if isinstance(value, shapely.Geometry):
        return _from_geometries(["region"], [value], what)
    if isinstance(value, dict):
        return _from_geometries(list(value.keys()), list(value.values()), what)
    if isinstance(value, (list, tuple)):
        names, geoms = [], []
        for i, item in enumerate(value):
            if isinstance(item, (tuple, list)) and len(item) == 2:
                names.append(item[0])
                geoms.append(item[1])
            else:
                names.append(str(i))
                geoms.append(item)
        return _from_geometries(names, geoms, what)
    raise TypeError(
        f"{what}: expected a path, a frontline.Places, a GeoDataFrame, a GeoSeries, a shapely "
        f"geometry, a dict of name: geometry or a sequence of (name, geometry); got "
        f"{type(value).__name__}"
    )


def select(raw, name, id: str | None, lang: str | None):
    """The places identified by property ``id`` (else the crate's choice: a unique
    id property, the feature id, or the index) and labelled in ``lang``, and the
    positions of those asked for (all, or those named)."""
    raw = raw.configured(id, lang)
    if name is None:
        return raw, list(range(len(raw)))
    names = [name] if isinstance(name, str) else list(name)
    return raw, raw.find([str(n) for n in names])


def coordinates(values: Any, what: str) -> bytes:
    """Longitudes or latitudes as little-endian float64 bytes."""
    try:
        array = np.asarray(values, dtype="<f8")
    except (TypeError, ValueError) as e:
        raise InputError(f"{what}: not numbers: {e}") from e
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise InputError(f"{what}: expected a one-dimensional array, got shape {array.shape}")
    return np.ascontiguousarray(array).tobytes()


def floats(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<f8")


def categorical(codes: bytes, categories: list) -> pd.Categorical:
    return pd.Categorical.from_codes(np.frombuffer(codes, dtype="<i4"), categories=categories)


def geometry(wkb: bytes):
    import shapely

    return shapely.from_wkb(wkb)


def timestamp(ns: int | None):
    return None if ns is None else pd.Timestamp(ns, unit="ns", tz="UTC")


def progress_bar(total: int, what: str, progress: bool | None):
    """A tqdm bar (``tqdm.auto``) when tqdm is installed and ``progress`` is not
    False; ``None`` lets tqdm hide it when stderr is not a terminal."""
    if progress is False:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc=what, unit="file", disable=None if progress is None else False)
