"""The machinery behind ``benchmarks/run_all.py``: methods, cells, tables, plots."""
