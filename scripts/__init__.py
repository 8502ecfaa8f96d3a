"""The `forum` command and benchmarks."""
