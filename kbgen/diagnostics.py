"""Problems found in a vault, reported as ``path:line:col: severity: message [code]``.

Every stage reports through a :class:`Reporter` bound to one note, so that a
syntax plugin only knows token line numbers and never the file layout.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Iterable, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str  # relative to the notes folder, with forward slashes
    line: int  # 1-based
    col: int  # 1-based, in characters
    severity: Severity
    code: str
    message: str

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message} [{self.code}]"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Reporter:
    """Collects the diagnostics of one note.

    ``body_offset`` is the number of source lines before the Markdown body (the
    front matter), so rules can pass markdown-it's 0-based ``token.map[0]``.
    """

    path: str
    body_offset: int = 0
    items: list[Diagnostic] = field(default_factory=list)

    def report(self, severity: Severity, code: str, message: str, *, line: int, col: int = 1) -> None:
        """Record a problem at a 1-based *file* line."""
        self.items.append(Diagnostic(self.path, max(1, line), max(1, col), severity, code, message))

    def error(self, code: str, message: str, *, body_line: int = 0, col: int = 1) -> None:
        """Record an error at a 0-based line of the Markdown body (``token.map[0]``)."""
        self.report("error", code, message, line=self.body_offset + body_line + 1, col=col)

    def warning(self, code: str, message: str, *, body_line: int = 0, col: int = 1) -> None:
        """Record a warning at a 0-based line of the Markdown body (``token.map[0]``)."""
        self.report("warning", code, message, line=self.body_offset + body_line + 1, col=col)


def sort_diagnostics(items: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(set(items))


def count(items: Iterable[Diagnostic], severity: Severity) -> int:
    return sum(1 for d in items if d.severity == severity)


def format_text(items: Iterable[Diagnostic]) -> str:
    return "\n".join(d.format() for d in items)


def format_json(items: Iterable[Diagnostic]) -> str:
    return json.dumps([d.to_dict() for d in items], ensure_ascii=False, indent=2)
