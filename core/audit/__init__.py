"""Audit trail: security events and the change history (who, when, old → new)."""
