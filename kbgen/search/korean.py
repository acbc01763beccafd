"""Korean word analysis for Material's lunr search, shared by Python and the browser.

Material's search worker splits text and queries with one regular expression,
the plugin's ``separator``, and then matches every query word as a prefix
(``word*``). Korean glues particles and endings onto words (기울기가, 기울기는,
역전파를, 발생하는), so whitespace alone gives tokens that only a prefix of the
bare word finds: a search for "기울기가" misses a note that says "기울기는".

:func:`separator_pattern` builds a separator that also *consumes* a common
particle or ending at the end of a word, once at least two letters precede it.
Because the worker applies it to the index and to every query word alike,
"기울기가", "기울기는" and "기울기" all become the token "기울기" — a stemmer
written as a regular expression, so no script of ours has to run in the
worker. The rule is deliberately simple: a noun that happens to end in a
particle-like syllable (전문가, 정확도) loses it too, but on both sides, so
searches still meet. The pattern is valid in JavaScript and in Python's
:mod:`re` alike (fixed-width lookbehind, no Unicode classes), which lets
:func:`words` reproduce the browser's tokens here.

Prefix matching cannot find a word inside a compound (소실 in 기울기소실,
신경망 in 순방향신경망); :func:`compound_parts` lists the inner suffixes of long
Hangul words so they can be indexed as extra, hidden terms.
"""
from __future__ import annotations

import functools
import itertools
import re
from typing import Iterable, Iterator

# Particles (조사) and the copula, as they end a noun.
PARTICLES: tuple[str, ...] = (
    "에서", "에게", "한테", "으로", "로서", "로써", "부터", "까지", "처럼", "보다", "마다",
    "조차", "밖에", "만큼", "이나", "이란", "이라", "이며", "이고", "이다", "입니다",
    "이었다", "이지만", "이라는", "이라고",
    "이", "가", "은", "는", "을", "를", "의", "에", "로", "와", "과", "도", "만", "란",
)
# Endings of 하다/되다 verbs built on a noun (학습하는, 소실된다): the noun is what people search.
VERB_ENDINGS: tuple[str, ...] = (
    "합니다", "했습니다", "됩니다", "되었다", "하였다",
    "하는", "하고", "하여", "해서", "하면", "하게", "하기", "하지", "하며", "한다", "했다",
    "되는", "되고", "되어", "되면", "되지", "되기", "되며", "된다", "됐다",
    "한", "할", "함", "해", "된", "될", "됨", "돼",
)
# Particles another one may follow (에서는, 으로의, 들이, 까지만), and those that follow.
# 이/가/은/는/을/를 never take a second one: 스파이가 must not lose 이 as well.
HOSTS: tuple[str, ...] = (
    "에서", "에게", "한테", "으로", "로", "에", "와", "과", "까지", "부터", "보다", "처럼", "만", "들",
)
STACKED: tuple[str, ...] = ("는", "은", "도", "의", "만", "를", "을", "가", "이")

# Characters that always separate words. Never "*", "+", "^" or "~": lunr's
# query lexer splits terms on the same expression, and those carry query syntax.
_BREAK_CHARS = r"\s\-,:;!?" + "\"'`/|=#()" + r"\[\]{}<>" + "·ㆍ…“”‘’「」『』《》〈〉【】→←↔⇒"
_BREAK = f"[{_BREAK_CHARS}]"
# The least a word must keep before a particle may be cut: two letters, or a
# closing bracket or quote (역전파(Backpropagation)를, "ReLU"는).
_STEM = "(?:(?<=[0-9A-Za-z가-힣]{2})|(?<=[)\\]\"'”’」』》〉】]))"


def _alternatives(items: Iterable[str]) -> str:
    # Longest first, so an alternation never settles for a shorter particle.
    return "|".join(sorted(set(items), key=lambda s: (-len(s), s)))


def separator_pattern() -> str:
    """The search separator: punctuation and whitespace, or a particle ending a word.

    Material's own advice for code-heavy sites (split on ``.`` unless a digit
    follows, and on escaped ``<``/``>``) is kept; HTML entities stand for
    punctuation in the index text.
    """
    stacked = f"(?:{_alternatives(HOSTS)})(?:{_alternatives(STACKED)})?"
    single = _alternatives((*PARTICLES, *VERB_ENDINGS))
    particle = f"{_STEM}(?:{stacked}|{single})(?={_BREAK}|[.&]|$)"
    return f"{_BREAK}+|\\.(?!\\d)|&(?:[lg]t|amp|quot|#39);|{particle}"


SEPARATOR = separator_pattern()
_ENDINGS = frozenset((*PARTICLES, *VERB_ENDINGS, *HOSTS))
_SEPARATOR_RE = re.compile(SEPARATOR)
_HANGUL_RUN = re.compile("[가-힣]+")

# Inner parts of longer words are skipped: a long run is text written without spaces.
MAX_COMPOUND = 12


def words(text: str) -> Iterator[str]:
    """The tokens the browser's search worker makes of ``text``, lower-cased."""
    # Whitespace always separates, so each chunk splits alone (and repeats a lot: cached).
    # Chained in C: the search index takes the words of every page's text.
    return itertools.chain.from_iterable(map(_chunk_words, text.split()))


@functools.lru_cache(maxsize=65536)
def _chunk_words(chunk: str) -> tuple[str, ...]:
    found: list[str] = []
    start = 0
    for match in _SEPARATOR_RE.finditer(chunk):
        if match.start() > start:
            found.append(chunk[start:match.start()].lower())
        start = max(start, match.end())
    if start < len(chunk):
        found.append(chunk[start:].lower())
    return tuple(found)


def stem(word: str) -> str:
    """``word`` with a trailing particle or ending cut off, as the search sees it."""
    return next(words(word), "")


@functools.lru_cache(maxsize=65536)
def compound_parts(word: str) -> tuple[str, ...]:
    """Inner suffixes (two syllables or more) of the Hangul runs in ``word``.

    With prefix matching, indexing every suffix turns a search into a search
    for any part of a word: 기울기소실 → 울기소실, 기소실, 소실. A Hangul run
    glued to Latin letters (ReLU함수) counts as a part in full.
    """
    if word.endswith("다"):
        return ()  # a predicate (발생한다, 작아졌습니다): its pieces are endings, not words
    parts: list[str] = []
    for run in _HANGUL_RUN.finditer(word):
        text = run.group()
        if len(text) > MAX_COMPOUND:
            continue
        if run.start() > 0 and len(text) >= 2:
            parts.append(text)
        parts.extend(text[i:] for i in range(1, len(text) - 1))
    return tuple(part for part in parts if part not in _ENDINGS)
