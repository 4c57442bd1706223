#!/usr/bin/env python3
"""Generate frontline's made-up sample data (data/*.geojson, data/snapshots/*).

Everything is invented: shapes are built in a local azimuthal-equidistant plane
(km) around the fictional Demo City and projected back to WGS84 lon/lat.
Deterministic (fixed seeds); run from anywhere: python3 make_samples.py OUTDIR
"""
import json
import math
import os
import random
import sys

import pyproj
import shapely
from shapely.geometry import LineString, Point, Polygon, mapping
from shapely.geometry.polygon import orient

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
GEOD = pyproj.Geod(ellps="WGS84")
C_LON, C_LAT = 37.44, 48.33  # centre of Demo City (fictional)
LOCAL = pyproj.CRS.from_proj4(
    f"+proj=aeqd +lat_0={C_LAT} +lon_0={C_LON} +datum=WGS84 +units=km +no_defs")
TO_LL = pyproj.Transformer.from_crs(LOCAL, "EPSG:4326", always_xy=True)
TO_XY = pyproj.Transformer.from_crs("EPSG:4326", LOCAL, always_xy=True)

PARAMS = {
    "june_front_dx": 0.0,
    "aug_shift": 10.0,
}


def ll(x, y):
    lon, lat = TO_LL.transform(x, y)
    return (round(lon, 6), round(lat, 6))


def xy(lon, lat):
    return TO_XY.transform(lon, lat)


def poly_ll(ext_xy, holes_xy=()):
    p = Polygon([ll(*q) for q in ext_xy], [[ll(*q) for q in h] for h in holes_xy])
    p = orient(p, 1.0)  # exterior CCW, holes CW
    assert p.is_valid, shapely.is_valid_reason(p)
    return p


def km2(geom):
    if geom.is_empty:
        return 0.0
    if geom.geom_type == "Polygon":
        return abs(GEOD.geometry_area_perimeter(orient(geom, 1.0))[0]) / 1e6
    return sum(km2(g) for g in getattr(geom, "geoms", []))


def blob(cx, cy, rx, ry, n, harmonics, seed, noise=0.04, rot=0.0):
    """Irregular closed outline (list of xy, CCW, not closed)."""
    rnd = random.Random(seed)
    pts = []
    for i in range(n):
        t = 2 * math.pi * i / n
        f = 1.0 + sum(a * math.sin(k * t + ph) for k, a, ph in harmonics)
        f *= 1.0 + rnd.uniform(-noise, noise)
        x, y = rx * f * math.cos(t), ry * f * math.sin(t)
        c, s = math.cos(rot), math.sin(rot)
        pts.append((cx + c * x - s * y, cy + s * x + c * y))
    return pts


# ---------------------------------------------------------------------------
# places: region, towns
# ---------------------------------------------------------------------------

def region_xy():
    return blob(12.0, -4.0, 37.0, 35.0, 44,
                [(2, 0.10, 0.6), (3, 0.07, 1.9), (5, 0.04, 0.3), (7, 0.025, 2.5)], seed=11,
                noise=0.035)


def city_xy():
    ext = blob(0.0, 0.0, 5.4, 1.85, 32, [(2, 0.06, 0.4), (3, 0.08, 1.1), (5, 0.03, 2.0)],
               seed=7, noise=0.05, rot=math.radians(8))
    lake = blob(1.3, 0.35, 0.55, 0.42, 12, [(3, 0.06, 0.2)], seed=3, noise=0.03,
                rot=math.radians(-20))
    return ext, lake


def village_xy():
    return blob(7.8, -9.6, 1.5, 1.1, 16, [(2, 0.05, 0.3), (3, 0.06, 1.0)], seed=5, noise=0.05,
                rot=math.radians(30))


# ---------------------------------------------------------------------------
# front lines (local km, north to south)
# ---------------------------------------------------------------------------

# June front control points: occupied lies east of the line.
JUNE_FRONT = [(48.0, 62.0), (40.0, 48.0), (33.0, 38.0), (27.0, 30.0), (22.0, 21.0),
              (17.5, 13.0), (13.5, 6.5), (11.5, 2.0), (11.2, -1.5), (12.0, -5.0),
              (12.5, -8.5), (10.5, -12.5), (7.0, -17.0), (4.0, -22.0), (0.0, -28.0),
              (-5.0, -34.0), (-10.0, -41.0), (-16.0, -49.0), (-21.0, -58.0), (-27.0, -70.0)]


def densify(pts, step, seed, jitter):
    rnd = random.Random(seed)
    out = []
    for (x0, y0), (x1, y1) in zip(pts[:-1], pts[1:]):
        d = math.hypot(x1 - x0, y1 - y0)
        n = max(1, int(round(d / step)))
        nx, ny = (y1 - y0) / d, -(x1 - x0) / d
        for k in range(n):
            t = k / n
            j = rnd.uniform(-jitter, jitter) if k else 0.0
            out.append((x0 + t * (x1 - x0) + j * nx, y0 + t * (y1 - y0) + j * ny))
    out.append(pts[-1])
    return out


def aug_front():
    s = PARAMS["aug_shift"]
    out = []
    for (x, y) in JUNE_FRONT:
        dx = -s * math.exp(-((y - 0.0) / 16.0) ** 2) - 1.5 * math.exp(-((y + 25.0) / 15.0) ** 2)
        out.append((x + dx, y))
    return out


def offset_polyline(pts, widths):
    """Points offset to the right (west, for a N->S line) by widths[i] (neg = east)."""
    out = []
    n = len(pts)
    for i, (x, y) in enumerate(pts):
        nx = ny = 0.0
        for a, b in ((i - 1, i), (i, i + 1)):
            if 0 <= a and b < n:
                (x0, y0), (x1, y1) = pts[a], pts[b]
                d = math.hypot(x1 - x0, y1 - y0)
                # right-hand normal of the segment direction
                nx += (y1 - y0) / d
                ny += -(x1 - x0) / d
        ln = math.hypot(nx, ny)
        nx, ny = nx / ln, ny / ln
        # pointing west? right-hand normal of a southward line points west: (-dy, dx) with dy<0
        out.append((x + widths[i] * nx, y + widths[i] * ny))
    return out


def width_profile(pts, base, near_city, overlap_spots, seed):
    rnd = random.Random(seed)
    west, east = [], []
    for (x, y) in pts:
        w = base + 1.2 * math.sin(y / 9.0) + rnd.uniform(-0.3, 0.3)
        wc = near_city
        g = math.exp(-(y / 7.0) ** 2)
        w = g * wc + (1 - g) * w
        west.append(max(2.0, min(6.0, w)))
        e = 0.0
        for (yc, half, amount) in overlap_spots:
            if abs(y - yc) < half:
                e = amount * (1 - abs(y - yc) / half)
        east.append(-e)  # negative = to the east (into occupied)
    return west, east


def snapshot_layers(front_ctrl, seed, grey_base, grey_near_city, overlaps):
    front = densify(front_ctrl, 2.2, seed, 0.35)
    # occupied: east of the front, closed far in the east (beyond the region)
    occ = front + [(95.0, -70.0), (95.0, 62.0)]
    west_w, east_w = width_profile(front, grey_base, grey_near_city, overlaps, seed + 1)
    west = offset_polyline(front, west_w)
    east = offset_polyline(front, east_w)
    grey = west + east[::-1]
    return front, occ, grey


# ---------------------------------------------------------------------------
# output helpers
# ---------------------------------------------------------------------------

def ring3(ring):
    return [[x, y, 0] for (x, y) in ring.coords]


def poly_coords3(p):
    return [ring3(p.exterior)] + [ring3(h) for h in p.interiors]


def poly_coords2(p):
    return [[list(c) for c in p.exterior.coords]] + [[list(c) for c in h.coords]
                                                      for h in p.interiors]


def dump_fc(path, obj_head, features, tail=""):
    """One feature per line; compact coordinates."""
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    body = ",\n".join(lines)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(obj_head + "\n" + body + "\n" + tail + "\n")


def write_fc(path, features):
    dump_fc(path, '{"type":"FeatureCollection","features":[', features, "]}")


STYLE = {
    "occupied": ("Окуповано /// Occupied /// geoJSON.status.occupied", "A52714", "55c21ec8",
                 "#a52714"),
    "unknown": ("Статус невідомий /// Unknown status /// geoJSON.status.unknown", "BCAAA4",
                "-14fcf160", "#bcaaa4"),
    "dismissed": ("Звільнено /// Liberated /// geoJSON.status.dismissed", "0F9D58", "-5650abb0",
                  "#0f9d58"),
    "ordlo": ("ОРДЛО /// CADR and CALR /// geoJSON.territories.ordlo", "880E4F", "-610e8f59",
              "#880e4f"),
}


def zone_feature(kind, poly, name=None):
    nm, code, hsh, fill = STYLE[kind]
    style = f"#poly-{code}-2000-77-nodesc"
    return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": poly_coords3(poly)},
            "properties": {
                "name": name if name is not None else nm,
                "styleUrl": style, "styleHash": hsh,
                "styleMapHash": {"normal": style + "-normal", "highlight": style + "-highlight"},
                "stroke-opacity": 1, "stroke": fill, "stroke-width": 2,
                "fill-opacity": 0.30196078431372547, "fill": fill}}


def marker(x, y, name, icon_desc, style="#icon-1899-0288D1", hsh="-77fd1820"):
    lon, lat = ll(x, y)
    props = {"name": name, "styleUrl": style, "styleHash": hsh,
             "styleMapHash": {"normal": style + "-normal", "highlight": style + "-highlight"},
             "description": icon_desc}
    if style == "#icon-ci-3":  # unit markers
        props.update({"icon-scale": 1.1, "icon": "images/icon-3.png", "label-scale": 0})
    else:
        props.update({"icon-scale": 1, "icon-offset": [32, 64], "icon": "images/icon-2.png",
                      "label-scale": 0})
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat, 0]},
            "properties": props}


ATTACK = "Напрямок удару /// Direction of attack /// geoJSON.status.attack_direction\n"


def build():
    region = poly_ll(region_xy())
    city_ext, lake = city_xy()
    city = poly_ll(city_ext, [lake])
    village = poly_ll(village_xy())

    # June
    j_front, j_occ, j_grey = snapshot_layers(
        [(x + PARAMS["june_front_dx"], y) for x, y in JUNE_FRONT], 101, 4.0, 6.0,
        [(22.0, 6.0, 0.5), (-20.0, 5.0, 0.4)])
    # August
    a_front, a_occ, a_grey = snapshot_layers(aug_front(), 202, 3.8, 2.2,
                                             [(30.0, 6.0, 0.5), (-1.0, 3.0, 0.25),
                                              (-30.0, 6.0, 0.6)])
    return region, city, village, (j_front, j_occ, j_grey), (a_front, a_occ, a_grey)


def ordlo_xy():
    return [(62.0, 60.0), (52.0, 50.0), (50.5, 38.0), (52.5, 27.0), (50.0, 16.0), (48.5, 5.0),
            (51.0, -6.0), (49.5, -18.0), (52.0, -30.0), (56.0, -42.0), (62.0, -55.0),
            (120.0, -55.0), (120.0, 60.0)]


def liberated_xy(seed, cx, cy, rx, ry):
    return blob(cx, cy, rx, ry, 14, [(2, 0.1, 0.2), (3, 0.08, 1.4)], seed=seed, noise=0.05)


def snapshot(date_id, dt_str, layers, extra_lib=None, bridgehead=None, markers=()):
    front, occ_xy, grey_xy = layers
    occ = poly_ll(occ_xy)
    grey = poly_ll(grey_xy)
    feats = [zone_feature("occupied", occ)]
    if bridgehead is not None:
        feats.append(zone_feature("occupied", poly_ll(bridgehead),
                                  name="Окуповано /// Occupied /// geoJSON.status.occupied\n"))
    feats.append(zone_feature("unknown", grey))
    feats.append(zone_feature("dismissed", poly_ll(liberated_xy(31, -20.0, -3.0, 7.0, 4.5))))
    if extra_lib is not None:
        nm = ("Звільнено 12.07 /// Liberated 12.07 /// "
              "geoJSON.status.dismissed_at {{at:12.07}}")
        feats.append(zone_feature("dismissed", poly_ll(extra_lib), name=nm))
    feats.append(zone_feature("ordlo", poly_ll(ordlo_xy())))
    feats.extend(markers)
    return {"id": date_id, "datetime": dt_str, "features": feats}


def write_snapshot(path, snap):
    head = ('{"id":%d,"datetime":"%s","map":{"type":"FeatureCollection","features":['
            % (snap["id"], snap["datetime"]))
    dump_fc(path, head, snap["features"], "]}}")


def main():
    region, city, village, june, aug = build()
    os.makedirs(os.path.join(OUT, "snapshots"), exist_ok=True)

    def place_feat(poly, props):
        return {"type": "Feature", "properties": props,
                "geometry": {"type": "Polygon", "coordinates": poly_coords2(poly)}}

    write_fc(os.path.join(OUT, "region.geojson"), [place_feat(region, {
        "name": "Demo Oblast", "name:en": "Demo Oblast", "name:uk": "Демо-область",
        "admin_level": "4"})])
    write_fc(os.path.join(OUT, "city.geojson"), [
        place_feat(city, {"name": "Demo City", "name:en": "Demo City", "name:uk": "Демо-місто",
                          "population": "60000"}),
        place_feat(village, {"name": "Demo Village", "name:en": "Demo Village",
                             "name:uk": "Демо-село", "population": "2500"})])

    june_markers = [
        marker(15.0, 1.0, ATTACK, "{icon=arrow_15}"),
        marker(14.0, -14.0, ATTACK, "{icon=arrow_14}"),
        marker(30.0, 38.0, ATTACK, "{icon=arrow_13}"),
        marker(26.0, -4.0, "Умовний підрозділ /// Notional unit /// geoJSON.units.demo.notional",
               "{icon=enemy}", style="#icon-ci-3", hsh="7c36a64e"),
    ]
    aug_markers = [
        marker(4.5, 1.5, ATTACK, "{icon=arrow_15}"),
        marker(6.0, -15.0, ATTACK, "{icon=arrow_14}"),
        marker(28.0, 36.0, ATTACK, "{icon=arrow_13}"),
        marker(20.0, -3.0, "Умовний підрозділ /// Notional unit /// geoJSON.units.demo.notional",
               "{icon=enemy}", style="#icon-ci-3", hsh="7c36a64e"),
        marker(-3.0, -27.0, ATTACK, "{icon=arrow_16}"),
    ]
    # August: a small occupied bridgehead poking into the grey zone, and a recently
    # liberated patch north-west of the city that partly overlaps the grey band
    bridge = blob(-4.5, -24.0, 1.8, 1.3, 10, [(2, 0.08, 0.5)], seed=41, noise=0.05)
    extra_lib = blob(7.0, 16.5, 2.6, 2.0, 12, [(2, 0.1, 0.9), (3, 0.05, 0.2)], seed=43,
                     noise=0.05)
    s6 = snapshot(1748768400, "2025-06-01T09:00:00Z", june, markers=june_markers)
    s8 = snapshot(1754038800, "2025-08-01T09:00:00Z", aug, extra_lib=extra_lib,
                  bridgehead=bridge, markers=aug_markers)
    write_snapshot(os.path.join(OUT, "snapshots", "deepstate_20250601.geojson"), s6)
    write_snapshot(os.path.join(OUT, "snapshots", "deepstate_20250801.geojson"), s8)

    # places (points)
    places = [
        ("Demo City", "Демо-місто", 60000, None),
        ("Demo Village", "Демо-село", 2500, None),
        ("Alderford", "Олдерфорд", 14200, (-9.0, 6.5)),
        ("Birchmoor", "Берчмур", 3100, (-24.0, -6.0)),
        ("Cedarholm", "Сідаргольм", 820, (-45.0, 12.0)),
        ("Dunmere", "Данмір", 1650, (9.0, 3.0)),
        ("Elmstead", "Елмстед", 5400, (19.5, 10.0)),
        ("Fernhill", "Фернгілл", 960, (3.5, -20.0)),
        ("Greywater", "Грейвотер", 21500, (30.0, -12.0)),
        ("Hollowmill", "Голловміл", 1200, (44.0, 20.0)),
        ("Ironbridge", "Айронбрідж", 38000, (62.0, -28.0)),
        ("Juniper Flats", "Джуніпер-Флетс", 640, (18.0, 32.0)),
        ("Kestrel Point", "Кестрел-Пойнт", 7300, (-14.0, -36.0)),
    ("Larkspur", "Ларкспур", 1900, (2.6, -8.0)),
    ]
    feats = []
    for name, uk, pop, at in places:
        if at is None:
            src = city if name == "Demo City" else village
            # centre of the outline (of its exterior, so a lake does not shift it)
            c = Polygon(src.exterior).centroid
            lon, lat = round(c.x, 6), round(c.y, 6)
        else:
            lon, lat = ll(*at)
        feats.append({"type": "Feature", "properties": {
            "name": name, "name:en": name, "name:uk": uk, "population": pop},
            "geometry": {"type": "Point", "coordinates": [lon, lat]}})
    write_fc(os.path.join(OUT, "places.geojson"), feats)


if __name__ == "__main__":
    main()
