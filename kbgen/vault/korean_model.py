"""A small Korean plausibility model, used to choose between the syllables a lost byte could have been.

Why a model at all: when Korean UTF-8 is read as a Windows code page and saved again, the bytes that
code page leaves undefined vanish, and each damaged syllable could have been any of ~5-16 syllables.
Picking the right one needs a sense of which Korean *words* are likely, so this module scores a run
of Hangul syllables (roughly one eojeol, the space-separated word) by:

* a unigram **segmentation** into the morphemes of ``wordfreq``'s Korean list (that list was
  tokenized with MeCab, so its entries are morphemes such as ``있`` + ``습니다``, not whole words);
* a syllable **trigram** model built from the same list (frequency-damped, so particles do not drown
  out content words);
* a few hand-written facts about Korean word structure that a bag of morphemes cannot know:
  particles/endings do not start a word, and predicate stems (``있``, ``많``) do not end one;
* **document evidence**: the intact Hangul runs of the note being repaired are added as extra
  morphemes and n-gram counts, so the note's own vocabulary (``역전파``, ``기울기``) is preferred.

The wordfreq list is loaded lazily, once per process (importing kbgen must stay fast), and when
wordfreq is missing the model still works on the built-in word-structure lists and document
evidence alone - worse, but never crashing.
"""
from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterable

__all__ = ["KoreanModel", "load_model", "is_hangul"]

_MAX_TOKEN = 8  # longest morpheme tried by the segmenter, in syllables
_UNKNOWN = math.log(1e-8)  # cost of covering a syllable with no known morpheme
_DAMPING = 0.5  # n-gram counts are freq**0.5: keeps 이/는/을 from dominating every context
_INITIAL_SUFFIX_PENALTY = -6.0
_FINAL_STEM_PENALTY = -4.0
_STEM_ENDING_BONUS = 3.0
_PARTICLE_BONUS = 1.5  # a word-final particle after some other morpheme: the commonest word shape
_NGRAM_WEIGHT = 0.5  # the n-grams come from morphemes, so they misjudge morpheme joins: trust less
_CUE_BONUS = 2.0  # a predicate right after 안/못 or a "-게" word ("안 되는", "없게 되는")

# Particles and endings: bound morphemes that cannot begin a word.
SUFFIXES = frozenset(
    "의 에 는 은 을 를 에서 으로 와 과 께 에게 한테 까지 부터 처럼 보다 이다 입니다 습니다 니다 었 았 였 겠 "
    "었다 았다 였다 며 으며 으면 어서 아서 여서 어야 아야 는데 은데 니까 으니까 던 랑 이랑 려고 으려고 죠 요 "
    "네요 어요 아요 세요 에요 예요 지만 는지 은지 는다 답니다 냐 야 이야 군 구나 게 고 지 서 면 다 라 로 "
    "도 만 나 이나 든 든지 었던 았던 였던 시 으시 셨 됩 데".split()
)
# Predicate stems that need an ending after them: they never end a word on their own.
BOUND_STEMS = frozenset(
    "있 없 하 했 되 됐 않 같 좋 많 싶 었 았 였 겠 받 했었 만들 모르 보이 줬 봤 갔 왔 나왔 해야 맞 "
    "작 크 높 낮 깊 넓 좁 짧 빠르 느리 어렵 쉽 가깝 멀 던지 만지 가지 지".split()
)
# What a predicate can start with, for the 안/못/-게 cue: the stems plus the forms of 되다.
PREDICATE_STARTS = BOUND_STEMS | frozenset("돼 된 될 됨 됩 되어 되었 돼서 된다 됩니다".split())
# Adverbs after which a predicate follows (in the same word, as in 안돼, or the next one).
_CUES = frozenset("안 못".split())
# Endings typically found right after such a stem (adjective/verb inflection, note-style -음/-ㅁ).
ENDINGS = frozenset(
    "다 은 는 게 고 지 아 어 아서 어서 았 었 았다 었다 음 을 으면 으며 기 던 지만 습니다 네 죠 도록 아도 어도 "
    "아야 어야 아요 어요 는다 는데 은데 니 니까 으니 다고 다는 다면 냐".split()
)

# Particles that close a noun phrase ("음의", "값을"), and note-style nominal endings ("작아짐", "됨").
PARTICLES = frozenset(
    "의 에 는 은 을 를 이 가 에서 으로 로 와 과 도 만 까지 부터 처럼 보다 에게 이나 나 랑 이랑 한테 께서 "
    "짐 됨 함 임 음 움 줌 남 림 김 봄 옴 씀 듬 둠 낌".split()
)

# Very common inflected words. wordfreq's list is split into morphemes (많 + 은), so it never
# shows these whole; without them 맞은/말은 look as good as 많은.
COMMON_WORDS = {
    w: 2e-4
    for w in "많은 많이 많다 많고 많아 같은 같이 같다 있는 있다 있어 있고 있을 없는 없다 없이 없어 하는 한다 했다 "
    "된다 되어 되고 되지 되면 돼 돼서 됐다 될 된 됨 않는 않고 않은 않아 않게 않다 아닌 아니라 좋은 작은 큰 "
    "높은 낮은 깊은 새로운 중요한 필요한 가능한 이러한 그러한 다른 모든 어떤 위해 대한 통해 따라 함께".split()
}

_BUILTIN = {w: 1e-3 for w in SUFFIXES | ENDINGS} | {w: 3e-4 for w in BOUND_STEMS} | COMMON_WORDS


def is_hangul(ch: str) -> bool:
    """True for a precomposed Hangul syllable (가..힣): the only characters this model scores."""
    return "\uac00" <= ch <= "\ud7a3"


class KoreanModel:
    """Scores Hangul strings; immutable after construction except for per-document overlays."""

    def __init__(self, lexicon: dict[str, float]) -> None:
        self.lexicon: dict[str, float] = {}
        self.syl: Counter[str] = Counter()
        self.bi: Counter[str] = Counter()
        self.tri: Counter[str] = Counter()
        merged = {w: f for w, f in lexicon.items() if w and f > 0 and all(is_hangul(c) for c in w)}
        for word, freq in _BUILTIN.items():
            merged.setdefault(word, freq)  # the measured frequency wins when there is one
        for word, freq in merged.items():
            self.lexicon[word] = math.log(freq)
            self._count(word, (freq * 1e7) ** _DAMPING)
        self.total = sum(v for k, v in self.syl.items() if k not in "^$") or 1.0

    def _count(self, word: str, weight: float) -> None:
        s = "^" + word + "$"
        for i in range(len(s)):
            self.syl[s[i]] += weight
            if i + 1 < len(s):
                self.bi[s[i : i + 2]] += weight
            if i + 2 < len(s):
                self.tri[s[i : i + 3]] += weight

    def unigram(self, ch: str) -> float:
        """Log prior of a single syllable: used to prune candidates before the costly scoring."""
        return math.log((self.syl.get(ch, 0.0) + 0.01) / (self.total + 100.0))

    def with_document(self, runs: Iterable[str], weight: float = 30.0) -> DocumentModel:
        """A view of this model that also trusts the intact Hangul runs of one note."""
        return DocumentModel(self, runs, weight)


class DocumentModel:
    """The base model plus one note's own vocabulary (kept apart so the base stays shared)."""

    def __init__(self, base: KoreanModel, runs: Iterable[str], weight: float) -> None:
        self.base = base
        self.words: Counter[str] = Counter(r for r in runs if r)
        self.syl: Counter[str] = Counter()
        self.bi: Counter[str] = Counter()
        self.tri: Counter[str] = Counter()
        total = sum(self.words.values()) or 1
        self.word_logp = {w: math.log(0.5 * c / total) for w, c in self.words.items()}
        for word, count in self.words.items():
            s = "^" + word + "$"
            w = weight * count
            for i in range(len(s)):
                self.syl[s[i]] += w
                if i + 1 < len(s):
                    self.bi[s[i : i + 2]] += w
                if i + 2 < len(s):
                    self.tri[s[i : i + 3]] += w
        self.total = base.total + sum(v for k, v in self.syl.items() if k not in "^$")
        self._cache: dict[tuple[str, float, bool], float] = {}

    def unigram(self, ch: str) -> float:
        return math.log((self.base.syl.get(ch, 0.0) + self.syl.get(ch, 0.0) + 0.01) / (self.total + 100.0))

    def _ngram(self, word: str) -> float:
        b, s = self.base, "^" + word + "$"
        lp = 0.0
        for i in range(1, len(s)):
            c = s[i]
            p1 = 0.1 if c == "$" else (b.syl.get(c, 0.0) + self.syl.get(c, 0.0) + 0.01) / (self.total + 100.0)
            h = s[i - 1]
            hc = b.syl.get(h, 0.0) + self.syl.get(h, 0.0)
            p2 = (b.bi.get(h + c, 0.0) + self.bi.get(h + c, 0.0)) / hc if hc else 0.0
            p3 = 0.0
            if i >= 2:
                hh = s[i - 2 : i]
                hhc = b.bi.get(hh, 0.0) + self.bi.get(hh, 0.0)
                if hhc:
                    p3 = (b.tri.get(hh + c, 0.0) + self.tri.get(hh + c, 0.0)) / hhc
            lp += math.log(0.6 * p3 + 0.3 * p2 + 0.1 * p1)
        return lp

    def _segment(self, word: str, initial: float, cued: bool) -> float:
        """Best unigram segmentation into known morphemes, with the word-structure rules."""
        lex, doc = self.base.lexicon, self.word_logp
        n = len(word)
        best = [0.0] + [-math.inf] * n
        last = [""] * (n + 1)
        for j in range(1, n + 1):
            for i in range(max(0, j - _MAX_TOKEN), j):
                if best[i] == -math.inf:
                    continue
                tok = word[i:j]
                lp = lex.get(tok)
                dp = doc.get(tok)
                if dp is not None:
                    lp = dp if lp is None else max(lp, dp)
                if lp is None:
                    if j - i > 1:
                        continue
                    lp = _UNKNOWN + self.unigram(tok)
                if i == 0 and initial and tok in SUFFIXES:
                    lp += _INITIAL_SUFFIX_PENALTY * initial
                if i > 0 and last[i] in BOUND_STEMS and tok in ENDINGS:
                    lp += _STEM_ENDING_BONUS
                if (last[i] in _CUES if i > 0 else cued) and tok in PREDICATE_STARTS:
                    lp += _CUE_BONUS
                if j == n and tok in BOUND_STEMS:
                    lp += _FINAL_STEM_PENALTY
                if j == n and i > 0 and tok in PARTICLES and last[i] not in SUFFIXES:
                    lp += _PARTICLE_BONUS
                if best[i] + lp > best[j]:
                    best[j], last[j] = best[i] + lp, tok
        return best[n]

    def score(self, word: str, initial: float = 1.0, previous: str = "") -> float:
        """Log-plausibility of ``word`` as (part of) one Korean word; higher is better.

        ``initial`` says how surely the run starts a word (1 after a space or line start, 0 right
        after other letters): a particle like 의/에 cannot stand there. ``previous`` is the Hangul word before it, if any: after
        안/못 or a word ending in 게, a predicate (되는, 많다) is expected.
        """
        cued = previous in _CUES or previous.endswith("게")
        key = (word, initial, cued)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._segment(word, initial, cued) + _NGRAM_WEIGHT * self._ngram(word)
            self._cache[key] = cached
        return cached


_lock = threading.Lock()
_model: KoreanModel | None = None


def _load_lexicon() -> dict[str, float]:
    try:
        import wordfreq  # imported here: it is slow to import and optional
    except Exception:  # pragma: no cover - depends on the environment
        return {}
    try:
        return dict(wordfreq.get_frequency_dict("ko"))
    except Exception:  # pragma: no cover - broken data files must not break a build
        return {}


def load_model() -> KoreanModel:
    """The process-wide model, built on first use (about a quarter of a second)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = KoreanModel(_load_lexicon())
    return _model
