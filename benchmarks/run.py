"""Run the benchmarks: `python benchmarks/run.py [--sizes ...]` (same as `creator-match bench`)."""

from recommender.bench import main

if __name__ == "__main__":
    raise SystemExit(main())
