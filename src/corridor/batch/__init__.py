"""Many scenarios at once: ``corridor batch`` on Dask (:mod:`corridor.batch.runner`)."""
