#!/usr/bin/env python3
"""Runs the Python peer and `frontline series` (release build) on the same raw
weekly snapshots and Donetsk raions; checks that they agree and reports wall time
and peak memory of both (GNU time, `/usr/bin/time -v`).

Usage (from the repository root):
    python3 benches/peer/compare.py [--data ../shared/data] [--skip-build]

Agreement: for every snapshot and raion, occupied and contested km² within
0.05 % of each other, or within 0.001 km² (1,000 m², far below what a map line
can place) when the figure itself is that small.
"""

import argparse
import csv
import io
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import timed  # noqa: E402

REL, ABS = 0.0005, 0.001


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join("..", "shared", "data"))
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--out", default=os.path.join("target", "peer"))
    a = ap.parse_args()
    snapshots = os.path.join(a.data, "deepstate", "raw-weekly")
    raions = os.path.join(a.data, "admin", "donetsk", "raions.geojson")
    os.makedirs(a.out, exist_ok=True)
    if not a.skip_build:
        subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "frontline"], check=True)
    crate_csv, peer_csv = os.path.join(a.out, "crate.csv"), os.path.join(a.out, "peer.csv")
    crate = timed([os.path.join("target", "release", "frontline"), "series", snapshots,
                   "--regions", raions, "--format", "csv"], crate_csv)
    peer = timed([sys.executable, os.path.join("benches", "peer", "peer.py"), snapshots, raions], peer_csv)

    def rows(path):
        with open(path, encoding="utf-8") as fh:
            return {(r["date"], r["region"]): r for r in csv.DictReader(fh)}

    # Snapshots are told apart by date (the crate's CSV names each snapshot by its date).
    c, p = rows(crate_csv), rows(peer_csv)
    if set(c) != set(p):
        sys.exit(f"compare: different rows: only crate {sorted(set(c) - set(p))[:5]}, only peer {sorted(set(p) - set(c))[:5]}")
    worst, bad = 0.0, []
    for key in sorted(c):
        for col in ("occupied_km2", "contested_km2"):
            x, y = float(c[key][col]), float(p[key][col])
            diff = abs(x - y)
            if diff > ABS:
                worst = max(worst, diff / max(abs(x), abs(y)))
            if diff > max(ABS, REL * max(abs(x), abs(y))):
                bad.append((key, col, x, y))
    files = len({k[0] for k in c})
    print(f"inputs: {files} snapshots x {len(c) // max(files, 1)} raions ({len(c)} rows, 2 figures each)")
    print(f"agreement: {len(c) * 2 - len(bad)}/{len(c) * 2} figures within {REL * 100:.2f} % "
          f"(or {ABS} km²); largest relative difference {worst * 100:.5f} %")
    for key, col, x, y in bad[:10]:
        print(f"  DISAGREE {key} {col}: crate {x} peer {y}")
    print(f"{'':8}{'wall s':>9}{'cpu s':>9}{'peak MiB':>10}")
    for name, (wall, mib, cpu) in (("peer", peer), ("crate", crate)):
        print(f"{name:8}{wall:9.2f}{cpu:9.2f}{mib:10.1f}")
    print(f"ratio: crate is {peer[0] / crate[0]:.1f}x faster (wall), {peer[2] / crate[2]:.1f}x less CPU time, "
          f"{peer[1] / crate[1]:.1f}x less peak memory")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
