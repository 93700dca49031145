"""A realistic, deterministic Syria response scenario for demos, tests and benchmarks."""
