#!/usr/bin/env python3
"""The Python peer of `frontline series`: the way analysts measure the archive today.

For every raw weekly DeepStateMap snapshot: read it with GeoPandas, classify each
polygonal feature by its name (the crate's documented rules, imported from
tests/reference/deepstate_reference.py so that both sides classify alike), repair
invalid polygons (shapely.make_valid), union the occupied and the grey-zone
(contested) polygons, give overlaps to occupied, then measure each region's
occupied and contested km² with pyproj's geodesic area on WGS84.

Usage (from the repository root):
    python3 benches/peer/peer.py SNAPSHOT_DIR REGIONS.geojson > peer.csv

Writes CSV: file,date,region,occupied_km2,contested_km2 (single thread, as a
notebook would run).
"""

import csv
import datetime as dt
import gzip
import json
import os
import sys

import geopandas as gpd
import pyproj
import shapely
from shapely.geometry.polygon import orient

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "reference"))
from deepstate_reference import classify, polygons_of  # noqa: E402  (same rules as the crate)

GEOD = pyproj.Geod(ellps="WGS84")


def km2(geom):
    return sum(abs(GEOD.geometry_area_perimeter(orient(p, 1.0))[0]) for p in polygons_of(geom)) / 1e6


def read_snapshot(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        doc = json.load(fh)
    if isinstance(doc, dict) and isinstance(doc.get("map"), dict):
        doc = doc["map"]
    return gpd.GeoDataFrame.from_features(doc["features"], crs="EPSG:4326")


def layers(gdf):
    names = gdf["name"] if "name" in gdf else [None] * len(gdf)
    fills = gdf["fill"] if "fill" in gdf else [None] * len(gdf)
    gdf = gdf.assign(status=[classify(n, f)[0] for n, f in zip(names, fills)])
    parts = {"occupied": [], "contested": []}
    for status, geom in zip(gdf["status"], gdf.geometry):
        if status not in parts or geom is None:
            continue
        for p in polygons_of(shapely.force_2d(geom)):
            parts[status].extend([p] if p.is_valid else polygons_of(shapely.make_valid(p)))
    occupied = shapely.unary_union(parts["occupied"])
    contested = shapely.difference(shapely.unary_union(parts["contested"]), occupied)
    return occupied, contested


def main():
    snapshots, regions_path = sys.argv[1], sys.argv[2]
    regions = gpd.read_file(regions_path)
    regions["geometry"] = regions.geometry.make_valid()
    label = [
        en if isinstance(en, str) and en.strip() else n
        for en, n in zip(regions.get("name:en", [None] * len(regions)), regions["name"])
    ]
    out = csv.writer(sys.stdout)
    out.writerow(["file", "date", "region", "occupied_km2", "contested_km2"])
    files = sorted(f for f in os.listdir(snapshots) if ".geojson" in f or ".json" in f)
    for i, name in enumerate(files):
        occupied, contested = layers(read_snapshot(os.path.join(snapshots, name)))
        stem = name.split(".")[0]
        date = dt.datetime.fromtimestamp(int(stem), dt.timezone.utc).isoformat() if stem.isdigit() else ""
        for region, geom in zip(label, regions.geometry):
            out.writerow([name, date, region,
                          repr(km2(shapely.intersection(geom, occupied))),
                          repr(km2(shapely.intersection(geom, contested)))])
        print(f"peer: {i + 1}/{len(files)} {name}", file=sys.stderr)


if __name__ == "__main__":
    main()
