"""Hook implementations of the identity area (the code lives in ``tenants/``)."""
