"""The shared OZG/LeiKa catalogue: reference tables (no tenant), versions and per-entry changes.

The sync that fills these tables lives in ``core.catalog.sync``; sources (files, URLs, other
plugins) in ``core.catalog.sources``; read-only queries (browser, diff, gap analysis) in
``core.catalog.service``; the "executed by municipalities" rule in ``core.catalog.rules``.
"""
