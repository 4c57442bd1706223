#!/usr/bin/env python3
"""The peer's job from Python: `frontline.Timeline(...).series(...)` beside the
GeoPandas peer (benches/peer/peer.py) in one run, on the same 175 raw weekly
snapshots and 8 Donetsk raions. Checks that the figures agree (as compare.py:
occupied and contested km² within 0.05 %, or 0.001 km²) and reports wall times,
the ratio, and what building the DataFrame adds to the crate's time.

Usage (from the repository root, with the package installed: pip install ./python):
    python3 benches/peer/python_compare.py [--data ../shared/data] [--runs 5] [--skip-peer]

The CLI (target/release/frontline, when built) is timed on the same job too.
"""

import argparse
import resource
import csv
import os
import statistics
import subprocess
import sys
import time

import frontline
from frontline import _series_frame

REL, ABS = 0.0005, 0.001


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join("..", "shared", "data"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--skip-peer", action="store_true")
    ap.add_argument("--out", default=os.path.join("target", "peer"))
    a = ap.parse_args()
    snapshots = os.path.join(a.data, "deepstate", "raw-weekly")
    raions = os.path.join(a.data, "admin", "donetsk", "raions.geojson")
    if not os.path.isdir(snapshots):
        sys.exit(f"python_compare: no snapshots at {snapshots}")
    os.makedirs(a.out, exist_ok=True)

    # The package: the crate's part (read, measure, columns) and the DataFrame's,
    # timed apart; the whole series call as a user makes it.
    rust, frame_s, whole, cpu = [], [], [], []
    for _ in range(a.runs):
        t0 = time.perf_counter()
        columns = frontline.Timeline(snapshots, progress=False)._series_columns(raions, None, None, None, None)
        t1 = time.perf_counter()
        series = _series_frame(columns)
        t2 = time.perf_counter()
        rust.append(t1 - t0)
        frame_s.append(t2 - t1)
        t3, c3 = time.perf_counter(), time.process_time()
        frontline.Timeline(snapshots, progress=False).series(raions)
        whole.append(time.perf_counter() - t3)
        cpu.append(time.process_time() - c3)  # every thread of the process

    # The CLI on the same job, when its release build is there: what the package
    # costs beyond the crate itself.
    cli = os.path.join("target", "release", "frontline")
    cli_wall = []
    if os.path.exists(cli):
        for _ in range(a.runs):
            t0 = time.perf_counter()
            subprocess.run([cli, "series", snapshots, "--regions", raions, "--format", "csv"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            cli_wall.append(time.perf_counter() - t0)

    peer_wall = None
    if not a.skip_peer:
        peer_csv = os.path.join(a.out, "peer.csv")
        t0 = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with open(peer_csv, "w", encoding="utf-8") as out:
            subprocess.run([sys.executable, os.path.join("benches", "peer", "peer.py"), snapshots, raions],
                           stdout=out, stderr=subprocess.DEVNULL, check=True)
        peer_wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        peer_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        with open(peer_csv, encoding="utf-8") as fh:
            peer = {(r["file"], r["region"]): r for r in csv.DictReader(fh)}
        wide = series[series.status.isin(["occupied", "contested"])].pivot_table(
            index=["file", "name"], columns="status", values="km2", observed=True)
        ours = {(os.path.basename(f), n): row for (f, n), row in wide.iterrows()}
        if set(ours) != set(peer):
            sys.exit(f"python_compare: different rows: {sorted(set(ours) ^ set(peer))[:5]}")
        bad, worst = [], 0.0
        for key, row in ours.items():
            for status in ("occupied", "contested"):
                x, y = float(row[status]), float(peer[key][f"{status}_km2"])
                diff = abs(x - y)
                if diff > ABS:
                    worst = max(worst, diff / max(abs(x), abs(y)))
                if diff > max(ABS, REL * max(abs(x), abs(y))):
                    bad.append((key, status, x, y))
        files = len({k[0] for k in ours})
        print(f"inputs: {files} snapshots x {len(ours) // max(files, 1)} raions ({len(ours)} rows, 2 figures each)")
        print(f"agreement: {len(ours) * 2 - len(bad)}/{len(ours) * 2} figures within {REL * 100:.2f} % "
              f"(or {ABS} km²); largest relative difference {worst * 100:.5f} %")
        for key, status, x, y in bad[:10]:
            print(f"  DISAGREE {key} {status}: package {x} peer {y}")
        if bad:
            return 1

    med = statistics.median
    print(f"package, {a.runs} runs (median, min-max):")
    print(f"  crate (read, measure, columns): {med(rust):.3f} s ({min(rust):.3f}-{max(rust):.3f})")
    print(f"  DataFrame ({len(series)} rows):   {med(frame_s) * 1000:.1f} ms ({min(frame_s) * 1000:.1f}-"
          f"{max(frame_s) * 1000:.1f}), {med(frame_s) / med(rust) * 100:.1f} % of the crate's time")
    print(f"  Timeline.series, whole call:    {med(whole):.3f} s ({min(whole):.3f}-{max(whole):.3f}), "
          f"CPU {med(cpu):.3f} s")
    if cli_wall:
        print(f"frontline series (CLI, release):  {med(cli_wall):.3f} s ({min(cli_wall):.3f}-{max(cli_wall):.3f})")
    if peer_wall is not None:
        print(f"peer (GeoPandas, one run):        {peer_wall:.2f} s, CPU {peer_cpu:.2f} s")
        print(f"ratio: the package is {peer_wall / med(whole):.1f}x faster than the peer (wall, median call), "
              f"{peer_cpu / med(cpu):.1f}x less CPU time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
