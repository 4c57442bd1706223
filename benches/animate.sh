#!/usr/bin/env bash
# Benchmark of `frontline animate`: the 175 raw weekly snapshots of Donetsk oblast,
# one 1080x1080 frame each, as a GIF (target: 30 s on 2 cores). Prints the wall
# time and the CPU time (user + system): on a busy machine, CPU time / cores is
# the better guess of the wall time on an idle one.
#
#   benches/animate.sh [extra animate options, e.g. --front or -o out.webp]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${FRONTLINE_DATA:-../shared/data}
if [ ! -d "$data/deepstate/raw-weekly" ]; then
  echo "skipped: $data/deepstate/raw-weekly is absent"
  exit 0
fi
cargo build --release --quiet --bin frontline
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
TIMEFORMAT='wall %R s, cpu %U s user + %S s system'
time target/release/frontline animate "$data/deepstate/raw-weekly" \
  --aoi "$data/admin/donetsk/oblast.geojson" -o "$out/donetsk.gif" "$@"
ls -l "$out"
echo "cores: $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)"
