"""Benchmarks: `python -m bench` (run by `make bench`, never by `make test`)."""
