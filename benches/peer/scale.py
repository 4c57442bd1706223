#!/usr/bin/env python3
"""Every hromada, every day: `frontline series` against GeoPandas and DuckDB spatial,
on the same inputs, in one run.

The job: occupied km² of each of the 1,466 hromadas (`ukraine_hromadas.geojson.gz`)
in each occupied-only daily snapshot (`deepstate/occupied-daily`, 769 files).

The peers take minutes on the whole archive, so by default they measure a subset
of the days (every `--every`-th file, 33 of 769 by default) and their time is
extrapolated to the whole archive: a fixed part (starting, reading the
hromadas: a run on one day) plus the rest per day (each day is one independent
read, union and overlay). frontline runs on the subset too (the ratio on
identical input) and on the whole archive (the target). `--every 1` runs the
peers on every day, which checks the extrapolation (about seven minutes).

Peers:
- GeoPandas (Shapely 2, vectorised): read with GeoPandas, `make_valid`, one
  `unary_union` per day, the hromadas the union meets found with the STRtree,
  `intersection` vectorised, pyproj's geodesic area (GeographicLib) on WGS84.
- DuckDB 1.4.4 spatial (`pip install duckdb==1.4.4 duckdb-ext-spatial`, loading
  the `spatial.duckdb_extension` file that wheel ships): `ST_Read`,
  `ST_MakeValid`, `ST_Union_Agg`, `ST_Intersects`, `ST_Intersection`, and
  `ST_Area_Spheroid` after `ST_FlipCoordinates` (it takes latitude first). It
  runs on every core.

Agreement: every (day, hromada) figure that any of the three gives as non-zero
agrees within 0.05 % or 0.001 km² (missing = 0). Timing and peak memory of each
(GNU time `-v`).

Usage (from the repository root):
    python3 benches/peer/scale.py [--data ../shared/data] [--every 24] [--skip-build]
"""

import argparse
import csv
import datetime as dt
import importlib.util
import os
import re
import subprocess
import sys

REL, ABS = 0.0005, 0.001
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from timing import timed as timed_mib  # noqa: E402


def timed(cmd, out_path):
    """Wall seconds, CPU seconds, peak MiB."""
    wall, mib, cpu = timed_mib(cmd, out_path)
    return wall, cpu, mib


def day_of(name):
    m = re.search(r"(\d{4})(\d{2})(\d{2})", os.path.basename(name))
    return dt.datetime(int(m[1]), int(m[2]), int(m[3]), tzinfo=dt.timezone.utc).isoformat()


def vsi(path):
    """GDAL's name for a file, gzip read through /vsigzip/."""
    path = os.path.abspath(path)
    return f"/vsigzip/{path}" if path.endswith(".gz") else path


def geopandas_peer(files, regions_path):
    import geopandas as gpd
    import pyproj
    import shapely
    from shapely.geometry.polygon import orient

    geod = pyproj.Geod(ellps="WGS84")

    def polygons(g):
        if g.geom_type == "Polygon":
            return [g]
        if g.geom_type in ("MultiPolygon", "GeometryCollection"):
            return [p for part in g.geoms for p in polygons(part)]
        return []

    def km2(g):
        return sum(abs(geod.geometry_area_perimeter(orient(p, 1.0))[0]) for p in polygons(g)) / 1e6

    regions = gpd.read_file(vsi(regions_path))
    geoms = shapely.make_valid(regions.geometry.values)
    ids = list(regions["katotth"])
    tree = shapely.STRtree(geoms)
    out = csv.writer(sys.stdout)
    out.writerow(["date", "id", "occupied_km2"])
    for path in files:
        zones = gpd.read_file(path)
        occupied = shapely.unary_union(shapely.make_valid(zones.geometry.values))
        hit = tree.query(occupied, predicate="intersects")
        parts = shapely.intersection(geoms[hit], occupied)
        date = day_of(path)
        for i, g in zip(hit, parts):
            out.writerow([date, ids[i], repr(km2(g))])


def duckdb_peer(files, regions_path):
    import duckdb

    spec = importlib.util.find_spec("duckdb_ext")
    root = spec.submodule_search_locations[0]
    ext = os.path.join(root, "extensions", "v1.4.4", "linux_amd64", "spatial.duckdb_extension")
    con = duckdb.connect()
    con.execute(f"LOAD '{ext}'")
    con.execute(f"CREATE TABLE h AS SELECT katotth AS id, ST_MakeValid(geom) AS geom FROM ST_Read('{vsi(regions_path)}')")
    out = csv.writer(sys.stdout)
    out.writerow(["date", "id", "occupied_km2"])
    for path in files:
        rows = con.execute(
            f"""
            WITH z AS (SELECT ST_Union_Agg(ST_MakeValid(geom)) AS geom FROM ST_Read('{os.path.abspath(path)}'))
            SELECT h.id, ST_Area_Spheroid(ST_FlipCoordinates(ST_Intersection(h.geom, z.geom))) / 1e6
            FROM h, z WHERE ST_Intersects(h.geom, z.geom)
            """
        ).fetchall()
        date = day_of(path)
        for i, km2 in rows:
            out.writerow([date, i, repr(km2)])


def figures(path, key):
    with open(path, encoding="utf-8") as fh:
        return {(r["date"], r["id"]): float(r[key]) for r in csv.DictReader(fh) if r[key] != ""}


def main():
    if len(sys.argv) > 1 and sys.argv[1] in ("geopandas", "duckdb"):
        regions, files = sys.argv[2], sys.argv[3:]
        (geopandas_peer if sys.argv[1] == "geopandas" else duckdb_peer)(files, regions)
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join("..", "shared", "data"))
    ap.add_argument("--every", type=int, default=24, help="the peers measure every n-th day (1: all)")
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--out", default=os.path.join("target", "peer"))
    a = ap.parse_args()
    folder = os.path.join(a.data, "deepstate", "occupied-daily")
    regions = os.path.join(a.data, "admin", "ukraine_hromadas.geojson.gz")
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder) if ".geojson" in f)
    subset = files[:: a.every]
    os.makedirs(a.out, exist_ok=True)
    if not a.skip_build:
        subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "frontline"], check=True)
    exe = os.path.join("target", "release", "frontline")
    out = {name: os.path.join(a.out, f"scale-{name}.csv") for name in ("crate", "all", "geopandas", "duckdb")}
    runs = {
        "crate": timed([exe, "series", *subset, "--regions", regions, "--format", "csv"], out["crate"]),
        "geopandas": timed([sys.executable, __file__, "geopandas", regions, *subset], out["geopandas"]),
        "duckdb": timed([sys.executable, __file__, "duckdb", regions, *subset], out["duckdb"]),
    }
    # A peer's time is a fixed part (starting, reading the hromadas) and a part per
    # day: one day alone gives the fixed part, so that the extrapolation does not
    # count it once per day.
    one = os.path.join(a.out, "scale-one.csv")
    fixed = {
        peer: 0.0 if a.every == 1 else timed([sys.executable, __file__, peer, regions, subset[0]], one)[0]
        for peer in ("geopandas", "duckdb")
    }
    full = timed([exe, "series", folder, "--regions", regions, "--format", "csv"], out["all"])

    got = {name: figures(out[name], "occupied_km2") for name in ("crate", "geopandas", "duckdb")}
    keys = {k for name, f in got.items() for k, v in f.items() if v != 0.0}
    bad, worst = [], {"geopandas": 0.0, "duckdb": 0.0}
    for k in sorted(keys):
        c = got["crate"].get(k, 0.0)
        for peer in ("geopandas", "duckdb"):
            p = got[peer].get(k, 0.0)
            diff = abs(c - p)
            if diff > ABS:
                worst[peer] = max(worst[peer], diff / max(abs(c), abs(p)))
            if diff > max(ABS, REL * max(abs(c), abs(p))):
                bad.append((k, peer, c, p))
    rows = sum(1 for _ in open(out["all"], encoding="utf-8")) - 1
    print(f"inputs: {len(subset)} of {len(files)} occupied-only daily snapshots (every {a.every}th) x 1466 hromadas")
    print(f"agreement: {len(keys) * 2 - len(bad)}/{len(keys) * 2} non-zero figures within {REL * 100:.2f} % "
          f"(or {ABS} km²); largest relative difference: GeoPandas {worst['geopandas'] * 100:.5f} %, "
          f"DuckDB {worst['duckdb'] * 100:.5f} %")
    for k, peer, c, p in bad[:10]:
        print(f"  DISAGREE {k} {peer}: crate {c} peer {p}")
    scale = len(files) / len(subset)

    def whole(peer):
        """The peer's time on the whole archive: measured, or extrapolated per day."""
        if a.every == 1:
            return runs[peer][0]
        per_day = max(runs[peer][0] - fixed[peer], 0.0) / max(len(subset) - 1, 1)
        return fixed[peer] + per_day * (len(files) - 1)

    label = "days measured" if a.every != 1 else "every day"
    print(f"{'':24}{'wall s':>9}{'cpu s':>9}{'peak MiB':>10}{'whole archive s':>17}")
    for name in ("geopandas", "duckdb", "crate"):
        wall, cpu, rss = runs[name]
        note = f"{whole(name):17.1f}" if name != "crate" else f"{full[0]:17.2f}"
        print(f"{name + ' (' + label + ')':24}{wall:9.2f}{cpu:9.2f}{rss:10.1f}{note}")
    print(f"{'crate (whole archive)':24}{full[0]:9.2f}{full[1]:9.2f}{full[2]:10.1f}   ({rows} rows)")
    how = "measured" if a.every == 1 else f"extrapolated: {fixed['geopandas']:.1f} / {fixed['duckdb']:.1f} s fixed, then per day"
    print(f"peers on the whole archive: {how}")
    for peer in ("geopandas", "duckdb"):
        print(f"ratio vs {peer}: {runs[peer][0] / runs['crate'][0]:.1f}x on the {label}; "
              f"{whole(peer) / full[0]:.1f}x on the whole archive; "
              f"{runs[peer][2] / full[2]:.1f}x less peak memory")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
