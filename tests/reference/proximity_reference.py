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
from shapely.geometry import Point, box, shape
from shapely.ops import nearest_points, transform

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deepstate_reference as dr  # noqa: E402

GEOD = pyproj.Geod(ellps="WGS84")
SNAPSHOT = "deepstate/raw-weekly/1754251105.geojson.gz"
PLACES = "admin/donetsk/places.geojson"
OUTLINE = "admin/ukraine_outline.geojson"


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
        "places": out,
    }
    path = os.path.join(root, "tests", "reference", "proximity_reference.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {path} in {time.time() - t0:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
