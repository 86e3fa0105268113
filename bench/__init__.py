"""Benchmarks (not tests): `make bench` or `.venv/bin/python -m bench`. See docs/PERFORMANCE.md."""
