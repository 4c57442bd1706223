"""Shares and totals equal the CLI's JSON, on the bundled samples and on real data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import frontline
from conftest import cli_error, cli_json

SNAP = "data/snapshots/deepstate_20250801.geojson"
CITY = "data/city.geojson"


def assert_rows_equal(frame: pd.DataFrame, rows: list, tol: float = 1e-9):
    """A share DataFrame against `frontline share --format json`: every figure."""
    assert len(frame) == len(rows)
    for (_, got), want in zip(frame.iterrows(), rows):
        assert got["name"] == want["region"]
        assert got["id"] == want["id"]
        assert got["area_km2"] == pytest.approx(want["area_km2"], rel=tol, abs=1e-12)
        for status, amount in want["status"].items():
            for unit in ("km2", "pct"):
                value = got[f"{status}_{unit}"]
                if amount is None:
                    assert math.isnan(value), f"{status}_{unit} should be NaN (unknown), is {value}"
                else:
                    assert value == pytest.approx(amount[unit], rel=tol, abs=1e-9), (status, unit)
        # Every figure of the CLI is a column, and no other.
        figures = [c[: -len("_km2")] for c in frame.columns if c.endswith("_km2") and c != "area_km2"]
        assert figures == list(want["status"])


def test_share_equals_cli_on_samples(cli):
    frame = frontline.read_zones(SNAP).share(CITY)
    assert_rows_equal(frame, cli_json(cli, "share", SNAP, "--regions", CITY))
    assert list(frame.columns[:3]) == ["id", "name", "area_km2"]
    assert frame["id"].tolist() == ["0", "1"]
    assert frame.attrs["file"] == SNAP


def test_percentages_sum_to_100():
    frame = frontline.read_zones(SNAP).share(CITY)
    parts = [c for c in frame.columns if c.endswith("_pct") and "since" not in c]
    assert np.allclose(frame[parts].sum(axis=1), 100.0)


def test_names_select_as_the_cli_does(cli):
    snap = frontline.read_zones(SNAP)
    one = snap.share(CITY, name="demo village")
    assert one["name"].tolist() == ["Demo Village"]
    assert one["id"].tolist() == ["1"]
    assert_rows_equal(one, cli_json(cli, "share", SNAP, "--regions", CITY, "--name", "demo village"))
    both = snap.share(CITY, name=["Demo Village", "Demo City"])
    assert both["name"].tolist() == ["Demo Village", "Demo City"]


def test_unknown_name_is_lookup_error_with_the_cli_message(cli):
    snap = frontline.read_zones(SNAP)
    with pytest.raises(frontline.UnknownNameError) as e:
        snap.share(CITY, name="Demo Cty")
    assert isinstance(e.value, LookupError)
    assert e.value.name == "Demo Cty"
    assert "Demo City" in e.value.suggestions
    assert str(e.value) == cli_error(cli, "share", SNAP, "--regions", CITY, "--name", "Demo Cty")


def test_id_from_a_property():
    frame = frontline.read_zones(SNAP).share(CITY, id="name")
    assert frame["id"].tolist() == ["Demo City", "Demo Village"]
    with pytest.raises(frontline.InputError, match='no "nope" property'):
        frontline.read_zones(SNAP).share(CITY, id="nope")


def test_totals_equal_cli(cli):
    totals = frontline.read_zones(SNAP).totals()
    want = cli_json(cli, "share", SNAP)
    assert totals["status"].tolist() == [t["status"] for t in want]
    for got, t in zip(totals["km2"], want):
        if t["km2"] is None:
            assert math.isnan(got)
        else:
            assert got == pytest.approx(t["km2"], rel=1e-12)


def test_ids_as_the_cli_gives_them(cli):
    want = cli_json(cli, "share", SNAP, "--regions", CITY, "--id", "name")
    got = frontline.read_zones(SNAP).share(CITY, id="name")
    assert got["id"].tolist() == [r["id"] for r in want]


def test_real_raions_equal_cli(cli, shared):
    snap_path = shared / "deepstate/raw-weekly/1754251105.geojson.gz"
    raions = shared / "admin/donetsk/raions.geojson"
    frame = frontline.read_zones(snap_path).share(raions)
    assert_rows_equal(frame, cli_json(cli, "share", snap_path, "--regions", raions))
    # The README's figure: 3 August 2025, Donetsk oblast about 74.5 % occupied.
    oblast = frontline.read_zones(snap_path).share(shared / "admin/donetsk/oblast.geojson")
    assert oblast["occupied_pct"][0] == pytest.approx(74.49, abs=0.01)


def test_occupied_only_files_leave_the_split_unknown(cli, shared):
    path = shared / "deepstate/occupied-daily/deepstatemap_data_20240708.geojson"
    oblast = shared / "admin/donetsk/oblast.geojson"
    frame = frontline.read_zones(path).share(oblast)
    assert frame["occupied_km2"][0] > 0
    assert math.isnan(frame["occupied_since_2014_km2"][0])
    assert math.isnan(frame["occupied_since_2022_pct"][0])
    # Nor does it record the grey zone or liberated ground: NaN, never 0.
    for column in ["contested_km2", "contested_pct", "liberated_km2", "other_pct"]:
        assert math.isnan(frame[column][0]), column
    assert_rows_equal(frame, cli_json(cli, "share", path, "--regions", oblast))


def test_the_split_of_a_raw_snapshot_sums_to_occupied(shared):
    snap = frontline.read_zones(shared / "deepstate/raw-weekly/1754251105.geojson.gz")
    frame = snap.share(shared / "admin/donetsk/raions.geojson")
    parts = frame["occupied_since_2014_km2"] + frame["occupied_since_2022_km2"]
    assert np.allclose(parts, frame["occupied_km2"], rtol=1e-9, atol=1e-9)
