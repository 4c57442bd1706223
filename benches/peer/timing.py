"""Runs a command under GNU time (`/usr/bin/time -v`), its stdout to a file, for the
peer comparisons: wall seconds, peak resident memory (MiB), CPU seconds (user +
system). Exits with the command's stderr when it fails."""

import re
import subprocess
import sys


def timed(cmd, out_path):
    with open(out_path, "w", encoding="utf-8") as out:
        p = subprocess.run(["/usr/bin/time", "-v", *cmd], stdout=out, stderr=subprocess.PIPE, text=True)
    err = p.stderr
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{err[-3000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", err).group(1)
    secs = 0.0
    for part in wall.split(":"):
        secs = secs * 60 + float(part)
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
    user = float(re.search(r"User time \(seconds\): (\S+)", err).group(1))
    system = float(re.search(r"System time \(seconds\): (\S+)", err).group(1))
    return secs, rss_kb / 1024, user + system
