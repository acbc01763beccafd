"""kbgen: publish a Markdown note vault as a navigable, searchable static site."""

__version__ = "0.1.0"
