#!/usr/bin/env python3
"""How far a hromada series is from the independent reference on given days.

WHAT
    For each DAY, measures every hromada of <data>/admin/ukraine_hromadas.geojson.gz
    in the raw-daily file of that day with the reference's own geometry and areas
    (daily_reference.py: GEOS via Shapely, which does not snap vertices; pyproj's
    GeographicLib on WGS84), and compares every status's km² with the rows of that
    day in CSV (the output of `frontline series <raw-daily> --regions
    ukraine_hromadas.geojson.gz --format csv`). Prints, per day: the number of
    figures, the median, 99th percentile, largest and summed absolute differences
    in m², and the largest's hromada and status.

USAGE (from the repository root)
    python3 tests/reference/hromada_day_check.py CSV DAY [DAY ...] [--data ../shared/data]

    Used to measure the effect of the overlay's grid (docs/area.md); each day takes
    about a minute.
"""

import argparse
import csv
import gzip
import json
import os
import sys

import shapely
from shapely.geometry import shape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import daily_reference as R  # noqa: E402

STATUSES = ["occupied", "contested", "liberated", "other", "occupied_since_2014", "occupied_since_2022"]


def reference(data, day):
    path = os.path.join(data, f"deepstate/raw-daily/deepstatemap_data_{day.replace('-', '')}_polygons.geojson.gz")
    layers, _ = R.layers_of(R.load(path)["features"], lambda name, fill: R.classify_english(name))
    with gzip.open(os.path.join(data, "admin/ukraine_hromadas.geojson.gz"), "rt", encoding="utf-8") as fh:
        hromadas = json.load(fh)["features"]
    out = {}
    for f in hromadas:
        region = shapely.make_valid(shape(f["geometry"]))
        row = {}
        for s, layer in layers.items():
            hit = not layer.is_empty and region.intersects(layer)
            row[s] = R.wgs84_km2(region.intersection(layer)) if hit else 0.0
        out[f["properties"].get("katotth")] = row
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("csv")
    ap.add_argument("days", nargs="+")
    ap.add_argument("--data", default="../shared/data")
    a = ap.parse_args()
    for day in a.days:
        ref = reference(a.data, day)
        errors, worst = [], (0.0, None)
        with open(a.csv, newline="") as fh:
            rows = csv.reader(fh)
            header = next(rows)
            for row in rows:
                if not row[0].startswith(day) or row[2] not in ref:
                    continue
                for s in STATUSES:
                    value = row[header.index(f"{s}_km2")]
                    if value == "":
                        continue
                    e = abs(float(value) - ref[row[2]][s]) * 1e6
                    errors.append(e)
                    if e > worst[0]:
                        worst = (e, f"{row[1]} {s}")
        errors.sort()
        n = len(errors)
        print(
            f"{day}: {n} figures; |difference| median {errors[n // 2]:.3f} m², "
            f"99th percentile {errors[int(n * 0.99)]:.1f} m², largest {worst[0]:.1f} m² "
            f"({worst[1]}), sum {sum(errors):.0f} m²"
        )


if __name__ == "__main__":
    main()
