"""Litestar app: HTML pages (Jinja2 + htmx) and the JSON API under /api/v1."""
