"""From bytes to decided results: read, walk, evaluate, in-run duplicates, batch, Dask."""
