"""Tenants (municipalities), users, memberships and roles, and the tenant context of a request."""
