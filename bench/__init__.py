"""Benchmarks that print figures (`python -m bench.<name>`); not tests, never asserted on."""
