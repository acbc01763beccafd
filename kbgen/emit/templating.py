"""Jinja2 for the pages kbgen generates (home, quizzes, …), with autoescaping on.

Templates live in the top-level ``templates/`` folder (installed as
``kbgen.templates``); ``templates/generated/`` holds the generated pages'.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2


def templates_dir() -> Path:
    from importlib import resources

    try:
        return Path(str(resources.files("kbgen.templates")))
    except ModuleNotFoundError:  # a source tree that was not installed
        return Path(__file__).resolve().parents[2] / "templates"


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir() / "generated")),
        autoescape=True,  # everything a note's author wrote is escaped
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_template(name: str, **context: Any) -> str:
    return _environment().get_template(name).render(**context)
