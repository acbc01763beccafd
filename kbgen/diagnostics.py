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


# A note with 10,000 broken links would print 10,000 lines saying one thing: of each code, the
# first REPORTED_PER_CODE problems of a note are reported where they are, the rest as one summary
# at the first one left out ("and N more …"), with the same code and the worst severity.
REPORTED_PER_CODE = 20
SUMMARY_NOUNS = {"broken-link": "unresolved links", "ambiguous-link": "ambiguous links",
                 "embed-cycle": "embeds that lead back to themselves"}


@dataclass
class Reporter:
    """Collects the diagnostics of one note.

    ``body_offset`` is the number of source lines before the Markdown body (the
    front matter), so rules can pass markdown-it's 0-based ``token.map[0]``.
    """

    path: str
    body_offset: int = 0
    items: list[Diagnostic] = field(default_factory=list)
    _seen: set[Diagnostic] = field(default_factory=set, repr=False)
    _counts: dict[str, int] = field(default_factory=dict, repr=False)
    _summaries: dict[str, int] = field(default_factory=dict, repr=False)  # code → index of its summary

    def report(self, severity: Severity, code: str, message: str, *, line: int, col: int = 1) -> None:
        """Record a problem at a 1-based *file* line."""
        item = Diagnostic(self.path, max(1, line), max(1, col), severity, code, message)
        if item in self._seen:  # the same problem met again (a second pass over a token)
            return
        self._seen.add(item)
        n = self._counts[code] = self._counts.get(code, 0) + 1
        if n <= REPORTED_PER_CODE:
            self.items.append(item)
            return
        at = self._summaries.get(code)
        if at is None:
            at = self._summaries[code] = len(self.items)
            self.items.append(item)
        first = self.items[at]
        worst: Severity = "error" if "error" in (severity, first.severity) else "warning"
        noun = SUMMARY_NOUNS.get(code, f"problems of this kind ({code})")
        self.items[at] = Diagnostic(self.path, first.line, first.col, worst, code,
                                    f"and {n - REPORTED_PER_CODE} more {noun} in this note")

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
