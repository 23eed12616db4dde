"""Benchmarks: each figure is reported as a ratio to a limit measured in the same run."""
