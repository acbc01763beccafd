"""Jinja2 templates: Material theme overrides (main.html, partials/) and generated pages.

Shipped inside the package as ``kbgen.templates`` (see pyproject.toml).
"""
