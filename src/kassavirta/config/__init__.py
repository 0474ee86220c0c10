"""How a run is configured: activation settings, `kassavirta.toml`, the run's policy."""
