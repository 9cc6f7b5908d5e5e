"""Tables: reading a user's file, the bundled datasets, declared graphs, and fits on tables.

:mod:`~lib.tables.read` reads CSV, TSV and Parquet safely and reports what it
found; :mod:`~lib.tables.datasets` offers the sample and real datasets;
:mod:`~lib.tables.setup` holds a table's roles and declared causal graph;
:mod:`~lib.tables.fit` scores the models on held-out rows.
"""
