"""Shared fixtures: the repository's paths, the real data (skipped with a reason
when ../shared/data is absent) and the `frontline` command, whose JSON output
the package's results are compared with."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
SHARED = (REPO / ".." / "shared" / "data").resolve()


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch):
    # Docstrings and tests name the bundled samples relative to the repository.
    monkeypatch.chdir(REPO)


@pytest.fixture(scope="session")
def shared() -> Path:
    """The real data, or a skip saying why."""
    if not SHARED.is_dir():
        pytest.skip(f"real data not found at {SHARED} (../shared/data from the repository root)")
    return SHARED


@pytest.fixture(scope="session")
def cli() -> Path:
    """The `frontline` binary of this checkout (built if need be)."""
    if shutil.which("cargo") is None:
        pytest.skip("cargo not found: cannot build the frontline command to compare with")
    # `--workspace`, as the README's cargo commands: the same features of the
    # dependencies, so the binary `cargo test --workspace --test crs` built is
    # reused (without it, cargo built 41 packages again: 5 minutes of CI).
    built = subprocess.run(
        ["cargo", "build", "--quiet", "--workspace", "--bin", "frontline"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if built.returncode != 0:
        pytest.fail(f"cargo build --workspace --bin frontline failed:\n{built.stderr[-3000:]}")
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    return target / "debug" / "frontline"


def run_cli(cli: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([str(cli), *map(str, args)], cwd=REPO, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"frontline {' '.join(map(str, args))} failed:\n{done.stderr}")
    return done


def cli_json(cli: Path, *args: str):
    return json.loads(run_cli(cli, *args, "--format", "json").stdout)


def cli_error(cli: Path, *args: str) -> str:
    """The message the CLI prints for an error, without its prefix."""
    done = run_cli(cli, *args, check=False)
    assert done.returncode != 0, f"frontline {' '.join(args)} succeeded"
    lines = [l for l in done.stderr.splitlines() if l.startswith("frontline: error: ")]
    assert lines, done.stderr
    return done.stderr[done.stderr.index("frontline: error: ") + len("frontline: error: "):].rstrip("\n")


def pytest_terminal_summary(terminalreporter):
    """The closing summary of the whole test run (the README's command runs the
    Rust tests, then these): which Rust tests skipped, and why. Each skipping Rust
    test adds a line to target/tmp/skipped-tests.txt (tests/common/mod.rs, `skip`);
    the list is read, shown and cleared here, so the next run starts afresh."""
    log = REPO / "target" / "tmp" / "skipped-tests.txt"
    lines = sorted(set(log.read_text(encoding="utf-8").splitlines())) if log.is_file() else []
    terminalreporter.section("skipped Rust tests")
    if lines:
        terminalreporter.write_line(f"SKIPPED (Rust): {len(lines)} test(s) or parts skipped:")
        for line in lines:
            terminalreporter.write_line(f"  {line}")
    else:
        terminalreporter.write_line("SKIPPED (Rust): none")
    if log.is_file():
        log.unlink()
