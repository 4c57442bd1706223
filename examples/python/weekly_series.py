# %% [markdown]
# # Weekly occupied and grey-zone share of the Donetsk raions
#
# The job of the GeoPandas peer in `benches/peer/peer.py` (175 weekly DeepStateMap
# snapshots, 2022-2025, the 8 raions of Donetsk oblast: occupied and contested km²
# per snapshot), in a few lines with the `frontline` package. Run it as a script
# from the repository root (`python3 examples/python/weekly_series.py [DATA]`) or
# cell by cell in a notebook (`# %%` cells: VS Code, Jupytext, Spyder).
#
# Install first: `pip install ./python` (needs the Rust toolchain).

# %%
import sys
from pathlib import Path

import frontline

data = Path(sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else "../shared/data")
snapshots = data / "deepstate" / "raw-weekly"
raions = data / "admin" / "donetsk" / "raions.geojson"
if not snapshots.is_dir():
    # The bundled samples stand in (illustrative, not real boundaries).
    snapshots, raions = Path("data/snapshots"), Path("data/city.geojson")

# %% [markdown]
# One call: every snapshot, every raion, every status, in long form (date, id,
# name, status, km², %). Only the zones near the raions are read.

# %%
series = frontline.Timeline(snapshots).series(raions)
series.head(12)

# %% [markdown]
# The peer's table: occupied and contested km² per snapshot and raion.

# %%
weekly = (
    series[series.status.isin(["occupied", "contested"])]
    .pivot_table(index=["date", "name"], columns="status", values="km2", observed=True)
    .rename(columns=lambda s: f"{s}_km2")
    .reset_index()
)
weekly.tail(8)

# %% [markdown]
# The oblast's occupied share over time, week by week (sum of the raions).

# %%
parts = ["occupied_since_2014", "occupied_since_2022"]  # inside occupied: not added
area = series[~series.status.isin(parts)].groupby("date")["km2"].sum()  # the raions' area
oblast = weekly.groupby("date")["occupied_km2"].sum() / area * 100
print(f"{len(weekly)} rows ({weekly.date.nunique()} snapshots x {weekly.name.nunique()} raions)")
print(f"occupied share of the raions: {oblast.iloc[0]:.1f} % on {oblast.index[0]:%Y-%m-%d}, "
      f"{oblast.iloc[-1]:.1f} % on {oblast.index[-1]:%Y-%m-%d}")

# %%
if "ipykernel" in sys.modules:  # in a notebook: a chart (pandas' matplotlib)
    oblast.plot(title="Occupied share of the Donetsk raions (%)")
