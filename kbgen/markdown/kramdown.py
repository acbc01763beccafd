"""kramdown inline attribute lists (Jekyll, just-the-docs): ``{: .class #id key="value" }``.

Block attribute lists stand on a line of their own::

    # Title                 directly after a block (no blank line):
    {: .fs-8 }              applies to that block

    2.2 딥러닝 문제/이슈     the last line of a paragraph:
    {: .label .label-yellow }   applies to the paragraph

    {: .highlight }         directly before a block: applies to the next block
    > quote

    1. TOC                  ``{:toc}`` after a list replaces the list with the
    {:toc}                  note's table of contents (``.no_toc`` headings left out)

A header id may end a heading (``## Setup {#setup}``), a span list may follow an
inline element (``[Go](url){: .btn }``, ``**x**{: .label }``), and attribute
list definitions (``{:name: .class}``) may be referenced by name. Extension
lines such as ``{::options … /}`` are dropped. Whatever cannot be applied is
dropped with a warning: kramdown syntax is never shown as text. An author's
id wins over a generated heading id; a clash is reported and made unique.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from .headings import inline_text, slugify
from .toc_block import render_toc

_IAL_LINE = re.compile(r"^\{:(?![:/])(?P<body>[^{}]*)\}$")
_ALD_LINE = re.compile(r"^\{:(?P<name>\w[\w-]*):(?P<body>[^{}]*)\}$")
_EXTENSION_LINE = re.compile(r"^\{::?/?[A-Za-z][^{}]*\}$")
_HEADING_SUFFIX = re.compile(r"[ \t]*(?:\{#(?P<id>[A-Za-z][\w:.-]*)\}|\{:(?![:/])(?P<body>[^{}]*)\})[ \t]*$")
_SPAN_IAL = re.compile(r"\{:(?![:/])(?P<body>[^{}\n]*)\}")
_PART = re.compile(
    r"""(?:
      \.(?P<cls>[^\s.#{}"'=]+)
    | \#(?P<id>[^\s.#{}"'=]+)
    | (?P<key>[^\s.#{}"'=]+)=(?:"(?P<dq>(?:\\.|[^"\\])*)"|'(?P<sq>(?:\\.|[^'\\])*)'|(?P<bare>[^\s"'{}]+))
    | (?P<ref>[^\s.#{}"'=]+)
    )""",
    re.X,
)
_ATTR_NAME = re.compile(r"^[A-Za-z_:][-A-Za-z0-9_:.]*$")
_QUOTE_PREFIX = re.compile(r"[ \t]*>[ \t]?")
_ID_LINE = "kramdown_id_line"  # token.meta key: the body line whose attribute list set this id
# env keys that tell the after-inline pass whether it has anything to do
_HAS_SPANS, _HAS_IDS = "_kramdown_spans", "_kramdown_ids"


@dataclass
class AttributeList:
    """What one ``{: … }`` says: classes, an id, other attributes, references."""

    classes: list[str] = field(default_factory=list)
    id: str | None = None
    attrs: list[tuple[str, str]] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # why some attributes are not applied

    def merged(self, other: "AttributeList") -> "AttributeList":
        return AttributeList(self.classes + other.classes, other.id or self.id, self.attrs + other.attrs,
                             self.refs + other.refs, self.rejected + other.rejected)


def parse_attribute_list(body: str) -> AttributeList | None:
    """Parse the inside of ``{: … }``; None when it is not a valid attribute list."""
    result = AttributeList()
    pos, end = 0, len(body)
    while True:
        while pos < end and body[pos].isspace():
            pos += 1
        if pos >= end:
            return result
        m = _PART.match(body, pos)
        if not m or (m.end() < end and not body[m.end()].isspace()):
            return None  # e.g. `key="a"b` or a stray quote
        pos = m.end()
        if m["cls"]:
            result.classes.append(m["cls"])
        elif m["id"]:
            result.id = m["id"]
        elif m["key"]:
            value = next(v for v in (m["dq"], m["sq"], m["bare"]) if v is not None)
            _add_attribute(result, m["key"], re.sub(r"\\(.)", r"\1", value))
        else:
            result.refs.append(m["ref"])


def _add_attribute(result: AttributeList, key: str, value: str) -> None:
    lowered = key.lower()
    if not _ATTR_NAME.match(key):
        result.rejected.append(f"{key!r} is not an attribute name")
    elif lowered.startswith("on"):
        # Event handlers would run script from what reads as a styling hint.
        result.rejected.append(f"event handler {key!r} is not applied")
    elif lowered == "class":
        result.classes.extend(value.split())
    elif lowered == "id":
        result.id = value.strip() or None
    else:
        result.attrs.append((key, value))


def _classify(line: str) -> tuple[str, AttributeList | None]:
    """("text" | "ial" | "definition" | "extension", the attribute list of an "ial" line)."""
    stripped = line.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")):
        return "text", None
    if _ALD_LINE.match(stripped):
        return "definition", None
    m = _IAL_LINE.match(stripped)
    if m:
        return "ial", parse_attribute_list(m["body"])
    return ("extension" if _EXTENSION_LINE.match(stripped) else "text"), None


# --- block attribute lists: a core rule between block parsing and inline parsing ---


class _BlockPass:
    """One note's block attribute lists: definitions, tokens to drop, warnings."""

    def __init__(self, state: StateCore):
        self.tokens = state.tokens
        self.env = state.env
        self.report = state.env.get("report")
        self.lines = state.src.split("\n")
        self.dropped: set[int] = set()
        self.definitions: dict[str, AttributeList] = {}
        # References may come before their definition, so definitions are read first.
        for token in self.tokens:
            if token.type == "inline" and "{:" in token.content:
                for text in token.content.split("\n"):
                    m = _ALD_LINE.match(text.strip())
                    parsed = parse_attribute_list(m["body"]) if m else None
                    if m and parsed is not None:
                        self.definitions[m["name"]] = parsed

    def warn(self, message: str, line: int) -> None:
        if self.report is not None:
            text = self.lines[line] if 0 <= line < len(self.lines) else ""
            self.report.warning("kramdown", message, body_line=line, col=text.find("{") + 1 if "{" in text else 1)

    def run(self) -> None:
        for i, token in enumerate(self.tokens):
            if i in self.dropped:
                continue
            if token.type == "paragraph_open":
                self.paragraph(i)
            elif token.type == "heading_open":
                self.heading_suffix(i)
            elif token.type == "table_open":
                self.table_last_row(i)
        if self.dropped:
            self.tokens[:] = [t for i, t in enumerate(self.tokens) if i not in self.dropped]

    def paragraph(self, i: int) -> None:
        para, inline = self.tokens[i], self.tokens[i + 1]
        if "{" not in inline.content:
            return
        first = para.map[0] if para.map else 0
        lines = inline.content.split("\n")
        kinds = [_classify(text) for text in lines]
        text_rows = [n for n, (kind, _) in enumerate(kinds) if kind == "text"]
        if len(text_rows) == len(lines):
            return
        if not text_rows:
            self.standalone(i, [(first + n, ial) for n, (kind, ial) in enumerate(kinds) if kind == "ial"])
            self.dropped.update((i, i + 1, i + 2))
            return
        for n, (kind, ial) in enumerate(kinds):
            if kind != "ial" or not self.readable(ial, first + n):
                continue
            target = None
            if n < text_rows[0]:  # directly after a block, it is that block's (kramdown's precedence)
                target = self.previous_block(i, first)
            elif n > text_rows[-1]:
                target = self.trailing_target(i, first + n)
            self.apply(target or self.visible(i), ial, first + n)
        inline.content = "\n".join(lines[n] for n in text_rows)

    def readable(self, ial: AttributeList | None, line: int) -> bool:
        if ial is None:
            self.warn(f"cannot read the attribute list {self.lines[line].strip()!r}; it was dropped", line)
        return ial is not None

    def standalone(self, i: int, ials: list[tuple[int, AttributeList | None]]) -> None:
        """A paragraph of attribute lists only: for the block before it, else the one after."""
        start, end = self.tokens[i].map or (0, 0)
        target = self.previous_block(i, start) or self.next_block(i + 3, end)
        for line, ial in ials:
            if not self.readable(ial, line):
                continue
            if target is None:
                self.warn(f"the attribute list {self.lines[line].strip()!r} is not next to an element that can "
                          "carry it; it was dropped", line)
            else:
                self.apply(target, ial, line)

    def previous_block(self, i: int, start_line: int) -> Token | None:
        j = i - 1
        while j in self.dropped:
            j -= 1
        if j < 0 or self.tokens[j].nesting == 1:
            return None  # first in its container
        if self.tokens[j].nesting == -1:
            level = self.tokens[j].level
            while j >= 0 and not (self.tokens[j].nesting == 1 and self.tokens[j].level == level):
                j -= 1
        opener = self.tokens[j] if j >= 0 else None
        if opener is not None and opener.map and opener.map[1] == start_line and _takes_attributes(opener):
            return opener
        return None

    def next_block(self, j: int, end_line: int) -> Token | None:
        while j in self.dropped:
            j += 1
        token = self.tokens[j] if j < len(self.tokens) else None
        if token is not None and token.nesting != -1 and token.map and token.map[0] == end_line \
                and _takes_attributes(token):
            return token
        return None

    def visible(self, i: int) -> Token:
        """The paragraph, or its list item when a tight list hides the ``<p>``."""
        para = self.tokens[i]
        ancestors = _ancestors(self.tokens, i)
        return ancestors[0] if para.hidden and ancestors else para

    def trailing_target(self, i: int, line: int) -> Token:
        """Where an attribute list on the last line of a paragraph belongs.

        Written outside a list item or quote (a lazy continuation line, as in
        ``1. TOC`` / ``{:toc}``), it closes that container and applies to it;
        written inside, it applies to the paragraph.
        """
        ancestors = _ancestors(self.tokens, i)
        quotes, indent = _line_prefix(self.lines[line])
        for n in range(len(ancestors) - 1, -1, -1):  # outermost first
            container = ancestors[n]
            if container.map is None or any(t.strip() for t in self.lines[line + 1 : container.map[1]]):
                continue  # the container goes on after this line
            if container.markup == ">" and quotes < sum(1 for t in ancestors[n:] if t.markup == ">"):
                return container
            if container.type == "list_item_open" and n + 1 < len(ancestors):
                marker_quotes, marker_indent = _line_prefix(self.lines[container.map[0]])
                if quotes < marker_quotes or (quotes == marker_quotes and indent <= marker_indent):
                    return ancestors[n + 1]
        return self.visible(i)

    def heading_suffix(self, i: int) -> None:
        inline = self.tokens[i + 1]
        m = _HEADING_SUFFIX.search(inline.content) if "{" in inline.content else None
        ial = (AttributeList(id=m["id"]) if m["id"] else parse_attribute_list(m["body"])) if m else None
        if m and ial is not None:
            inline.content = inline.content[: m.start()]
            self.apply(self.tokens[i], ial, self.tokens[i].map[0] if self.tokens[i].map else 0)

    def table_last_row(self, i: int) -> None:
        """A GFM table takes the line after it as one more row; an attribute list there is the table's."""
        close = i + 1
        while self.tokens[close].type != "table_close":
            close += 1
        if self.tokens[close - 1].type != "tbody_close":
            return
        row_open = close - 2
        while self.tokens[row_open].type != "tr_open":
            row_open -= 1
        cells = [t.content.strip() for t in self.tokens[row_open : close - 1] if t.type == "inline"]
        kind, ial = _classify(cells[0]) if cells and not any(cells[1:]) else ("text", None)
        if kind == "text":
            return
        self.dropped.update(range(row_open, close - 1))
        if self.tokens[row_open - 1].type == "tbody_open":  # the list was the only row
            self.dropped.update((row_open - 1, close - 1))
        line = self.tokens[row_open].map[0] if self.tokens[row_open].map else 0
        if kind == "ial" and self.readable(ial, line):
            self.apply(self.tokens[i], ial, line)

    def apply(self, token: Token, ial: AttributeList, line: int) -> None:
        for reason in ial.rejected:
            self.warn(f"attribute list: {reason}", line)
        for ref in ial.refs:
            if ref in self.definitions:
                ial = ial.merged(self.definitions[ref])
            elif ref == "toc":
                self.make_toc(token, line)
            else:
                self.warn(f"attribute list refers to {ref!r}, which no {{:{ref}: …}} defines; ignored", line)
        _set_attributes(token, ial, line, self.env)

    def make_toc(self, token: Token, line: int) -> None:
        if token.type not in ("bullet_list_open", "ordered_list_open"):
            self.warn("{:toc} only replaces a list (as in `* TOC` / `{:toc}`); ignored", line)
            return
        start = end = next(n for n, t in enumerate(self.tokens) if t is token)  # tokens compare by value
        while not (self.tokens[end].nesting == -1 and self.tokens[end].level == token.level):
            end += 1
        self.dropped.update(range(start + 1, end + 1))
        token.type, token.tag, token.nesting, token.attrs = "kramdown_toc", "nav", 0, {}


def _takes_attributes(token: Token) -> bool:
    # Fences, math and raw HTML are rendered by rules that ignore token attributes.
    return (token.nesting == 1 and bool(token.tag) and not token.hidden) or token.type == "hr"


def _set_attributes(token: Token, ial: AttributeList, line: int, env: EnvType) -> None:
    for name in ial.classes:
        token.attrJoin("class", name)
    for key, value in ial.attrs:
        token.attrSet(key, value)
    if ial.id:
        token.attrSet("id", ial.id)
        token.meta[_ID_LINE] = line
        env[_HAS_IDS] = True


def _ancestors(tokens: list[Token], i: int) -> list[Token]:
    """The blocks enclosing token ``i``, innermost first."""
    found: list[Token] = []
    level = tokens[i].level
    for j in range(i - 1, -1, -1):
        if level == 0:
            break
        if tokens[j].nesting == 1 and tokens[j].level < level:
            found.append(tokens[j])
            level = tokens[j].level
    return found


def _line_prefix(text: str) -> tuple[int, int]:
    """(number of ``>`` quote markers, indentation after them) of a source line."""
    quotes, pos = 0, 0
    while m := _QUOTE_PREFIX.match(text, pos):
        quotes, pos = quotes + 1, m.end()
    rest = text[pos:]
    return quotes, len(rest) - len(rest.lstrip(" \t"))


def _block_attributes(state: StateCore) -> None:
    if "{:" in state.src or "{#" in state.src:
        _BlockPass(state).run()


def _render_toc(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    hidden = {t.attrGet("id") for t in tokens
              if t.type == "heading_open" and "no_toc" in str(t.attrGet("class") or "").split()}
    return render_toc([h for h in env.get("headings", []) if h.id not in hidden])


# --- span attribute lists: an inline rule, then a core rule once emphasis is resolved ---


def _span_ial(state: StateInline, silent: bool) -> bool:
    m = _SPAN_IAL.match(state.src, state.pos, state.posMax) if state.src.startswith("{:", state.pos) else None
    parsed = parse_attribute_list(m["body"]) if m else None
    if parsed is None:
        return False
    if not silent:
        token = state.push("kramdown_span_ial", "", 0)
        token.meta = {"attributes": parsed, "text": m.group(0)}
        state.env[_HAS_SPANS] = True
    state.pos = m.end()
    return True


def _attach_spans_and_settle_ids(state: StateCore) -> None:
    if not (state.env.get(_HAS_SPANS) or state.env.get(_HAS_IDS)):
        return
    report = state.env.get("report")
    lines = state.src.split("\n")
    if state.env.pop(_HAS_SPANS, False):
        for block in state.tokens:
            if block.type == "inline" and any(t.type == "kramdown_span_ial" for t in block.children or ()):
                block.children = _attach_spans(block, report, lines, state.env)
    if state.env.pop(_HAS_IDS, False):
        _settle_ids(state, report, lines)


def _attach_spans(block: Token, report, lines: list[str], env: EnvType) -> list[Token]:
    kept: list[Token] = []
    for token in block.children or []:
        if token.type != "kramdown_span_ial":
            kept.append(token)
            continue
        ial: AttributeList = token.meta["attributes"]
        target = _span_target(kept)
        line, col = _find(lines, block.map, token.meta["text"])
        if (target is None or ial.refs or ial.rejected) and report is not None:
            what = ("follows no link, image, code or emphasis" if target is None
                    else "names a reference or attribute that cannot be applied here")
            report.warning("kramdown", f"the attribute list {token.meta['text']!r} {what}; it was dropped",
                           body_line=line, col=col)
        if target is not None:
            _set_attributes(target, ial, line, env)
    return kept


def _span_target(previous: list[Token]) -> Token | None:
    # Emphasis leaves empty text tokens where its delimiters were.
    previous = [t for t in previous if not (t.type == "text" and not t.content)]
    last = previous[-1] if previous else None
    if last is None or last.type in ("image", "code_inline"):
        return last
    if last.nesting == -1:
        for token in reversed(previous):
            if token.nesting == 1 and token.level == last.level and token.tag == last.tag:
                return token
    return None


def _find(lines: list[str], line_map: list[int] | None, needle: str) -> tuple[int, int]:
    """(0-based body line, 1-based column) of ``needle`` within a block's lines."""
    first, last = line_map if line_map else (0, 0)
    for line in range(first, min(last, len(lines))):
        if needle in lines[line]:
            return line, lines[line].find(needle) + 1
    return first, 1


def _settle_ids(state: StateCore, report, lines: list[str]) -> None:
    """Make the ids authors chose unique and keep generated heading ids out of their way.

    Runs after inline parsing, so heading texts (hence their future ids) are
    known, and before ``kb_heading_ids``, which skips headings that have an id
    and numbers its own around the ids reserved in ``env["_heading_ids"]``.
    """
    chosen: list[Token] = []
    slugs: dict[str, int] = {}
    for i, token in enumerate(state.tokens):
        if _ID_LINE in token.meta:
            chosen.append(token)
        elif token.type == "heading_open" and not token.attrGet("id"):
            slugs.setdefault(slugify(inline_text(state.tokens[i + 1])), token.map[0] if token.map else 0)
        if token.type == "inline":
            chosen.extend(t for t in token.children or () if _ID_LINE in t.meta)
    if not chosen:
        return
    used: dict[str, int] = state.env.setdefault("_heading_ids", {})
    offset = report.body_offset if report is not None else 0
    for token in chosen:
        ident, line = str(token.attrGet("id")), token.meta.pop(_ID_LINE)
        text = lines[line] if line < len(lines) else ""
        col = text.find("#" + ident) + 1 if "#" + ident in text else 1
        message = None
        if ident in used:
            n = used[ident]
            while f"{ident}_{n}" in used:
                n += 1
            used[ident], unique = n + 1, f"{ident}_{n}"
            message = f"id {ident!r} is used twice in this note; this one became {unique!r}"
            token.attrSet("id", unique)
            ident = unique
        elif ident in slugs:
            message = (f"id {ident!r} is also the id of the heading on line {slugs[ident] + 1 + offset}, "
                       "which gets a numbered id instead")
        used[ident] = used.get(ident, 0) + 1
        if message and report is not None:
            report.warning("kramdown", message, body_line=line, col=col)


def plugin(md: MarkdownIt) -> None:
    """Apply kramdown attribute lists; they run before inline parsing and heading ids."""
    md.core.ruler.after("block", "kramdown_block_attributes", _block_attributes)
    md.inline.ruler.before("emphasis", "kramdown_span_ial", _span_ial)
    md.core.ruler.after("inline", "kramdown_span_attributes", _attach_spans_and_settle_ids)
    md.add_render_rule("kramdown_toc", _render_toc)
