"""The Litestar web application: controllers (HTML + htmx, JSON API), templates, login, CLI."""
