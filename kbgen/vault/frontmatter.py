"""YAML front matter: split it off, parse it with PyYAML, normalize the dialects.

Obsidian, Jekyll just-the-docs, Gatsby and velog exports all write front
matter a little differently (tags as a list, a string, ``#tag``, comma lists;
dates as dates or strings). Everything lands in one shape on the Note, and a
YAML error is reported at its line while the body still builds.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # the C loader is several times faster on large vaults
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _BaseLoader = yaml.SafeLoader


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loading, but an impossible date (``2023-02-30``) stays a string instead of raising."""


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)
_SCALARS = (str, int, float, _dt.date)

_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$")
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_TAG_SPLIT = re.compile(r"[,\s]+")


@dataclass
class FrontMatter:
    data: dict[str, Any]
    body: str
    body_offset: int  # number of lines before the body
    error: tuple[int, int, str] | None = None  # (1-based line, col, message)
    warnings: list[tuple[int, int, str]] = field(default_factory=list)


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Return (yaml text or None, body, number of lines before the body)."""
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0]):
        return None, text, 0
    for i in range(1, len(lines)):
        if _CLOSE.match(lines[i]):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 1
    return None, text, 0  # no closing fence: it was a thematic break, not front matter


def parse_front_matter(text: str) -> FrontMatter:
    raw, body, offset = split_front_matter(text)
    if raw is None:
        return FrontMatter({}, body, offset)
    try:
        data = yaml.load(raw, Loader=_Loader) if raw.strip() else {}
    except yaml.YAMLError as exc:
        mark = _error_mark(exc, raw)
        line = (mark.line + 2) if mark is not None else 1  # +1 for the opening fence, +1 to 1-based
        col = (mark.column + 1) if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return FrontMatter({}, body, offset, error=(line, col, f"invalid YAML front matter: {problem}"))
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return FrontMatter({}, body, offset, error=(2, 1, "front matter is not a mapping of keys to values"))
    return FrontMatter({str(k): v for k, v in data.items()}, body, offset)


def _error_mark(exc: yaml.YAMLError, raw: str):  # type: ignore[no-untyped-def]
    """Where to point the author: the problem, unless PyYAML only noticed it at the end.

    An unclosed ``[`` is detected at the end of the text; the line that opened
    it (the context) is the one to fix.
    """
    problem = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context_mark", None)
    if problem is not None and context is not None and problem.index >= len(raw.rstrip()):
        return context
    return problem or context


def as_text_list(value: Any) -> list[str]:
    """A list of strings from a YAML list, a string, a number or nothing."""
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        # Nested lists and mappings are not names (and may be alias bombs when printed).
        return [str(v).strip() for v in value if isinstance(v, _SCALARS) and str(v).strip()]
    text = str(value).strip() if isinstance(value, _SCALARS) else ""
    return [text] if text else []


def normalize_tags(value: Any) -> list[str]:
    """Tags from any dialect: list, ``"a, b"``, ``"#a #b"``; without ``#``; unique, in order."""
    raw: list[str] = []
    for item in as_text_list(value):
        raw.extend(_TAG_SPLIT.split(item) if not isinstance(value, list) else [item])
    tags: list[str] = []
    for tag in raw:
        tag = tag.strip().lstrip("#").strip().strip("/")
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def normalize_date(value: Any) -> _dt.date | None:
    """A date from a YAML date/datetime or a string like ``'2023-02-15 22:00:00'``."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        m = _DATE.match(value.strip())
        if m:
            try:
                return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
    return None


def as_bool(value: Any, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "yes", "on", "1"):
            return True
        if lowered in ("false", "no", "off", "0"):
            return False
    if value is None:
        return default
    return bool(value)
