#!/usr/bin/env python3
"""Independent reference for the `frontline` proximity queries (issue 3).

WHAT
    For the 373 GeoNames places of Donetsk oblast (<data>/admin/donetsk/places.geojson)
    on the raw DeepStateMap snapshot 1754251105 (2025-08-03), writes
    tests/reference/proximity_reference.json with, per place: the status at the
    point (the resolved layer containing it, or "unmarked") and the geodesic
    distance (m) to the nearest occupied and to the nearest contested ground, with
    the nearest point. Also, for the record, the length of the boundary of
    occupied-or-contested ground and of its part inside Ukraine's outline shrunk
    by 1 km (no sliver filter: an upper bound of the crate's front line).

    The front line, by the rule documented in src/proximity/front.rs, computed
    here with Shapely: the boundary of occupied ∪ contested ground, cut into
    pieces of at most ~250 m (straight in lon/lat, as the crate cuts them); a
    piece is front when (1) it is not a shared edge (a piece of the occupied
    boundary within 1 m of the contested one, or the reverse), (2) both its
    ends are inside Ukraine's outline and farther than the tolerance (1 km)
    from it, and (3) the ground beyond it is held by Ukraine: with the layers
    oriented (shapely.orient_polygons: exteriors counter-clockwise, holes
    clockwise, so the ground is on the left of every ring), the point 100 m
    square to the piece's middle on its right is not in occupied ∪ contested
    ground, and the point at the tolerance on its right is inside the outline
    and farther than the tolerance from it. Rule 3 is what leaves out coasts
    and state borders (the sea and foreign land are outside the outline, and a
    strip of unmarked land between the zone file's coast and the outline's is
    within the tolerance of the outline). Per place: the geodesic distance to that line (as above). And the
    geodesic area of Donetsk oblast within 25, 50 and 100 km of that line: the
    line (near the oblast) and the oblast are projected to an ellipsoidal
    azimuthal equidistant projection centred on the oblast's bounding box,
    buffered there with Shapely (64 segments per quarter circle), intersected,
    projected back (densified to 1 km) and measured with pyproj
    Geod.geometry_area_perimeter.

HOW (independent of the Rust code: Shapely/GEOS and pyproj/PROJ)
    * Layers: read and resolved by deepstate_reference.py (classification,
      make_valid, union, precedence occupied > contested > liberated > other).
    * Status: shapely `covers` of each layer.
    * Distance: 0 inside; otherwise the layer's boundary near the point (clipped
      to a box certain to hold the nearest point) is densified in lon/lat to
      0.0005° (edges are straight in lon/lat), projected to an azimuthal
      equidistant projection centred on the point (ellipsoidal: distances from
      the centre are geodesic), and the nearest point found there is measured
      with pyproj Geod(ellps='WGS84').inv.

USAGE (from the repository root)
    python3 tests/reference/proximity_reference.py [--data ../shared/data]
"""

import argparse
import json
import math
import os
import sys
import time

import pyproj
import shapely
import numpy as np
from shapely.geometry import LineString, MultiLineString, Point, box, shape
from shapely.ops import linemerge, nearest_points, transform

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deepstate_reference as dr  # noqa: E402

GEOD = pyproj.Geod(ellps="WGS84")
SNAPSHOT = "deepstate/raw-weekly/1754251105.geojson.gz"
PLACES = "admin/donetsk/places.geojson"
OUTLINE = "admin/ukraine_outline.geojson"
OBLAST = "admin/donetsk/oblast.geojson"
TOLERANCE_M = 1000.0
PIECE_M = 250.0
GAP_M = 100.0
# Azov-coast places (and Berdiansk, in Zaporizhzhia oblast) and the raw-weekly
# snapshots on which their distance to the front and the front's length at 1 km
# and 3 km are recorded.
COAST_PLACES = ["Mariupol", "Sartana", "Urzuf", "Yalta", "Melekyne", "Bilosarayska Kosa",
                "Novoazovs'k", "Shyrokyne", "Berdyansk"]
COAST_SNAPSHOTS = ["1685919265", "1709501671", "1754251105"]  # 2023-06-04, 2024-03-03, 2025-08-03
ALL_PLACES = "admin/ukraine_places.geojson"
BANDS_KM = [25.0, 50.0, 100.0]


def aeqd_at(lon, lat):
    return pyproj.Transformer.from_crs(
        "EPSG:4326",
        pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +ellps=WGS84 +units=m"),
        always_xy=True,
    )


def pieces_of(boundary):
    """Every edge cut into pieces of at most ~PIECE_M (straight in lon/lat): an
    array of [ax, ay, bx, by]."""
    parts = boundary.geoms if hasattr(boundary, "geoms") else [boundary]
    pieces = []
    for line in parts:
        c = np.asarray(line.coords)[:, :2]
        for (ax, ay), (bx, by) in zip(c[:-1], c[1:]):
            deg = math.hypot((bx - ax) * math.cos(math.radians(ay)), by - ay)
            n = min(max(math.ceil(deg * 111_400.0 / PIECE_M), 1), 100_000)
            t = np.arange(n + 1) / n
            xs, ys = ax + t * (bx - ax), ay + t * (by - ay)
            pieces.extend(zip(xs[:-1], ys[:-1], xs[1:], ys[1:]))
    return np.asarray(pieces).reshape(-1, 4)


def front_line(occupied, contested, outline, tolerance=TOLERANCE_M):
    """The front by the crate's documented rule, computed with Shapely.

    Pieces of the occupied boundary whose middle is within 1 m of the contested
    boundary (and vice versa) are shared edges, not front. (Taking the boundary
    of the union instead leaves zero-width spikes where GEOS does not cancel
    edges that coincide only to ~1e-10 degrees: 118 km of them on this snapshot.)
    """
    # Ground on the left of every ring: the far side of a piece is its right.
    occupied, contested = shapely.orient_polygons(occupied), shapely.orient_polygons(contested)
    held = shapely.unary_union([occupied, contested])
    proj = aeqd_at(37.8, 48.0)
    ring = transform(proj.transform, outline.boundary).buffer(tolerance, quad_segs=16)
    near_outline = transform(lambda x, y: proj.transform(x, y, direction="INVERSE"), ring)
    for g in (near_outline, outline, held):
        shapely.prepare(g)

    def keeps(x, y):
        return shapely.contains_xy(outline, x, y) & ~shapely.intersects_xy(near_outline, x, y)

    kept = []
    for mine, other in ((occupied, contested), (contested, occupied)):
        p = pieces_of(mine.boundary)
        ax, ay, bx, by = p.T
        mx, my = (ax + bx) / 2, (ay + by) / 2
        other_edge = other.boundary
        shapely.prepare(other_edge)
        # 1 m: 1e-5 degrees of latitude is 1.1 m; of longitude at 48° N, 0.74 m.
        shared = shapely.dwithin(other_edge, shapely.points(mx, my), 1.0e-5)
        keep = keeps(ax, ay) & keeps(bx, by)
        # The points beyond, on the right (local metres per degree).
        kx = 111_320.0 * np.cos(np.radians(my))
        ky = 110_574.0
        dx, dy = (bx - ax) * kx, (by - ay) * ky
        length = np.hypot(dx, dy)
        length[length == 0] = 1.0

        def right(metres):
            return mx + dy / length * metres / kx, my - dx / length * metres / ky

        gx, gy = right(GAP_M)
        tx, ty = right(max(tolerance, 1.0))
        beyond = ~shapely.intersects_xy(held, gx, gy) & keeps(tx, ty)
        kept.append(p[~shared & keep & beyond])
    kept = np.concatenate(kept)
    return linemerge([LineString([(a, b), (c, d)]) for a, b, c, d in kept])


def band_areas(front, region):
    """Geodesic km² of `region` within each of BANDS_KM of `front`."""
    x0, y0, x1, y1 = region.bounds
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    proj = aeqd_at(cx, cy)
    near = front.intersection(box(x0 - 2.5, y0 - 1.5, x1 + 2.5, y1 + 1.5))
    near = transform(proj.transform, shapely.segmentize(near, 0.01))
    plane_region = transform(proj.transform, shapely.segmentize(region, 0.01))
    out = []
    for km in BANDS_KM:
        zone = near.buffer(km * 1000.0, quad_segs=64).intersection(plane_region)
        zone = shapely.segmentize(zone, 1000.0)
        back = transform(lambda x, y: proj.transform(x, y, direction="INVERSE"), zone)
        area, _ = GEOD.geometry_area_perimeter(back)
        out.append(round(abs(area) / 1e6, 3))
    return out


def nearest_on(boundary, lon, lat):
    """Geodesic distance (m) and nearest point of `boundary` from (lon, lat)."""
    p = Point(lon, lat)
    d_deg = boundary.distance(p)  # planar degrees: only to bound the search box
    half_lat = d_deg * 1.01 + 0.01
    half_lon = half_lat / math.cos(math.radians(min(89.0, abs(lat) + half_lat)))
    near = boundary.intersection(box(lon - half_lon, lat - half_lat, lon + half_lon, lat + half_lat))
    near = shapely.segmentize(near, 0.0005)
    aeqd = pyproj.Transformer.from_crs(
        "EPSG:4326",
        pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +ellps=WGS84 +units=m"),
        always_xy=True,
    )
    projected = transform(aeqd.transform, near)
    _, q = nearest_points(Point(0.0, 0.0), projected)
    qlon, qlat = aeqd.transform(q.x, q.y, direction="INVERSE")
    _, _, dist = GEOD.inv(lon, lat, qlon, qlat)
    return dist, qlon, qlat


def coast_figures(data, outline):
    """Per snapshot of COAST_SNAPSHOTS: the front's length at 1 km and 3 km, and
    each of COAST_PLACES' geodesic distance (m) to the front at 1 km and 3 km."""
    # Donetsk oblast's places first (there is a Yalta in Crimea too), then the
    # country's for Berdiansk.
    named = {}
    for source in (PLACES, ALL_PLACES):
        with open(os.path.join(data, source), encoding="utf-8") as f:
            for feat in json.load(f)["features"]:
                named.setdefault(feat["properties"]["name"], feat["geometry"]["coordinates"][:2])
    out = []
    for snap in COAST_SNAPSHOTS:
        path = os.path.join(data, f"deepstate/raw-weekly/{snap}.geojson.gz")
        _, layers = dr.read_raw_snapshot(path, [], [], [])
        row = {"snapshot": snap, "front_km": {}, "places": {}}
        for tol in (1000.0, 3000.0):
            front = front_line(layers["occupied"], layers["contested"], outline, tol)
            key = f"{tol / 1000:g}km"
            row["front_km"][key] = round(GEOD.geometry_length(front) / 1000.0, 3)
            for name in COAST_PLACES:
                lon, lat = named[name]
                d, _, _ = nearest_on(front, lon, lat)
                row["places"].setdefault(name, {"lon": lon, "lat": lat})[key] = round(d, 3)
        print(f"coast {snap}: {row['front_km']}", file=sys.stderr)
        out.append(row)
    return out


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(root, "..", "shared", "data"))
    args = ap.parse_args()
    t0 = time.time()
    _, layers = dr.read_raw_snapshot(os.path.join(args.data, SNAPSHOT), [], [], [])
    order = ["occupied", "contested", "liberated", "other"]
    boundaries = {s: layers[s].boundary for s in ("occupied", "contested")}
    for g in layers.values():
        shapely.prepare(g)
    with open(os.path.join(args.data, PLACES), encoding="utf-8") as f:
        places = json.load(f)["features"]
    out = []
    for feat in places:
        lon, lat = feat["geometry"]["coordinates"][:2]
        p = Point(lon, lat)
        status = next((s for s in order if layers[s].covers(p)), "unmarked")
        row = {"name": feat["properties"].get("name"), "lon": lon, "lat": lat, "status": status}
        for s in ("occupied", "contested"):
            if status == s:
                row[s] = {"m": 0.0, "lon": lon, "lat": lat}
            else:
                d, qlon, qlat = nearest_on(boundaries[s], lon, lat)
                row[s] = {"m": round(d, 3), "lon": round(qlon, 8), "lat": round(qlat, 8)}
        out.append(row)
    with open(os.path.join(args.data, OUTLINE), encoding="utf-8") as f:
        outline = shapely.unary_union([shape(x["geometry"]) for x in json.load(f)["features"]])
    u = shapely.unary_union([layers["occupied"], layers["contested"]])
    laea = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)
    inner = transform(laea.transform, outline).buffer(-1000.0)
    inner = transform(lambda x, y: laea.transform(x, y, direction="INVERSE"), inner)
    edge = u.boundary
    t1 = time.time()
    front = front_line(layers["occupied"], layers["contested"], outline)
    for row in out:
        d, qlon, qlat = nearest_on(front, row["lon"], row["lat"])
        row["front"] = {"m": round(d, 3), "lon": round(qlon, 8), "lat": round(qlat, 8)}
    coast = coast_figures(args.data, outline)
    with open(os.path.join(args.data, OBLAST), encoding="utf-8") as f:
        oblast = shapely.unary_union([shape(x["geometry"]) for x in json.load(f)["features"]])
    areas = band_areas(front, oblast)
    print(f"front and band areas in {time.time() - t1:.1f} s", file=sys.stderr)
    doc = {
        "meta": {
            "snapshot": SNAPSHOT,
            "places": PLACES,
            "shapely": shapely.__version__,
            "geos": shapely.geos_version_string,
            "pyproj": pyproj.__version__,
            "proj": pyproj.proj_version_str,
            "runtime_seconds": round(time.time() - t0, 1),
        },
        "boundary_km": round(GEOD.geometry_length(edge) / 1000.0, 3),
        "boundary_inside_outline_1km_km": round(GEOD.geometry_length(edge.intersection(inner)) / 1000.0, 3),
        "front_km": round(GEOD.geometry_length(front) / 1000.0, 3),
        "front_tolerance_m": TOLERANCE_M,
        "band_region": OBLAST,
        "bands_km": BANDS_KM,
        "band_areas_within_km2": areas,
        "coast": coast,
        "places": out,
    }
    path = os.path.join(root, "tests", "reference", "proximity_reference.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {path} in {time.time() - t0:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
