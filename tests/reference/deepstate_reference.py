#!/usr/bin/env python3
"""Independent reference figures for the `frontline` crate (DeepStateMap areas).

WHAT
    Reads the real data in <data>/deepstate (raw weekly DeepStateMap snapshots
    and occupied-only daily files) and <data>/admin (OSM boundaries), and writes
    tests/reference/reference.json with:
      meta               versions (Python, Shapely, GEOS, pyproj, PROJ), date, rules
      areas              plain geodesic km² of every admin feature used (by `name`)
      raw_weekly_totals  per raw snapshot: feature counts per status and km² of
                         each resolved (overlap-free) status layer
      unclassified       polygonal features no rule could classify
      make_valid_changes features whose geodesic area moved > 0.1 % under make_valid
      invalid_parts      every invalid raw polygon part: GEOS reason, km² before/after
      raw_weekly_raions  status shares of the 8 Donetsk raions, 6 chosen snapshots
      raw_weekly_oblast  status shares of Donetsk oblast, same 6 snapshots
      occupied_daily     occupied km² of chosen daily files, and the occupied share
                         of Donetsk oblast and of the town of Pokrovsk
      samples            the crate's bundled, made-up sample data (<repo>/data): the
                         two DeepState-format snapshots (API envelope unwrapped):
                         feature counts and km² per status, and the shares of Demo
                         Oblast (data/region.geojson) and of Demo City and Demo
                         Village (data/city.geojson); plus their import diagnostics

HOW (the crate's documented semantics, re-implemented here from the spec)
    * Raw snapshot: Point/MultiPoint/LineString(/MultiLineString) features, and any
      feature without a polygonal part, are markers. Polygons (also inside
      GeometryCollections) are zone parts; Z values dropped.
    * Classification by the normalised `name` (NBSP/newline/tab -> space, collapse
      whitespace, trim): (a) `geoJSON.` keys; (b) ordered free-text substring
      rules (other, occupied-2014, contested, liberated, occupied); (c) `fill`
      colour; (d) otherwise unclassified (excluded, listed).
    * Each polygon part: shapely.make_valid (default "linework" method), keep the
      polygonal parts only. Per status: shapely.unary_union. Overlaps resolved
      by precedence occupied > contested > liberated > other (set differences).
    * Area: pyproj.Geod(ellps="WGS84"); each polygon oriented with
      shapely.geometry.polygon.orient(p, 1.0), area = abs(geometry_area_perimeter
      (p)[0]); multipolygons summed per polygon; reported in km² (m² / 1e6).
    * Region shares: make_valid(region); km² = area(region ∩ layer);
      unmarked = max(0, area(region) - Σ status km²); pct = 100 * km² / area(region).
    * All figures are computed in full double precision and rounded to 6 decimals
      only when written.

INDEPENDENCE
    This script is an independent peer of the Rust code: it shares no code with
    it (GEOS via Shapely for geometry, GeographicLib via pyproj for areas), so
    agreement between the two is evidence, not an echo.

USAGE (from the repository root)
    python3 tests/reference/deepstate_reference.py [--data ../shared/data]
    The default data directory is <repo root>/../shared/data, where the repo root
    is this script's directory/../.. . A relative --data is taken relative to the
    current working directory. The sample data are read from <repo root>/data
    (--samples DIR overrides it).
"""

import argparse
import datetime as dt
import gzip
import json
import os
import platform
import re
import sys
import time

import pyproj
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.polygon import orient

GEOD = pyproj.Geod(ellps="WGS84")
STATUSES = ["occupied", "contested", "liberated", "other"]
ROUND = 6
MAKE_VALID_REPORT_THRESHOLD = 0.001  # relative change of area (0.1 %)

# --------------------------------------------------------------------------
# classification
# --------------------------------------------------------------------------

FREE_TEXT_RULES = [
    ("other", ["придністров", "transnistria", "абхаз", "abkhaz", "цхінвал", "tskhinval",
               "карел", "karel", "курил", "kuril", "петсамо", "petsamo", "салла", "salla",
               "естон", "eston", "латв", "latvi", "печор", "pechor", "пруссі", "prussia",
               "ічкері", "ichkeri"]),
    ("occupied", ["ордло", "cadr", "calr", "крим", "crimea", "тузла", "tuzla"]),
    ("contested", ["під питанням", "contested", "contensed", "contenesed", "in doubt",
                   "статус невідомий", "unknown status", "ситуація невідома",
                   "situation is unknown", "сіра зона", "grey zone", "gray zone", "невідомо"]),
    ("liberated", ["звільнено", "liberated", "taken back", "recaptured", "відбит", "відкинуто",
                   "pushed back", "орки відсутні", "під контролем зсу"]),
    ("occupied", ["окупован", "occupied", "occupation", "зайнят", "захоплено"]),
]

FILL_RULES = {
    "#a52714": "occupied", "#880e4f": "occupied", "#000000": "occupied",
    "#ff5252": "other",
    "#bcaaa4": "contested", "#bdbdbd": "contested", "#757575": "contested",
    "#0f9d58": "liberated", "#0288d1": "liberated", "#01579b": "liberated",
}

_WS = re.compile(r"\s+")


def normalise_name(name):
    s = "" if name is None else str(name)
    s = s.replace("\u00a0", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    return _WS.sub(" ", s).strip()


def classify(name, fill):
    """Return (status or None, rule) for a polygonal feature."""
    n = normalise_name(name)
    if "geoJSON." in n:
        key = n[n.index("geoJSON."):].strip().lower()
        if key == "geojson.status.occupied":
            return "occupied", "key"
        if key == "geojson.status.unknown":
            return "contested", "key"
        if key == "geojson.status.dismissed" or key.startswith("geojson.status.dismissed_at"):
            return "liberated", "key"
        if key in ("geojson.territories.crimea", "geojson.territories.ordlo",
                   "geojson.territories.tuzla"):
            return "occupied", "key"
        if key.startswith("geojson.territories."):
            return "other", "key"
        # any other key: fall through to the fill colour (step c), skipping step b
    else:
        low = n.lower()
        for status, needles in FREE_TEXT_RULES:
            for needle in needles:
                if needle in low:
                    return status, "text"
    f = (fill or "").strip().lower() if isinstance(fill, str) else ""
    if f in FILL_RULES:
        return FILL_RULES[f], "fill"
    return None, "none"


# --------------------------------------------------------------------------
# geometry helpers
# --------------------------------------------------------------------------

def polygons_of(geom):
    """All Polygon parts of any geometry (recursing into collections), non-empty."""
    out = []
    if geom is None or geom.is_empty:
        return out
    t = geom.geom_type
    if t == "Polygon":
        out.append(geom)
    elif t in ("MultiPolygon", "GeometryCollection"):
        for g in geom.geoms:
            out.extend(polygons_of(g))
    return out


def make_valid_polygonal(geom):
    """make_valid, then keep polygonal parts only (list of Polygons)."""
    return polygons_of(shapely.make_valid(geom))


def polygon_area_m2(p):
    return abs(GEOD.geometry_area_perimeter(orient(p, 1.0))[0])


def area_km2(geom):
    return sum(polygon_area_m2(p) for p in polygons_of(geom)) / 1e6


def union(polys):
    if not polys:
        return Polygon()
    return shapely.unary_union(polys)


def polygon_from_coords(coords):
    rings = [[tuple(c[:2]) for c in ring] for ring in coords]
    return Polygon(rings[0], rings[1:])


def raw_polygons(gj):
    """Polygon parts (2D) of a GeoJSON geometry dict; recurses into collections."""
    if gj is None:
        return []
    t = gj.get("type")
    if t == "Polygon":
        return [polygon_from_coords(gj["coordinates"])] if gj["coordinates"] else []
    if t == "MultiPolygon":
        return [polygon_from_coords(c) for c in gj["coordinates"] if c]
    if t == "GeometryCollection":
        out = []
        for g in gj.get("geometries") or []:
            out.extend(raw_polygons(g))
        return out
    return []


def resolve(layers):
    """Precedence occupied > contested > liberated > other."""
    occ = layers["occupied"]
    con = shapely.difference(layers["contested"], occ)
    taken = shapely.union(occ, layers["contested"])
    lib = shapely.difference(layers["liberated"], taken)
    taken = shapely.union(taken, layers["liberated"])
    oth = shapely.difference(layers["other"], taken)
    return {"occupied": occ, "contested": con, "liberated": lib, "other": oth}


def r(x):
    return round(float(x), ROUND)


# --------------------------------------------------------------------------
# readers
# --------------------------------------------------------------------------

def load_feature_collection(path):
    """A GeoJSON file (gzip if its name ends in .gz) as a FeatureCollection dict.

    DeepStateMap's API envelope {"id", "datetime", "map": FeatureCollection} is
    unwrapped; returns (feature collection, envelope or None)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        doc = json.load(fh)
    if isinstance(doc, dict) and isinstance(doc.get("map"), dict) and "features" not in doc:
        return doc["map"], doc
    return doc, None


def read_raw_snapshot(path, unclassified, mv_changes, invalid_parts):
    fname = os.path.basename(path)
    fc, _envelope = load_feature_collection(path)
    counts = {s: 0 for s in STATUSES}
    counts["unclassified"] = 0
    counts["markers"] = 0
    parts = {s: [] for s in STATUSES}
    for idx, feat in enumerate(fc["features"]):
        props = feat.get("properties") or {}
        polys = raw_polygons(feat.get("geometry"))
        if not polys:
            counts["markers"] += 1
            continue
        status, _rule = classify(props.get("name"), props.get("fill"))
        if status is None:
            counts["unclassified"] += 1
            unclassified.append({"file": fname, "index": idx,
                                 "name": normalise_name(props.get("name")),
                                 "fill": props.get("fill")})
            continue
        counts[status] += 1
        valid = []
        changed = False
        for p in polys:
            if p.is_valid:
                valid.append(p)
            else:
                changed = True
                fixed = make_valid_polygonal(p)
                valid.extend(fixed)
                invalid_parts.append({
                    "file": fname, "index": idx, "name": normalise_name(props.get("name")),
                    "status": status, "reason": shapely.is_valid_reason(p),
                    "km2_before": r(polygon_area_m2(p) / 1e6),
                    "km2_after": r(sum(polygon_area_m2(q) for q in fixed) / 1e6)})
        if changed:
            before = sum(polygon_area_m2(p) for p in polys) / 1e6
            after = sum(polygon_area_m2(p) for p in valid) / 1e6
            rel = abs(after - before) / before if before > 0 else (0.0 if after == 0 else float("inf"))
            if rel > MAKE_VALID_REPORT_THRESHOLD:
                mv_changes.append({"file": fname, "index": idx,
                                   "name": normalise_name(props.get("name")),
                                   "status": status,
                                   "km2_before": r(before), "km2_after": r(after)})
        parts[status].extend(valid)
    layers = {s: union(parts[s]) for s in STATUSES}
    return counts, resolve(layers)


def read_occupied_daily(path):
    with open(path, encoding="utf-8") as fh:
        fc = json.load(fh)
    polys = []
    for feat in fc["features"]:
        for p in raw_polygons(feat.get("geometry")):
            polys.extend(make_valid_polygonal(p))
    return union(polys)


def read_regions(path):
    with open(path, encoding="utf-8") as fh:
        fc = json.load(fh)
    out = []
    for feat in fc["features"]:
        props = feat.get("properties") or {}
        raw = shape(feat["geometry"])
        valid = shapely.unary_union(make_valid_polygonal(raw)) if not raw.is_valid else raw
        out.append({"name": props.get("name"), "name_en": props.get("name:en"),
                    "raw": raw, "geom": valid})
    return out


# --------------------------------------------------------------------------
# shares
# --------------------------------------------------------------------------

def shares(region, layers, region_area=None):
    ra = area_km2(region["geom"]) if region_area is None else region_area
    status = {}
    total = 0.0
    for s in STATUSES:
        km = area_km2(shapely.intersection(region["geom"], layers[s]))
        total += km
        status[s] = km
    status["unmarked"] = max(0.0, ra - total)
    return {"name": region["name"], "name_en": region["name_en"], "area_km2": r(ra),
            "status": {s: {"km2": r(v), "pct": r(100.0 * v / ra)} for s, v in status.items()}}


SAMPLE_SNAPSHOTS = ["snapshots/deepstate_20250601.geojson", "snapshots/deepstate_20250801.geojson"]
SAMPLE_PLACES = ["region.geojson", "city.geojson"]


def read_samples(sample_dir):
    """Totals and shares of the crate's bundled sample data (same rules as above)."""
    regions, areas = [], {}
    for rel in SAMPLE_PLACES:
        regs = read_regions(os.path.join(sample_dir, rel))
        areas[rel] = {reg["name"]: r(area_km2(reg["raw"])) for reg in regs}
        regions.extend(regs)
    region_areas = [area_km2(reg["geom"]) for reg in regions]
    totals, shares_out = [], []
    unclassified, mv_changes, invalid_parts = [], [], []
    for rel in SAMPLE_SNAPSHOTS:
        path = os.path.join(sample_dir, rel)
        _fc, envelope = load_feature_collection(path)
        utc = envelope["datetime"] if envelope else None
        counts, layers = read_raw_snapshot(path, unclassified, mv_changes, invalid_parts)
        totals.append({"file": rel, "utc": utc, "features": counts,
                       "km2": {s: r(area_km2(layers[s])) for s in STATUSES}})
        shares_out.append({"file": rel, "utc": utc, "picked_as": "bundled sample snapshot",
                           "regions": [shares(reg, layers, a)
                                       for reg, a in zip(regions, region_areas)]})
    return {"data_dir": "data (relative to the repo root)",
            "note": "made-up, illustrative shapes bundled with the crate; see data/README.md",
            "areas": areas, "totals": totals, "shares": shares_out,
            "unclassified": unclassified, "make_valid_changes": mv_changes,
            "invalid_parts": invalid_parts}


def utc_date_of(fname):
    secs = int(fname.split(".")[0])
    return dt.datetime.fromtimestamp(secs, tz=dt.timezone.utc)


def main():
    t0 = time.perf_counter()
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.normpath(os.path.join(here, "..", ".."))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(repo, "..", "shared", "data"))
    ap.add_argument("--samples", default=os.path.join(repo, "data"))
    ap.add_argument("--out", default=os.path.join(here, "reference.json"))
    args = ap.parse_args()
    data = os.path.abspath(args.data)

    raw_dir = os.path.join(data, "deepstate", "raw-weekly")
    daily_dir = os.path.join(data, "deepstate", "occupied-daily")
    admin = os.path.join(data, "admin")

    # ---- admin areas --------------------------------------------------------
    area_files = ["donetsk/raions.geojson", "donetsk/oblast.geojson",
                  "donetsk/towns.geojson", "ukraine_oblasts.geojson"]
    areas = {}
    regions = {}
    for rel in area_files:
        regs = read_regions(os.path.join(admin, rel))
        regions[rel] = regs
        d = {}
        for reg in regs:
            if reg["name"] in d:
                raise SystemExit(f"duplicate name {reg['name']!r} in {rel}")
            d[reg["name"]] = r(area_km2(reg["raw"]))
            if not reg["raw"].is_valid:
                print(f"note: {rel} {reg['name']} invalid; areas uses the raw geometry",
                      file=sys.stderr)
        areas[rel] = d
    raions = regions["donetsk/raions.geojson"]
    oblast = regions["donetsk/oblast.geojson"][0]
    pokrovsk = [t for t in regions["donetsk/towns.geojson"] if t["name_en"] == "Pokrovsk"]
    assert len(pokrovsk) == 1
    pokrovsk = pokrovsk[0]
    raion_areas = [area_km2(x["geom"]) for x in raions]
    oblast_area = area_km2(oblast["geom"])
    pokrovsk_area = area_km2(pokrovsk["geom"])

    # ---- which raw files get regional shares --------------------------------
    raw_files = sorted(f for f in os.listdir(raw_dir) if f.endswith(".geojson.gz"))
    wanted_months = [(2022, 6), (2022, 12), (2023, 6), (2024, 3), (2024, 12)]
    picks = {}
    for (y, m) in wanted_months:
        for f in sorted(raw_files, key=lambda f: int(f.split(".")[0])):
            d = utc_date_of(f)
            if (d.year, d.month) == (y, m):
                picks[f] = f"first file of {y:04d}-{m:02d}"
                break
        else:
            raise SystemExit(f"no raw file in {y:04d}-{m:02d}")
    last_raw = max(raw_files, key=lambda f: int(f.split(".")[0]))
    picks.setdefault(last_raw, "last file of the archive")

    # ---- raw weekly ----------------------------------------------------------
    totals, unclassified, mv_changes, invalid_parts = [], [], [], []
    raion_out, oblast_out = [], []
    for i, f in enumerate(raw_files):
        counts, layers = read_raw_snapshot(os.path.join(raw_dir, f), unclassified, mv_changes,
                                           invalid_parts)
        totals.append({"file": f, "features": counts,
                       "km2": {s: r(area_km2(layers[s])) for s in STATUSES}})
        if f in picks:
            date = utc_date_of(f).strftime("%Y-%m-%dT%H:%M:%SZ")
            raion_out.append({"file": f, "utc": date, "picked_as": picks[f],
                              "regions": [shares(reg, layers, a)
                                          for reg, a in zip(raions, raion_areas)]})
            oblast_out.append({"file": f, "utc": date, "picked_as": picks[f],
                               "regions": [shares(oblast, layers, oblast_area)]})
        print(f"[{i + 1}/{len(raw_files)}] {f} {time.perf_counter() - t0:.1f}s", file=sys.stderr)

    # ---- occupied daily ------------------------------------------------------
    daily_files = sorted(f for f in os.listdir(daily_dir)
                         if re.fullmatch(r"deepstatemap_data_\d{8}\.geojson", f))
    daily_days = [f[len("deepstatemap_data_"):-len(".geojson")] for f in daily_files]
    daily_out = []
    wanted_days = ["20240708", "20241001", "20250101", "20250601", "20251201", "20260601",
                   daily_days[-1]]
    seen = set()
    for want in wanted_days:
        got = next((d for d in daily_days if d >= want), None)
        if got is None or got in seen:
            continue
        seen.add(got)
        if want == daily_days[-1] and want not in wanted_days[:-1]:
            why = "last file"
        elif got == want:
            why = f"requested {want}"
        else:
            why = f"requested {want}, missing; took the next existing day {got}"
        occ = read_occupied_daily(os.path.join(daily_dir, f"deepstatemap_data_{got}.geojson"))
        layers = {"occupied": occ}
        region_shares = []
        for reg, a in ((oblast, oblast_area), (pokrovsk, pokrovsk_area)):
            km = area_km2(shapely.intersection(reg["geom"], occ))
            region_shares.append({"name": reg["name"], "name_en": reg["name_en"],
                                  "area_km2": r(a),
                                  "occupied": {"km2": r(km), "pct": r(100.0 * km / a)}})
        daily_out.append({"file": f"deepstatemap_data_{got}.geojson", "date": got,
                          "picked_as": why,
                          "occupied_km2": r(area_km2(layers["occupied"])),
                          "regions": region_shares})
        print(f"daily {got} {time.perf_counter() - t0:.1f}s", file=sys.stderr)

    # ---- bundled sample data (made up; <repo>/data) --------------------------
    samples = read_samples(os.path.abspath(args.samples))
    print(f"samples {time.perf_counter() - t0:.1f}s", file=sys.stderr)

    runtime = time.perf_counter() - t0
    meta = {
        "generated_utc": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "runtime_seconds": round(runtime, 1),
        "versions": {"python": platform.python_version(), "shapely": shapely.__version__,
                     "geos": shapely.geos_version_string, "pyproj": pyproj.__version__,
                     "proj": pyproj.proj_version_str},
        "data_dir": "../shared/data (relative to the repo root)",
        "rules": ("classify polygonal features by normalised name: geoJSON. key, else ordered "
                  "free-text substrings (other, occupied-2014, contested, liberated, occupied), "
                  "else fill colour, else unclassified (excluded); each polygon part "
                  "shapely.make_valid keeping polygonal parts; unary_union per status; "
                  "precedence occupied > contested > liberated > other; geodesic WGS84 area "
                  "(pyproj Geod, orient(p, 1.0), abs, summed per polygon) in km2; "
                  "region share = area(region ∩ layer), unmarked = max(0, area(region) - sum), "
                  "pct = 100*km2/area(region); values rounded to 6 decimals on output"),
        "make_valid_report_threshold": "relative area change > 0.1 % (feature area = sum of "
                                       "its polygon parts before vs after make_valid)",
        "feature_index": "0-based index in the FeatureCollection's `features` array",
    }
    out = {"meta": meta, "areas": areas, "raw_weekly_totals": totals,
           "unclassified": unclassified, "make_valid_changes": mv_changes,
           "invalid_parts": invalid_parts,
           "raw_weekly_raions": raion_out, "raw_weekly_oblast": oblast_out,
           "occupied_daily": daily_out, "samples": samples}
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(out, fh, ensure_ascii=False, indent=2, sort_keys=True)
        fh.write("\n")
    print(f"wrote {args.out} in {runtime:.1f}s; {len(unclassified)} unclassified, "
          f"{len(mv_changes)} make_valid changes > 0.1 %", file=sys.stderr)


if __name__ == "__main__":
    main()
