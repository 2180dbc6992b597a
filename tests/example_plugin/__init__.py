"""A small example plugin, used by the plugin tests and described in ``docs/plugins.md``."""
