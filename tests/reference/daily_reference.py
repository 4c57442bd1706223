#!/usr/bin/env python3
"""Independent reference figures for today's DeepState data (the raw daily archive).

WHAT
    Writes tests/reference/daily_reference.json with:
      raw_daily_names   every polygon name met in <data>/deepstate/raw-daily (702
                        files) with its count and the status these rules give it
      raw_daily_files   per file: the number of polygons per status (none may be
                        unclassified)
      donetsk           for chosen raw-daily days: the shares of Donetsk oblast and
                        of its 8 raions, per status, with occupied split into
                        occupied_since_2014 and occupied_since_2022
      pokrovsk          every day of October-November 2025: Pokrovsk town's occupied
                        and contested (grey zone) km² and %
      sphere_totals     for the two raw-weekly snapshots whose published figures
                        DeepState's site gives: the total km² of each status and of
                        the parts of occupied, on turf.js's sphere (R = 6,378,137 m)

HOW (the crate's documented semantics, re-implemented from the spec)
    * Names (English only in this archive): other countries' occupied land
      (Transnistria, Abkhazia, Tskhinvali, Karelia, Ichkeria, East Prussia, Petsamo,
      Salla, Estonia, Latvia, Pechorsky, Kuril) -> other; "CADR and CALR", "Crimea",
      "Tuzla" -> occupied, since 2014; "Unknown status" (and once, on 2025-04-01,
      a bare "Unknown") -> contested; "Liberated..."
      -> liberated; "Snake Island" -> liberated (every file is from 2024 on, after
      30 June 2022); "Occupied" -> occupied, since 2022.
      In raw-weekly files: the machine key after the last '///'
      (geoJSON.territories.crimea|ordlo|tuzla: since 2014; geoJSON.status.occupied:
      since 2022), the rest as in deepstate_reference.py.
    * Geometry: shapely.make_valid per polygon, polygonal parts kept; union per
      status; precedence occupied > contested > liberated > other. The since-2014
      part is the union of the standing territories (within occupied); the
      since-2022 part is occupied minus it.
    * WGS84 area: pyproj.Geod(ellps="WGS84").geometry_area_perimeter, each polygon
      oriented counter-clockwise, holes subtracted.
    * Sphere area (DeepState's method, turf.js @turf/area): per ring
      |sum (lon[i+1] - lon[i-1]) * sin(lat[i])| * R^2 / 2 in radians,
      R = 6378137 m; holes subtracted.

INDEPENDENCE
    Shares no code with the Rust crate: GEOS (Shapely) for geometry, GeographicLib
    (pyproj) for WGS84 areas, the sphere formula written out here.

USAGE (from the repository root)
    python3 tests/reference/daily_reference.py [--data ../shared/data]
"""

import argparse
import datetime as dt
import gzip
import json
import math
import os
import sys

import pyproj
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.polygon import orient

GEOD = pyproj.Geod(ellps="WGS84")
R = 6378137.0
ROUND = 6
DONETSK_DAYS = ["20240916", "20250102", "20250601", "20251027", "20260301", "20260822"]
OTHER = ["transnistria", "abkhaz", "tskhinval", "karel", "ichkeri", "prussia", "petsamo",
         "salla", "eston", "latvi", "pechor", "kuril"]
SINCE_2014 = ["cadr", "calr", "crimea", "tuzla"]


def classify_english(name):
    """(status, since) for an English-only raw-daily name; status None if unknown."""
    n = " ".join((name or "").replace("\u00a0", " ").split()).lower()
    if any(p in n for p in OTHER):
        return "other", None
    if any(p in n for p in SINCE_2014):
        return "occupied", "2014"
    if "unknown status" in n or n == "unknown":
        return "contested", None
    if "liberated" in n:
        return "liberated", None
    if "snake island" in n:
        return "liberated", None
    if "occupied" in n:
        return "occupied", "2022"
    return None, None


def classify_weekly(name, fill):
    """(status, since) for a raw-weekly name with a machine key (2024-2025 files)."""
    n = " ".join((name or "").replace("\u00a0", " ").split())
    key = n[n.lower().find("geojson."):].lower() if "geojson." in n.lower() else ""
    if key == "geojson.status.occupied":
        return "occupied", "2022"
    if key == "geojson.status.unknown":
        return "contested", None
    if key.startswith("geojson.status.dismissed"):
        return "liberated", None
    if key.startswith("geojson.territories."):
        t = key.split(".", 2)[2]
        return ("occupied", "2014") if t in ("crimea", "ordlo", "tuzla") else ("other", None)
    colours = {"#a52714": ("occupied", "2022"), "#880e4f": ("occupied", "2014"),
               "#000000": ("occupied", "2014"), "#ff5252": ("other", None),
               "#0f9d58": ("liberated", None), "#bcaaa4": ("contested", None)}
    return colours.get((fill or "").strip().lower(), (None, None))


def polygons_of(geom):
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in polygons_of(g)]
    return []


def clean(geom):
    return [p for part in polygons_of(shapely.force_2d(geom))
            for p in polygons_of(shapely.make_valid(part))]


def union(polys):
    return shapely.unary_union(polys) if polys else Polygon()


def wgs84_km2(geom):
    return sum(abs(GEOD.geometry_area_perimeter(orient(p, 1.0))[0])
               for p in polygons_of(geom)) / 1e6


def ring_sphere_m2(coords):
    c = list(coords)[:-1]
    n = len(c)
    if n < 3:
        return 0.0
    total = 0.0
    for i in range(n):
        lower, middle, upper = c[i - 1], c[i], c[(i + 1) % n]
        total += (math.radians(upper[0]) - math.radians(lower[0])) * math.sin(math.radians(middle[1]))
    return abs(total) * R * R / 2


def sphere_km2(geom):
    return sum(ring_sphere_m2(p.exterior.coords) - sum(ring_sphere_m2(h.coords) for h in p.interiors)
               for p in polygons_of(geom)) / 1e6


def layers_of(features, classify):
    """Resolved layers {status: geometry} and the since-2014 part."""
    by = {"occupied": [], "contested": [], "liberated": [], "other": []}
    standing = []
    counts = {}
    for f in features:
        geom = f.get("geometry")
        if not geom or geom["type"] not in ("Polygon", "MultiPolygon", "GeometryCollection"):
            continue
        props = f.get("properties") or {}
        status, since = classify(props.get("name"), props.get("fill"))
        counts[status or "unclassified"] = counts.get(status or "unclassified", 0) + 1
        if status is None:
            continue
        polys = clean(shape(geom))
        by[status].extend(polys)
        if since == "2014":
            standing.extend(polys)
    stronger = Polygon()
    layers = {}
    for s in ["occupied", "contested", "liberated", "other"]:
        u = union(by[s])
        layers[s] = u.difference(stronger) if not stronger.is_empty else u
        stronger = union([stronger, u]) if not stronger.is_empty else u
    older = union(standing).intersection(layers["occupied"])
    layers["occupied_since_2014"] = older
    layers["occupied_since_2022"] = layers["occupied"].difference(older)
    return layers, counts


def load(path):
    with (gzip.open(path, "rt", encoding="utf-8") if path.endswith(".gz") else open(path, encoding="utf-8")) as fh:
        return json.load(fh)


def regions(path):
    out = []
    for f in load(path)["features"]:
        p = f["properties"]
        out.append((p.get("name:en") or p.get("name"), shapely.make_valid(shape(f["geometry"]))))
    return out


def shares(region, layers):
    area = wgs84_km2(region)
    out = {"area_km2": round(area, ROUND), "status": {}}
    for s, layer in layers.items():
        km2 = wgs84_km2(region.intersection(layer))
        out["status"][s] = {"km2": round(km2, ROUND), "pct": round(100 * km2 / area, ROUND)}
    return out


def main():
    ap = argparse.ArgumentParser()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--data", default=os.path.join(root, "..", "shared", "data"))
    args = ap.parse_args()
    data = args.data
    daily = os.path.join(data, "deepstate", "raw-daily")
    files = sorted(f for f in os.listdir(daily) if f.endswith(".geojson.gz"))
    names, per_file = {}, []
    for f in files:
        counts = {}
        for feat in load(os.path.join(daily, f))["features"]:
            name = (feat.get("properties") or {}).get("name")
            status, since = classify_english(name)
            entry = names.setdefault(name, {"count": 0, "status": status, "since": since})
            entry["count"] += 1
            counts[status or "unclassified"] = counts.get(status or "unclassified", 0) + 1
        per_file.append({"file": f, "polygons": counts})
    oblast = regions(os.path.join(data, "admin", "donetsk", "oblast.geojson"))
    raions = regions(os.path.join(data, "admin", "donetsk", "raions.geojson"))
    donetsk = []
    for day in DONETSK_DAYS:
        f = f"deepstatemap_data_{day}_polygons.geojson.gz"
        layers, _ = layers_of(load(os.path.join(daily, f))["features"], lambda n, _f: classify_english(n))
        donetsk.append({"file": f, "regions": [dict(name=n, **shares(g, layers)) for n, g in oblast + raions]})
        print(f, file=sys.stderr)
    towns = regions(os.path.join(data, "admin", "donetsk", "towns.geojson"))
    pokrovsk = [g for n, g in towns if n == "Pokrovsk"][0]
    box = shapely.box(*pokrovsk.buffer(0.05).bounds)
    series = []
    day = dt.date(2025, 10, 1)
    while day <= dt.date(2025, 11, 30):
        f = f"deepstatemap_data_{day:%Y%m%d}_polygons.geojson.gz"
        if os.path.exists(os.path.join(daily, f)):
            feats = [x for x in load(os.path.join(daily, f))["features"]
                     if shape(x["geometry"]).intersects(box)]
            layers, _ = layers_of(feats, lambda n, _f: classify_english(n))
            s = shares(pokrovsk, {k: layers[k] for k in ("occupied", "contested")})
            series.append({"file": f, **s})
        day += dt.timedelta(days=1)
    sphere = []
    for f in ["1730669408.geojson.gz", "1754251105.geojson.gz"]:
        layers, counts = layers_of(load(os.path.join(data, "deepstate", "raw-weekly", f))["features"],
                                   classify_weekly)
        sphere.append({"file": f, "km2": {s: round(sphere_km2(g), ROUND) for s, g in layers.items()},
                       "wgs84_km2": {s: round(wgs84_km2(g), ROUND) for s, g in layers.items()}})
        print(f, counts, file=sys.stderr)
    out = {
        "meta": {"python": sys.version.split()[0], "shapely": shapely.__version__,
                 "geos": shapely.geos_version_string, "pyproj": pyproj.__version__,
                 "written": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")},
        "raw_daily_names": [{"name": n, **v} for n, v in sorted(names.items(), key=lambda x: -x[1]["count"])],
        "raw_daily_files": per_file,
        "donetsk": donetsk,
        "pokrovsk": series,
        "sphere_totals": sphere,
    }
    with open(os.path.join(root, "tests", "reference", "daily_reference.json"), "w") as fh:
        json.dump(out, fh, indent=1, ensure_ascii=False)
        fh.write("\n")


if __name__ == "__main__":
    main()
