# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 05 · BI export and data quality
#
# Snapshots are Hive-partitioned Parquet with one explicit schema, so BI tools read the folder as
# one table without this package: DuckDB, Spark, Polars, Power BI and Tableau (through their
# Parquet or DuckDB connectors). This notebook writes snapshots, queries them with DuckDB SQL and
# checks the catalog's data quality.

# %%
import tempfile
from pathlib import Path

import duckdb

import nanogpt_frame as nf

SOURCE = "sample"  # <- switch to "live" for the live API
# the sample's date, so outputs do not change from run to run (live: the time received)
AS_OF = "2026-08-24T00:00:00Z" if SOURCE == "sample" else None

workdir = tempfile.TemporaryDirectory(prefix="nanogpt-bi-")  # removed at the end
root = Path(workdir.name)
for day in ("2026-08-01", "2026-08-02"):
    nf.write_snapshot(nf.load(SOURCE, snapshot_at=f"{day}T06:00:00Z"), root)
sorted(str(p.relative_to(root)) for p in root.rglob("*.parquet"))

# %% [markdown]
# ## Query the folder with DuckDB SQL
#
# `hive_partitioning=true` turns the folder names into a `snapshot_date` column (type `DATE`);
# `snapshot_at` arrives as `TIMESTAMP WITH TIME ZONE`.

# %%
glob = f"{root}/*/*.parquet"
duckdb.sql(f"""
    SELECT snapshot_date, source_endpoint, count(*) AS models,
           round(median(price_prompt), 3) AS median_prompt_usd_per_1m
    FROM read_parquet('{glob}', hive_partitioning = true)
    GROUP BY ALL ORDER BY ALL
""").df()

# %% [markdown]
# The cheapest vision models per provider, straight from SQL:

# %%
duckdb.sql(f"""
    SELECT owned_by, first(id ORDER BY price_completion, id) AS cheapest_vision_model,
           min(price_completion) AS completion_usd_per_1m
    FROM read_parquet('{glob}', hive_partitioning = true)
    WHERE source_endpoint = 'canonical' AND cap_vision
      AND snapshot_date = (SELECT max(snapshot_date)
                           FROM read_parquet('{glob}', hive_partitioning = true))
    GROUP BY owned_by ORDER BY completion_usd_per_1m, owned_by LIMIT 10
""").df()

# %% [markdown]
# ## Flat files for other tools
#
# CSV for spreadsheets; the Parquet snapshot itself for Power BI or Tableau.

# %%
catalog = nf.load(SOURCE, snapshot_at=AS_OF)
csv_path = root / "catalog.csv"
catalog.to_csv(csv_path, index=False)
f"{csv_path.stat().st_size / 1024:.0f} KiB CSV, {len(catalog)} rows"

# %% [markdown]
# ## Data quality
#
# `quality_report` lists one row per problem: unit slips, impossible limits, case-only id pairs,
# listing disagreements, unknown fields and more.

# %%
report = nf.quality_report(catalog)
report.groupby(["severity", "rule"], observed=True).size().rename("findings").to_frame()

# %%
report[report.severity != "info"].head(12)

# %%
counts = report.groupby("rule", observed=True).size().sort_values()
counts.index = counts.index.str.replace("_", " ")  # words on the axis, not rule ids
ax = counts.plot.barh(title="Data-quality findings in the catalog, by rule", figsize=(8, 4))
ax.set_xlabel("findings")
ax.set_ylabel("");

# %% [markdown]
# The snapshots above lived in a temporary folder; tidy it away.

# %%
workdir.cleanup()
