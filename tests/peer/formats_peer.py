"""Peer for tests/formats.rs: GeoPandas reads a file (any format frontline writes)
or writes one (the peer files frontline must read).

  formats_peer.py read FILE           -> JSON: count, columns, crs (EPSG code), and per
                                         feature its properties and geodesic area (km²,
                                         pyproj Geod WGS84, after reprojection to 4326)
  formats_peer.py write IN OUT        -> GeoPandas writes IN to OUT (by extension:
                                         .parquet via to_parquet, else to_file)
  formats_peer.py plain-parquet OUT   -> a Parquet file without GeoParquet metadata (pyarrow)
"""
import json
import sys

import geopandas as gpd
from pyproj import Geod

GEOD = Geod(ellps="WGS84")


def read(path):
    if path.endswith((".parquet", ".geoparquet")):
        df = gpd.read_parquet(path)
    else:
        df = gpd.read_file(path)
    epsg = df.crs.to_epsg() if df.crs is not None else None
    lonlat = df if df.crs is None or df.crs.is_geographic else df.to_crs(4326)
    rows = []
    for (_, row), geom in zip(df.iterrows(), lonlat.geometry):
        props = {}
        for k, v in row.items():
            if k == df.geometry.name:
                continue
            if hasattr(v, "item"):
                v = v.item()
            if isinstance(v, float) and v != v:
                v = None
            props[k] = v
        area = abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6 if geom is not None else None
        rows.append({"properties": props, "area_km2": area, "type": geom.geom_type if geom is not None else None})
    print(json.dumps({
        "count": len(df),
        "columns": [c for c in df.columns if c != df.geometry.name],
        "epsg": epsg,
        "crs": df.crs.to_string() if df.crs is not None else None,
        "features": rows,
    }, default=str))


def write(src, out):
    df = gpd.read_file(src)
    if out.endswith(".parquet"):
        df.to_parquet(out)
    else:
        df.to_file(out)


def plain_parquet(out):
    import pyarrow as pa
    import pyarrow.parquet as pq
    pq.write_table(pa.table({"name": ["a", "b"], "value": [1.0, 2.0]}), out)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "read":
        read(sys.argv[2])
    elif cmd == "write":
        write(sys.argv[2], sys.argv[3])
    elif cmd == "plain-parquet":
        plain_parquet(sys.argv[2])
