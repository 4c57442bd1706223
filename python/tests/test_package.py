"""The package as shipped: docstring examples run, stubs cover the extension,
memory stays flat over many calls, the GIL is released during long work."""

from __future__ import annotations

import ast
import doctest
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import frontline
import frontline._frontline as ext
import frontline.errors

PACKAGE = Path(frontline.__file__).parent


@pytest.mark.parametrize("module", [frontline, frontline.errors])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_typing_files_ship():
    assert (PACKAGE / "py.typed").exists()
    stub = ast.parse((PACKAGE / "_frontline.pyi").read_text())
    declared = {}
    for node in stub.body:
        if isinstance(node, ast.ClassDef):
            declared[node.name] = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
        elif isinstance(node, ast.FunctionDef):
            declared[node.name] = None
    public = {n for n in dir(ext) if not n.startswith("_")}
    assert set(declared) == public
    for name, methods in declared.items():
        if methods is not None:
            have = {m for m in dir(getattr(ext, name)) if not m.startswith("_")}
            assert methods - {"__init__", "__len__"} == have, name


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    import resource

    return pages * resource.getpagesize() / 2**20


def test_no_memory_growth_over_1000_calls():
    snap = frontline.read_zones("data/snapshots/deepstate_20250801.geojson")
    places = frontline.read_places("data/city.geojson")
    lon, lat = np.random.default_rng(1).uniform([36.8, 47.8], [38.2, 48.8], (1000, 2)).T

    def work():
        snap.share(places)
        snap.status_at(lon, lat)
        try:
            snap.share(places, name="nowhere")
        except frontline.UnknownNameError:
            pass

    for _ in range(100):  # warm up: caches, allocator pools
        work()
    before = rss_mib()
    for _ in range(1000):
        work()
    grown = rss_mib() - before
    assert grown < 8, f"RSS grew by {grown:.1f} MiB over 1,000 calls"


def test_long_work_releases_the_gil():
    # One long call into the crate (a region of 2,000,000 vertices, whose geodesic
    # edge terms are computed with the GIL released): another Python thread keeps
    # running meanwhile. With the GIL held it could not tick at all.
    import shapely

    snap = frontline.read_zones("data/snapshots/deepstate_20250801.geojson")
    import numpy as np

    t = np.linspace(0.0, 2.0 * np.pi, 2_000_000)
    region = {"disc": shapely.Polygon(np.c_[37.4 + 0.5 * np.cos(t), 48.3 + 0.5 * np.sin(t)])}
    ticks = []
    started = threading.Event()
    stop = threading.Event()

    def tick():
        started.set()
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.0005)

    t = threading.Thread(target=tick)
    t.start()
    started.wait()
    try:
        ext_places = frontline._convert.places(region)[0]  # converted before timing
        start = time.perf_counter()
        snap._raw.share(ext_places, None)
        end = time.perf_counter()
    finally:
        stop.set()
        t.join()
    during = [x for x in ticks if start < x < end]
    assert end - start > 0.01, "the call was too short to tell"
    assert len(during) >= 3, f"{len(during)} ticks in {end - start:.3f} s"
