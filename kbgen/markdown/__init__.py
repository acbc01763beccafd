"""Markdown rendering: one markdown-it-py set-up and one module per syntax extension."""
