"""Every error is a FrontlineError subclass with the CLI's message; repairs are
warnings; no error crashes the interpreter."""

from __future__ import annotations

import warnings

import pytest

import frontline
from conftest import cli_error

SNAP = "data/snapshots/deepstate_20250801.geojson"


def test_missing_file_is_a_read_error_with_the_cli_message(cli):
    with pytest.raises(frontline.ReadError) as e:
        frontline.read_zones("no/such/file.geojson")
    assert isinstance(e.value, OSError) and isinstance(e.value, frontline.FrontlineError)
    assert str(e.value) == cli_error(cli, "share", "no/such/file.geojson")
    with pytest.raises(frontline.ReadError, match="no/such/regions.geojson"):
        frontline.read_zones(SNAP).share("no/such/regions.geojson")
    with pytest.raises(frontline.ReadError):
        frontline.read_places("no/such/places.geojson")


def test_bad_files_are_input_errors_with_the_cli_message(cli, tmp_path):
    for name, text in [
        ("broken.geojson", "{not json"),
        ("empty.geojson", ""),
        ("nan.geojson", '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
         '{"name": "x /// geoJSON.status.occupied"}, "geometry": {"type": "Polygon", "coordinates": '
         '[[[37, 48], [37.1, 48], [37.1, 400], [37, 48]]]}}]}'),
        ("kind.geojson", '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
         '{"control": "RU"}, "geometry": {"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,0]]]}}]}'),
    ]:
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(frontline.InputError) as e:
            frontline.read_zones(path)
        assert isinstance(e.value, ValueError)
        assert str(e.value) == cli_error(cli, "share", path), name


def test_generic_files_and_options(tmp_path):
    path = tmp_path / "zones.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"control": "RU"}, '
        '"geometry": {"type": "Polygon", "coordinates": [[[37,48],[37.1,48],[37.1,48.1],[37,48]]]}}]}'
    )
    snap = frontline.read_zones(path, status_property="control", status_map={"RU": "occupied"})
    assert snap.source == "generic" and snap.totals()["km2"][0] > 0
    with pytest.raises(frontline.InputError, match="needs status_property"):
        frontline.read_zones(path, source="generic")
    with pytest.raises(frontline.InputError, match="not one of"):
        frontline.read_zones(path, source="kml")
    with pytest.raises(frontline.InputError, match="status_map needs status_property"):
        frontline.read_zones(path, status_map={"RU": "occupied"})
    with pytest.raises(frontline.InputError, match="not a usable status name"):
        frontline.read_zones(path, status_property="control", status_map={"RU": "unmarked"})


def test_repairs_are_warnings(tmp_path):
    path = tmp_path / "open.geojson"
    # A ring left open, and a bow tie: both repaired, both reported.
    path.write_text(
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {"name": "x /// geoJSON.status.occupied"}, "geometry": '
        '{"type": "Polygon", "coordinates": [[[37, 48], [37.1, 48], [37.1, 48.1], [37, 48.1]]]}},'
        '{"type": "Feature", "properties": {"name": "y /// geoJSON.status.unknown"}, "geometry": '
        '{"type": "Polygon", "coordinates": [[[38, 48], [38.1, 48.1], [38.1, 48], [38, 48.1], [38, 48]]]}}]}'
    )
    with pytest.warns(frontline.RepairWarning) as caught:
        snap = frontline.read_zones(path)
    assert len(caught) == len(snap.report["warnings"]) >= 2
    assert all(str(w.message).startswith(str(path)) for w in caught)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frontline.read_zones(SNAP)  # a clean file warns of nothing


def test_tolerance_and_aoi_errors():
    snap = frontline.read_zones(SNAP)
    with pytest.raises(frontline.InputError):
        snap.front(aoi="data/region.geojson", tolerance_km=-1)
    with pytest.raises(frontline.InputError, match="no polygon to use as an outline"):
        snap.front(aoi="data/places.geojson")


def test_hierarchy():
    for cls in (frontline.InputError, frontline.CrsError, frontline.UnknownNameError, frontline.ReadError):
        assert issubclass(cls, frontline.FrontlineError)
    assert issubclass(frontline.RepairWarning, frontline.FrontlineWarning)
    assert issubclass(frontline.FrontlineWarning, UserWarning)


def test_unclassified_polygons_are_warned_of_as_the_cli_does(cli, tmp_path):
    path = tmp_path / "1754251105.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {"name": "x /// geoJSON.status.occupied"}, "geometry": '
        '{"type": "Polygon", "coordinates": [[[37, 48], [37.1, 48], [37.1, 48.1], [37, 48.1], [37, 48]]]}},'
        '{"type": "Feature", "properties": {"name": "Polygon 3"}, "geometry": '
        '{"type": "Polygon", "coordinates": [[[38, 48], [38.1, 48], [38.1, 48.1], [38, 48]]]}}]}'
    )
    with pytest.warns(frontline.FrontlineWarning, match="1 of 2 polygon features unclassified") as caught:
        snap = frontline.read_zones(path)
    assert snap.report["unclassified"][0]["index"] == 1
    stderr = cli_error_free(cli, "share", path)
    assert "1 of 2 polygon features unclassified" in stderr
    assert any("feature 1 (Polygon 3)" in str(w.message) for w in caught)


def cli_error_free(cli, *args) -> str:
    from conftest import run_cli

    return run_cli(cli, *args).stderr
