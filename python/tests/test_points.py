"""Points: status_at takes NumPy arrays and returns a Categorical; near and
near_places agree with the CLI; bad arrays are clear errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import frontline
from conftest import cli_error, cli_json

SNAP = "data/snapshots/deepstate_20250801.geojson"


@pytest.fixture(scope="module")
def snap():
    return frontline.read_zones(SNAP)


def test_status_at_equals_cli(snap, cli):
    lon = np.array([37.2, 30.0, 37.5, 37.6])
    lat = np.array([48.3, 50.0, 48.2, 48.0])
    got = snap.status_at(lon, lat)
    assert isinstance(got, pd.Categorical)
    assert list(got.categories) == snap.statuses + ["unmarked"]
    args = [a for x, y in zip(lon, lat) for a in ("--at", f"{x},{y}")]
    want = [r["status"] for r in cli_json(cli, "status", SNAP, *args)]
    assert got.tolist() == want


def test_status_at_takes_lists_series_and_scalars(snap):
    a = snap.status_at([37.2, 30.0], [48.3, 50.0])
    b = snap.status_at(pd.Series([37.2, 30.0]), pd.Series([48.3, 50.0]))
    assert a.tolist() == b.tolist()
    assert len(snap.status_at(37.2, 48.3)) == 1
    assert len(snap.status_at(np.array([]), np.array([]))) == 0


def test_arrays_of_different_lengths(snap):
    with pytest.raises(frontline.InputError, match="lon has 2 values but lat has 1"):
        snap.status_at(np.array([37.0, 37.1]), np.array([48.0]))


def test_nan_and_out_of_range_points_name_the_point(snap, cli):
    with pytest.raises(frontline.InputError, match=r"point 2: point \(NaN, 48\) is not a number"):
        snap.status_at([37.0, np.nan], [48.0, 48.0])
    with pytest.raises(frontline.InputError, match="point 1: .* out of range") as e:
        snap.status_at([37.0], [95.0])
    assert "longitude must be in [-180, 180]" in str(e.value)


def test_arrays_that_are_not_coordinates(snap):
    with pytest.raises(frontline.InputError, match="one-dimensional"):
        snap.status_at(np.zeros((2, 2)), np.zeros((2, 2)))
    with pytest.raises(frontline.InputError, match="not numbers"):
        snap.status_at(["east"], ["north"])


def test_near_equals_cli(snap, cli):
    frame = snap.near_places("data/places.geojson", status="occupied")
    want = cli_json(cli, "near", SNAP, "--places", "data/places.geojson", "--status", "occupied")
    assert frame["name"].tolist() == [r["place"] for r in want]
    for (_, got), r in zip(frame.iterrows(), want):
        assert got["status"] == r["status"]
        assert got["lon"] == pytest.approx(r["lon"], abs=1e-12)
        assert got["distance_km"] == pytest.approx(r["distance_km"], rel=1e-12, abs=1e-12)
        assert got["nearest_lon"] == pytest.approx(r["nearest_lon"], abs=1e-12)


def test_near_the_front_equals_cli(snap, cli):
    frame = snap.near_places("data/places.geojson", aoi="data/region.geojson", within_km=10)
    want = cli_json(
        cli, "near", SNAP, "--places", "data/places.geojson", "--aoi", "data/region.geojson", "--within", "10km"
    )
    assert frame["name"].tolist() == [r["place"] for r in want]
    assert np.allclose(frame["distance_km"], [r["distance_km"] for r in want], rtol=1e-12)
    assert (frame["distance_km"] <= 10).all()


def test_near_points(snap):
    frame = snap.near([36.5, 37.2], [48.5, 48.3], status="occupied")
    assert list(frame.columns) == ["lon", "lat", "status", "distance_km", "nearest_lon", "nearest_lat"]
    assert frame["distance_km"][0] > 0
    nothing = frontline.read_zones(SNAP).near([36.5], [48.5], status="other")
    assert math.isnan(nothing["distance_km"][0])
    with pytest.raises(frontline.InputError, match="not a usable status name"):
        snap.near([36.5], [48.5], status="unmarked")


def test_near_the_front_of_real_places_equals_cli(cli, shared):
    snap_path = shared / "deepstate/raw-weekly/1754251105.geojson.gz"
    places = shared / "admin/donetsk/places.geojson"
    outline = shared / "admin/ukraine_outline.geojson"
    snap = frontline.read_zones(snap_path)
    frame = snap.near_places(places, aoi=outline, within_km=25)
    want = cli_json(cli, "near", snap_path, "--places", places, "--aoi", outline, "--within", "25km")
    assert len(frame) == len(want) > 0
    assert np.allclose(frame["distance_km"], [r["distance_km"] for r in want], rtol=1e-12)
    assert sorted(frame["name"]) == sorted(r["place"] for r in want)
