"""Batch runs on Dask (``corridor batch``): a spec of scenarios x movers x plans over their dates
and samples (:mod:`corridor.batch.spec`), run as Dask tasks into Parquet
(:mod:`corridor.batch.runner`). Dask and pyarrow load only when a batch runs."""
