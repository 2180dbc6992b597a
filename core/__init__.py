"""Kommpass core: the tenant-scoped domain, the database layer and shared services.

Nothing in ``core`` imports ``web``: data flows one way (web → core/tenants/plugins).
"""
