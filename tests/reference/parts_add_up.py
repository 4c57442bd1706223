#!/usr/bin/env python3
"""Whether the reference's occupied parts add up in one hromada on one day.

WHAT
    The largest difference between frontline's hromada series and the reference
    (hromada_day_check.py) is Henichesk hromada's part occupied since 2022. This
    measures, with the reference's own geometry (daily_reference.py: Shapely/GEOS,
    pyproj's GeographicLib), the hromada's occupied ground, its part since 2014 and
    its part since 2022 (`occupied.difference(since_2014)`), and how far the two
    parts' sum is from the whole (docs/area.md). frontline's parts sum to its
    occupied figure by construction.

USAGE (from the repository root)
    python3 tests/reference/parts_add_up.py [--day 2026-03-07] [--name Henichesk] [--data ../shared/data]

OUTPUT (2026-03-07, Henichesk; parts_add_up.out)
"""

import argparse
import gzip
import json
import os
import sys

import shapely
from shapely.geometry import shape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import daily_reference as R  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--day", default="2026-03-07")
    ap.add_argument("--name", default="Henichesk")
    ap.add_argument("--data", default="../shared/data")
    a = ap.parse_args()
    path = os.path.join(
        a.data, f"deepstate/raw-daily/deepstatemap_data_{a.day.replace('-', '')}_polygons.geojson.gz"
    )
    layers, _ = R.layers_of(R.load(path)["features"], lambda name, fill: R.classify_english(name))
    with gzip.open(os.path.join(a.data, "admin/ukraine_hromadas.geojson.gz"), "rt", encoding="utf-8") as fh:
        hromadas = json.load(fh)["features"]
    feature = next(f for f in hromadas if a.name in (f["properties"].get("name:en") or ""))
    region = shapely.make_valid(shape(feature["geometry"]))
    occupied = region.intersection(layers["occupied"])
    older = region.intersection(layers["occupied_since_2014"])
    newer = region.intersection(layers["occupied_since_2022"])
    km2 = {k: R.wgs84_km2(g) for k, g in [("occupied", occupied), ("since_2014", older), ("since_2022", newer)]}
    print(f"{feature['properties'].get('name:en')} ({feature['properties'].get('katotth')}), {a.day}")
    for k, v in km2.items():
        print(f"  {k:<11} {v:.6f} km²")
    print(f"  since_2014 ∩ since_2022: {R.wgs84_km2(older.intersection(newer)) * 1e6:.1f} m²")
    print(f"  since_2022 outside occupied: {R.wgs84_km2(newer.difference(occupied)) * 1e6:.1f} m²")
    print(f"  parts' sum − occupied: {(km2['since_2014'] + km2['since_2022'] - km2['occupied']) * 1e6:.1f} m²")


if __name__ == "__main__":
    main()
