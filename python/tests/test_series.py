"""Timeline.series equals `frontline series`; loading, as_of, ranges, progress."""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pandas as pd
import pytest

import frontline
from conftest import run_cli

CITY = "data/city.geojson"


def cli_series(cli, *args) -> list:
    return list(csv.DictReader(io.StringIO(run_cli(cli, "series", *args, "--format", "csv").stdout)))


def assert_series_equal(frame: pd.DataFrame, rows: list):
    """Long form against the CLI's wide CSV: every figure of every row."""
    by_key = {(r["date"], r["region"]): r for r in rows}
    assert len(frame) == len(rows) * frame["status"].nunique()
    for (date, name, status), got in frame.set_index(["date", "name", "status"]).iterrows():
        want = by_key[(date.isoformat(), name)]
        for unit in ("km2", "pct"):
            text = want[f"{status}_{unit}"]
            if text == "":
                assert math.isnan(got[unit])
            else:
                assert got[unit] == pytest.approx(float(text), rel=1e-12, abs=1e-12), (date, name, status)


def test_series_equals_cli_on_samples(cli):
    frame = frontline.Timeline("data/snapshots").series(CITY)
    assert list(frame.columns) == ["date", "id", "name", "status", "km2", "pct", "file"]
    assert str(frame["date"].dtype) == "datetime64[ns, UTC]"
    assert isinstance(frame["status"].dtype, pd.CategoricalDtype)
    assert frame["status"].cat.categories[-1] == "unmarked"
    assert_series_equal(frame, cli_series(cli, "data/snapshots", "--regions", CITY))


def test_loaded_and_streamed_series_agree():
    streamed = frontline.Timeline("data/snapshots").series(CITY)
    loaded = frontline.Timeline("data/snapshots").load().series(CITY)
    pd.testing.assert_frame_equal(streamed, loaded)


def test_range_names_and_ids():
    tl = frontline.Timeline(["data/snapshots/deepstate_20250601.geojson", "data/snapshots/deepstate_20250801.geojson"])
    frame = tl.series(CITY, name="Demo Village", id="name", start="2025-07-01")
    assert frame["date"].dt.strftime("%F").unique().tolist() == ["2025-08-01"]
    assert frame["id"].unique().tolist() == ["Demo Village"]
    assert tl.series(CITY, end="2025-01-01").empty
    with pytest.raises(frontline.InputError, match="is not a date"):
        tl.series(CITY, start="June")


def test_loading_and_as_of():
    tl = frontline.Timeline("data/snapshots")
    assert len(tl) == 2 and len(tl.files) == 2
    assert [str(s.date.date()) for s in tl] == ["2025-06-01", "2025-08-01"]
    assert tl[-1].path.endswith("deepstate_20250801.geojson")
    june = tl.as_of("2025-07-15")
    assert june.date == tl.dates[0]
    assert june.share(CITY)["name"].tolist() == ["Demo City", "Demo Village"]
    with pytest.raises(frontline.InputError, match="before the first snapshot"):
        tl.as_of("2020-01-01")
    with pytest.raises(IndexError):
        tl[5]


def test_missing_inputs_and_bad_files(tmp_path):
    with pytest.raises(frontline.ReadError, match="nowhere"):
        frontline.Timeline("nowhere/at/all")
    with pytest.raises(frontline.InputError, match="matches no file"):
        frontline.Timeline("data/snapshots/*.nothing")
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json")
    tl = frontline.Timeline(["data/snapshots", bad])
    with pytest.warns(frontline.FrontlineWarning, match="bad.geojson"):
        frame = tl.series(CITY)
    assert frame["file"].nunique() == 2
    assert any("bad.geojson" in i for i in tl.issues)
    with pytest.raises(frontline.InputError, match="bad.geojson"):
        frontline.Timeline(["data/snapshots", bad], strict=True).series(CITY)


def test_progress_bar_counts_every_file(monkeypatch):
    tqdm_auto = pytest.importorskip("tqdm.auto")
    updates = []

    class Bar:
        def __init__(self, total, **kwargs):
            self.total = total

        def update(self, n):
            updates.append(n)

        def close(self):
            pass

    monkeypatch.setattr(tqdm_auto, "tqdm", Bar)
    frontline.Timeline("data/snapshots", progress=True).series(CITY)
    assert updates == [1, 1]
    updates.clear()
    frontline.Timeline("data/snapshots", progress=False).series(CITY)
    assert updates == []


def test_real_weekly_series_equals_cli(cli, shared):
    pattern = str(shared / "deepstate/raw-weekly/175*.geojson.gz")
    raions = shared / "admin/donetsk/raions.geojson"
    frame = frontline.Timeline(pattern).series(raions)
    rows = cli_series(cli, pattern, "--regions", raions)
    assert len(rows) >= 8
    assert_series_equal(frame, rows)
    # The parts of occupied sum to it wherever they are known.
    wide = frame.pivot_table(index=["date", "name"], columns="status", values="km2", observed=True)
    parts = wide["occupied_since_2014"] + wide["occupied_since_2022"]
    assert np.allclose(parts, wide["occupied"], rtol=1e-9, atol=1e-9)


def test_a_store_gives_the_same_series(cli, tmp_path):
    store = tmp_path / "samples.fls"
    run_cli(cli, "store", "data/snapshots", "-o", store)
    from_files = frontline.Timeline("data/snapshots").series(CITY)
    from_store = frontline.Timeline(store).series(CITY)
    cols = ["date", "name", "status", "km2", "pct"]
    pd.testing.assert_frame_equal(from_files[cols], from_store[cols])
    tl = frontline.Timeline(store)
    assert len(tl) == 2 and tl.as_of("2025-08-02").share(CITY)["occupied_pct"][0] == pytest.approx(
        frontline.read_zones("data/snapshots/deepstate_20250801.geojson").share(CITY)["occupied_pct"][0]
    )
