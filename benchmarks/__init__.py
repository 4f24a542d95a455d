"""Benchmarks and synthetic data: figures, never pass/fail. Not installed with the package: run
them from a source checkout (`creator-match bench`, `python -m benchmarks.bench`)."""
