"""Controllers of the core areas; each module exports ``ROUTES``."""
