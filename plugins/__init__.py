"""The plugin layer: hook specifications, the plugin manager and the built-in plugins."""
