"""Built-in plugin: DMS rollout (e-files per organisational unit)."""
