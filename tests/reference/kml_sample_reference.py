"""Independent reference for data/mymaps_sample.kml (tests/kml.rs): the status of
each placemark from its style's fill colour and its geodesic area, in plain Python
(xml.etree to read the KML, pyproj's Geod for the WGS84 areas); no code shared with
the Rust crate.

Styles are resolved as KML says: a placemark's styleUrl names a Style or a
StyleMap, whose `normal` pair names the Style; PolyStyle's colour is aabbggrr.
The status of a fill colour follows DeepStateMap's colours (README, "How DeepState
polygons are classified", rule 3). A polygon's area is its outer ring's minus its
holes'; a MultiGeometry's is the sum of its polygons'.

Run from the repository root: python3 tests/reference/kml_sample_reference.py
(writes tests/reference/kml_sample_reference.json).
"""
import json
import xml.etree.ElementTree as ET

from pyproj import Geod

NS = {"k": "http://www.opengis.net/kml/2.2"}
GEOD = Geod(ellps="WGS84")
FILLS = {
    "#a52714": "occupied",
    "#bcaaa4": "contested",
    "#0f9d58": "liberated",
}


def ring_area(ring):
    text = ring.find("k:coordinates", NS).text
    lons, lats = [], []
    for tuple_ in text.split():
        lon, lat = tuple_.split(",")[:2]
        lons.append(float(lon))
        lats.append(float(lat))
    area, _ = GEOD.polygon_area_perimeter(lons, lats)
    return abs(area) / 1e6


def polygon_area(polygon):
    outer = polygon.find("k:outerBoundaryIs/k:LinearRing", NS)
    holes = polygon.findall("k:innerBoundaryIs/k:LinearRing", NS)
    return ring_area(outer) - sum(ring_area(h) for h in holes)


def main():
    root = ET.parse("data/mymaps_sample.kml").getroot()
    styles = {}
    for style in root.iter("{%s}Style" % NS["k"]):
        color = style.find("k:PolyStyle/k:color", NS)
        if color is not None:
            abgr = color.text.strip().lower()
            styles["#" + style.get("id")] = "#" + abgr[6:8] + abgr[4:6] + abgr[2:4]
    maps = {}
    for style_map in root.iter("{%s}StyleMap" % NS["k"]):
        for pair in style_map.findall("k:Pair", NS):
            if pair.find("k:key", NS).text.strip() == "normal":
                maps["#" + style_map.get("id")] = pair.find("k:styleUrl", NS).text.strip()
    totals = {}
    placemarks = []
    for placemark in root.iter("{%s}Placemark" % NS["k"]):
        name = placemark.find("k:name", NS).text
        url = placemark.find("k:styleUrl", NS).text.strip()
        fill = styles.get(maps.get(url, url))
        polygons = list(placemark.iter("{%s}Polygon" % NS["k"]))
        if not polygons:
            placemarks.append({"name": name, "fill": fill, "status": None, "km2": None})
            continue
        status = FILLS[fill]
        km2 = sum(polygon_area(p) for p in polygons)
        totals[status] = totals.get(status, 0.0) + km2
        placemarks.append({"name": name, "fill": fill, "status": status, "km2": km2})
    out = {"file": "data/mymaps_sample.kml", "placemarks": placemarks, "totals_km2": totals}
    with open("tests/reference/kml_sample_reference.json", "w") as f:
        json.dump(out, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
