"""GeoDataFrames and shapely geometries in and out, and the CRS rules."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely

import frontline
from conftest import cli_json

SNAP = "data/snapshots/deepstate_20250801.geojson"
CITY = "data/city.geojson"
GEOD = pyproj.Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def snap():
    return frontline.read_zones(SNAP)


@pytest.fixture
def city():
    return gpd.read_file(CITY)


def figures(frame):
    return frame.drop(columns=["id"]).select_dtypes("number").to_numpy()


def test_geodataframe_gives_the_file_figures(snap, city):
    from_file = snap.share(CITY)
    from_gdf = snap.share(city)
    assert from_gdf["name"].tolist() == from_file["name"].tolist()
    assert np.allclose(figures(from_gdf), figures(from_file), rtol=1e-12, atol=1e-12)
    # Ids are the crate's: no unique id column here, so the row's index.
    assert from_gdf["id"].tolist() == ["0", "1"]
    coded = city.assign(katotth=["UA01", "UA02"])
    assert snap.share(coded)["id"].tolist() == ["UA01", "UA02"]


def test_projected_geodataframe_is_reprojected(snap, city):
    projected = city.to_crs("EPSG:32637")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = snap.share(projected)
    assert np.allclose(figures(frame), figures(snap.share(CITY)), rtol=1e-6, atol=1e-6)


def test_no_crs_in_range_is_read_as_wgs84_with_a_warning(snap, city):
    bare = city.set_crs(None, allow_override=True)
    with pytest.warns(frontline.FrontlineWarning, match="no CRS"):
        frame = snap.share(bare)
    assert np.allclose(figures(frame), figures(snap.share(CITY)))


def test_no_crs_out_of_range_is_refused(snap, city):
    metres = city.to_crs("EPSG:32637").set_crs(None, allow_override=True)
    with pytest.raises(frontline.CrsError, match="no CRS"):
        snap.share(metres)


def test_a_crs_that_cannot_be_reprojected_is_refused(snap, city):
    engineering = pyproj.CRS.from_wkt(
        'ENGCRS["site grid",EDATUM["site"],CS[Cartesian,2],'
        'AXIS["x",east,LENGTHUNIT["metre",1]],AXIS["y",north,LENGTHUNIT["metre",1]]]'
    )
    local = city.set_crs(engineering, allow_override=True)
    with pytest.raises(frontline.CrsError, match="cannot reproject"):
        snap.share(local)
    assert issubclass(frontline.CrsError, frontline.InputError)


def test_no_geometry_column_is_refused(snap, city):
    plain = gpd.GeoDataFrame(city.drop(columns="geometry"))
    with pytest.raises(frontline.InputError, match="no active geometry column"):
        snap.share(plain)
    import pandas as pd

    with pytest.raises(frontline.InputError, match="GeoDataFrame"):
        snap.share(pd.DataFrame(city))


def test_null_and_empty_geometries_are_refused_by_row(snap, city):
    holed = city.copy()
    holed.loc[1, "geometry"] = None
    with pytest.raises(frontline.InputError, match=r"feature 1 \(Demo Village\): no geometry"):
        snap.share(holed)
    empty = city.copy()
    empty.loc[1, "geometry"] = shapely.Polygon()
    with pytest.raises(frontline.InputError, match=r"feature 1 \(Demo Village\)"):
        snap.share(empty)


def test_points_are_not_regions(snap):
    with pytest.raises(frontline.InputError, match="is a point, not an area"):
        snap.share({"here": shapely.Point(37.3, 48.3)})


def test_shapely_geometries_with_names(snap, city):
    geoms = list(city.geometry)
    by_dict = snap.share({"a": geoms[0], "b": geoms[1]})
    by_pairs = snap.share([("a", geoms[0]), ("b", geoms[1])])
    assert by_dict["name"].tolist() == ["a", "b"]
    assert np.allclose(figures(by_dict), figures(by_pairs))
    assert np.allclose(figures(by_dict), figures(snap.share(CITY)))
    one = snap.share(geoms[0])
    assert one["name"].tolist() == ["region"]
    with pytest.raises(TypeError, match="not a shapely geometry"):
        snap.share([("a", "POLYGON ((0 0, 1 0, 1 1, 0 0))")])
    with pytest.raises(TypeError, match="expected a path"):
        snap.share(42)


def test_geoseries(snap, city):
    series = city.set_index("name").geometry
    frame = snap.share(series)
    assert frame["name"].tolist() == ["Demo City", "Demo Village"]


def test_layers_are_a_geodataframe_with_geodesic_areas(snap):
    layers = snap.layers()
    assert isinstance(layers, gpd.GeoDataFrame)
    assert layers.crs.to_epsg() == 4326
    assert layers["status"].tolist() == ["occupied", "contested", "liberated"]
    for geom, km2 in zip(layers.geometry, layers["area_km2"]):
        # An independent measure: pyproj's geodesic area (Karney) of the same polygons.
        area = sum(abs(GEOD.geometry_area_perimeter(shapely.geometry.polygon.orient(p))[0]) for p in geom.geoms)
        assert area / 1e6 == pytest.approx(km2, rel=1e-9)
    planar = shapely.area(np.asarray(layers.geometry.values))
    assert shapely.union_all(np.asarray(layers.geometry.values)).area == pytest.approx(planar.sum(), rel=1e-9)  # disjoint


def test_front_is_shapely_with_its_geodesic_length(snap, cli):
    front = snap.front(aoi="data/region.geojson")
    assert isinstance(front.line, shapely.MultiLineString)
    assert GEOD.geometry_length(front.line) / 1000 == pytest.approx(front.length_km, rel=1e-9)
    lines = {r["line"]: r for r in cli_json(cli, "front", SNAP, "--aoi", "data/region.geojson")}
    assert front.length_km == pytest.approx(lines["front"]["km"], rel=1e-12)
    assert front.grey_rest_km == pytest.approx(lines["grey_rest"]["km"], rel=1e-12)
    gdf = front.to_geodataframe()
    assert gdf.crs.to_epsg() == 4326 and gdf["line"].tolist() == ["front", "grey_occupied", "grey_rest"]
    with pytest.warns(frontline.FrontlineWarning, match="no aoi"):
        snap.front()


def test_places_round_trip(city):
    places = frontline.read_places(CITY)
    gdf = places.to_geodataframe()
    assert gdf["name"].tolist() == city["name"].tolist()
    again = frontline.Places.from_geodataframe(gdf)
    assert again.names == places.names
    diff = shapely.symmetric_difference(np.asarray(gdf.geometry.values), np.asarray(city.geometry.values))
    assert shapely.area(diff).max() < 1e-12


def test_real_raions_from_geopandas(shared):
    snap = frontline.read_zones(shared / "deepstate/raw-weekly/1754251105.geojson.gz")
    path = shared / "admin/donetsk/raions.geojson"
    raions = gpd.read_file(path)
    a, b = snap.share(path), snap.share(raions)
    assert a["name"].tolist() == b["name"].tolist()
    assert np.allclose(figures(a), figures(b), rtol=1e-9, atol=1e-9)
    b3857 = snap.share(raions.to_crs("EPSG:3857"))
    assert np.allclose(figures(a), figures(b3857), rtol=1e-5, atol=1e-4)
