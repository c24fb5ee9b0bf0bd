"""A fake Zalo for tests and benchmarks: the OA API on loopback, and residents who post signed events."""
