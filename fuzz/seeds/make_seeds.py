"""Cuts the fuzz seeds (a few KB each) out of the shared real data.

Run from the crate root: python3 fuzz/seeds/make_seeds.py ../shared/data
Writes the GeoJSON seeds under fuzz/corpus/<target>/ and, for the binary
formats, GeoJSON inputs under fuzz/seeds/tmp/ that `frontline convert` and
`frontline store` then turn into FlatGeobuf, GeoParquet, Shapefile and a store
(see fuzz/README.md).
"""
import gzip, json, os, sys

data = sys.argv[1]
root = "fuzz/corpus"
tmp = "fuzz/seeds/tmp"
os.makedirs(tmp, exist_ok=True)


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def cut_ring(ring, n=12):
    """The first n positions of a ring, closed again (may self-intersect: the
    repairs get exercised too)."""
    r = ring[:n]
    if r[-1] != r[0]:
        r.append(r[0])
    return r


def cut_geometry(g):
    t = g["type"]
    if t == "Polygon":
        return {"type": t, "coordinates": [cut_ring(r) for r in g["coordinates"][:2]]}
    if t == "MultiPolygon":
        return {"type": t, "coordinates": [[cut_ring(r) for r in p[:2]] for p in g["coordinates"][:3]]}
    if t == "GeometryCollection":
        return {"type": t, "geometries": [cut_geometry(x) for x in g["geometries"][:3]]}
    if t == "LineString":
        return {"type": t, "coordinates": g["coordinates"][:6]}
    return g


def pick(features, tests, also_points=2):
    """The first feature matching each test (by its name), cut small, and a few
    markers."""
    out = []
    for test in tests:
        for f in features:
            name = (f.get("properties") or {}).get("name") or ""
            if f.get("geometry") and f["geometry"]["type"] != "Point" and test(name) and f not in out:
                out.append(f)
                break
    out += [f for f in features if f.get("geometry") and f["geometry"]["type"] == "Point"][:also_points]
    return [dict(f, geometry=cut_geometry(f["geometry"])) for f in out]


def write(target, name, obj):
    os.makedirs(f"{root}/{target}", exist_ok=True)
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    with open(f"{root}/{target}/{name}", "w", encoding="utf-8") as f:
        f.write(text)
    return text


def fc(features, **extra):
    return dict({"type": "FeatureCollection", "features": features}, **extra)


has = lambda *words: (lambda n: any(w in n for w in words))

# 2022: free-text names.
w22 = load(f"{data}/deepstate/raw-weekly/1649005166.geojson.gz")
f22 = pick(w22["features"], [has("Звільнено 25"), has("Окуповано"), has("питанням"), has("Зміїний"),
                            has("ОРДЛО"), has("Крим"), has("Багатокутник")])
# 2025: machine keys.
w25 = load(f"{data}/deepstate/raw-weekly/1754251105.geojson.gz")
f25 = pick(w25["features"], [has("status.occupied"), has("status.unknown"), has("dismissed"),
                            has("territories.crimea"), has("territories.ordlo"),
                            has("territories.transnistria"), lambda n: True])
# A GeometryCollection, if the weekly file has one.
gcs = [f for f in w25["features"] if f.get("geometry", {}).get("type") == "GeometryCollection"]
f25 += [dict(f, geometry=cut_geometry(f["geometry"])) for f in gcs[:1]]
daily = load(f"{data}/deepstate/raw-daily/deepstatemap_data_20250601_polygons.geojson.gz")
fd = pick(daily["features"], [has("Unknown"), has("Liberated"), has("Occupied"), has("CADR"),
                             has("Crimea"), has("Karelia")], also_points=0)
occ = load(f"{data}/deepstate/occupied-daily/deepstatemap_data_20250601.geojson")
fo = [dict(f, geometry=cut_geometry(f["geometry"])) for f in occ["features"][:1]]

crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
seeds = {
    "raw_weekly_2022.geojson": fc(f22),
    "raw_weekly_2025.geojson": fc(f25),
    "envelope.json": {"id": 1748768400, "datetime": "2025-06-01T09:00:00Z", "map": fc(f25[:3])},
    "raw_daily.geojson": fc(fd, crs=crs),
    "occupied_daily.geojson": fc(fo, crs=crs),
}
for name, obj in seeds.items():
    text = write("deepstate", name, obj)
    os.makedirs(f"{root}/zones_file", exist_ok=True)
    with open(f"{root}/zones_file/{name}.gz", "wb") as f:
        f.write(gzip.compress(text.encode(), 9, mtime=0))
for name in ["raw_daily.geojson", "occupied_daily.geojson", "raw_weekly_2022.geojson"]:
    write("zones", name, seeds[name])
generic = fc([{"type": "Feature", "properties": {"control": "RU", "name": "a"},
               "geometry": f25[0]["geometry"]},
              {"type": "Feature", "properties": {"control": 1},
               "geometry": {"type": "MultiPolygon", "coordinates": [[[[37, 48], [37.1, 48], [37.1, 48.1], [37, 48]]]]}}])
write("zones", "generic.geojson", generic)
write("zones", "feature.geojson", dict(generic["features"][0], type="Feature"))

# Places: points with GeoNames properties, and town outlines.
pts = load(f"{data}/admin/donetsk/places.geojson")["features"][:4]
towns = load(f"{data}/admin/donetsk/towns.geojson")["features"][:2]
towns = [dict(f, geometry=cut_geometry(f["geometry"])) for f in towns]
write("places", "points.geojson", fc(pts))
write("places", "towns.geojson", fc(towns))
write("places", "mixed.geojson", fc(pts[:1] + towns[:1] + f25[-1:]))

# Inputs of the binary seeds.
for name, obj in [("places.geojson", fc(pts + towns)), ("1754251105.geojson", fc(f25)),
                  ("deepstatemap_data_20250601_polygons.geojson", fc(fd))]:
    with open(f"{tmp}/{name}", "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False)
