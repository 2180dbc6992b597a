"""Package data (so that wheels include these files)."""
