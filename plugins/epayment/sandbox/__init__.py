"""The local sandbox payment provider: an HTTP server of its own plus the adapter talking to it."""
